"""Cross-cutting web security: server-side sessions, CSRF, security headers, rate limits,
password hashing. ``install(app)`` adds the ASGI middleware; routes use the helpers.

- Sessions: a random id in an ``HttpOnly``, ``SameSite=Lax`` cookie (``Secure`` and the
  ``__Host-`` prefix when the base URL is https); only its SHA-256 is stored. A new id is
  issued at every login (the old one is deleted) and the row dies at logout.
- CSRF: every POST/PUT/PATCH/DELETE that carries the session cookie must come from this site:
  ``Sec-Fetch-Site`` must be ``same-origin`` (or ``none``), else ``Origin`` must be ours, else
  (no browser metadata at all) the session's token must come as ``X-CSRF-Token`` or as a
  ``csrf_token`` form field. Requests without the cookie (Bearer API calls, RFC 8058 one-click
  unsubscribes) carry no ambient authority and pass by design.
- Headers: a strict Content-Security-Policy (self only, no inline script), nosniff,
  frame-ancestors none, Referrer-Policy, COOP, Permissions-Policy, HSTS on https.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from datetime import datetime, timedelta, timezone
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlsplit

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import FastAPI, HTTPException, Request, Response

from paperradar.config import Settings
from paperradar.store.base.community import User

SESSION_TOUCH_EVERY = timedelta(hours=1)  # how stale "last seen" may get (idle timeout slack)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# FastAPI's Swagger UI page starts the bundled (vendored) Swagger UI with an inline script.
CSP_DOCS = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
            "base-uri 'self'; frame-ancestors 'none'")
_MAX_FORM_BYTES = 1 << 20
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def now_iso(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_https(settings: Settings) -> bool:
    return settings.base_url.lower().startswith("https://")


def cookie_name(settings: Settings) -> str:
    return "__Host-paperradar_session" if is_https(settings) else "paperradar_session"


# -- passwords ------------------------------------------------------------------------------
class Passwords:
    """argon2id hashing with the configured parameters; a dummy check for unknown users."""

    def __init__(self, settings: Settings):
        self.hasher = PasswordHasher(time_cost=settings.argon2_time_cost,
                                     memory_cost=settings.argon2_memory_cost,
                                     parallelism=settings.argon2_parallelism, type=Type.ID)
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> tuple[bool, bool]:
        """(ok, needs_rehash). Unknown users (``stored`` None) cost the same as known ones."""
        if stored is None:
            if self._dummy is None:
                self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
            stored, real = self._dummy, False
        else:
            real = True
        try:
            self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False, False
        return real, real and self.hasher.check_needs_rehash(stored)


def passwords(request: Request) -> Passwords:
    return request.app.state.passwords


# -- sessions --------------------------------------------------------------------------------
def start_session(request: Request, response: Response, user_id: int) -> str:
    """Log ``user_id`` in: drop any session the browser had, issue a fresh id and CSRF token."""
    settings: Settings = request.app.state.settings
    store = request.app.state.store
    old = request.cookies.get(cookie_name(settings))
    if old:
        store.delete_session(hash_secret(old))
    sid, csrf = new_secret(), new_secret()
    max_age = int(settings.session_max_age_days * 86400)
    store.create_session(hash_secret(sid), user_id, csrf, now_iso(timedelta(seconds=max_age)))
    response.set_cookie(cookie_name(settings), sid, max_age=max_age, path="/", httponly=True,
                        secure=is_https(settings), samesite="lax")
    request.state.csrf = csrf
    return csrf


def live_session(app, sid: str) -> tuple[User, str] | None:
    """(user, csrf token) of the session ``sid`` if it is neither expired nor idle too long;
    marks it seen (at most once an hour, so most requests stay read-only)."""
    settings: Settings = app.state.settings
    idle = timedelta(days=settings.session_idle_days)
    return app.state.store.get_session(hash_secret(sid), now_iso(), now_iso(-idle),
                                       now_iso(-SESSION_TOUCH_EVERY))


def end_session(request: Request, response: Response) -> None:
    settings: Settings = request.app.state.settings
    sid = request.cookies.get(cookie_name(settings))
    if sid:
        request.app.state.store.delete_session(hash_secret(sid))
    response.delete_cookie(cookie_name(settings), path="/", httponly=True,
                           secure=is_https(settings), samesite="lax")


def csrf_token(request: Request) -> str:
    """The signed-in session's CSRF token, for forms (``<input name="csrf_token">``) and JS."""
    auth = getattr(request.state, "auth", None)  # resolved already (``auth_deps``)
    if auth is not None:
        return auth.csrf or ""
    if getattr(request.state, "csrf", None):  # a session started by this request
        return request.state.csrf
    sid = request.cookies.get(cookie_name(request.app.state.settings))
    found = live_session(request.app, sid) if sid else None
    return found[1] if found else ""


def session_csrf(app, cookie_header: str) -> str | None:
    """The CSRF token of the session named in a raw Cookie header (for the middleware)."""
    try:
        jar = SimpleCookie(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(cookie_name(app.state.settings))
    if morsel is None or not morsel.value:
        return None
    found = live_session(app, morsel.value)
    return found[1] if found else None


# -- known devices (login throttling) -----------------------------------------------------------
DEVICE_COOKIE = "paperradar_device"
DEVICE_MAX_AGE = 365 * 86400


def _device_mac(settings: Settings, user_id: int, nonce: str) -> str:
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, f"device:{user_id}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def remember_device(request: Request, response: Response, user_id: int) -> None:
    """After a successful login: a signed cookie saying this browser logged in as the user
    before, so a flood of wrong passwords from elsewhere does not lock it out (OWASP)."""
    settings: Settings = request.app.state.settings
    nonce = secrets.token_urlsafe(12)
    response.set_cookie(DEVICE_COOKIE, f"{user_id}.{nonce}.{_device_mac(settings, user_id, nonce)}",
                        max_age=DEVICE_MAX_AGE, path="/login", httponly=True,
                        secure=is_https(settings), samesite="strict")


def known_device(request: Request, user_id: int | None) -> bool:
    raw = request.cookies.get(DEVICE_COOKIE, "")
    parts = raw.split(".")
    if user_id is None or len(parts) != 3 or parts[0] != str(user_id):
        return False
    return hmac.compare_digest(parts[2], _device_mac(request.app.state.settings, user_id, parts[1]))


# -- rate limits -----------------------------------------------------------------------------
def parse_rate(spec: str) -> tuple[int, float]:
    """``"10/5m"`` -> (10, 300.0)."""
    m = _RATE.match(spec)
    if not m:
        raise ValueError(f"bad rate limit {spec!r} (expected N/period, e.g. 10/5m)")
    return int(m.group(1)), float(int(m.group(2) or 1) * _UNITS[m.group(3)])


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limit(request: Request, kind: str, *keys: str) -> None:
    """Count one attempt of ``kind`` against each key; 429 (with Retry-After) when over."""
    settings: Settings = request.app.state.settings
    if not settings.rate_limits_enabled:
        return
    limit, window = parse_rate(getattr(settings, f"rate_limit_{kind}"))
    store = request.app.state.store
    now = time.time()
    for key in keys:
        wait = store.rate_limit_hit(f"{kind}:{key.lower()}", limit, window, now)
        if wait:
            raise HTTPException(429, f"too many {kind} attempts; try again in {int(wait) + 1} s",
                                headers={"Retry-After": str(int(wait) + 1)})


# -- CSRF and headers middleware -------------------------------------------------------------
def _origin(url: str) -> str:
    u = urlsplit(url)
    return f"{u.scheme}://{u.netloc}".lower()


def check_same_origin(request: Request) -> None:
    """For cookie-less forms that matter (login, sign-up, reset): refuse what a browser marks
    as coming from another site (login CSRF). Clients without these headers pass."""
    site = request.headers.get("sec-fetch-site", "").lower()
    origin = request.headers.get("origin", "").lower()
    own = (_origin(request.app.state.settings.base_url),
           f"{request.url.scheme}://{request.headers.get('host', '')}".lower())
    if (site and site not in ("same-origin", "none")) or (not site and origin and origin not in own):
        raise HTTPException(403, "cross-site request refused (CSRF check failed)")


class SecurityMiddleware:
    """Pure ASGI (cheap on the hot path): CSRF gate for cookie requests, security headers."""

    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings
        self.cookie = cookie_name(settings).encode()
        self.origin = _origin(settings.base_url)
        self.hsts = is_https(settings)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.lower(): v for k, v in scope["headers"]}
        if scope["method"] in UNSAFE_METHODS and self._has_cookie(headers):
            verdict, receive = await self._csrf_ok(scope, headers, receive)
            if not verdict:
                return await self._refuse(scope, send)
        policy = CSP_DOCS if scope["path"] in ("/docs", "/docs/oauth2-redirect") else CSP

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(b"content-security-policy", policy.encode()),
                         (b"x-content-type-options", b"nosniff"),
                         (b"x-frame-options", b"DENY"),
                         (b"referrer-policy", b"strict-origin-when-cross-origin"),
                         (b"cross-origin-opener-policy", b"same-origin"),
                         (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]
                if self.hsts:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _has_cookie(self, headers: dict[bytes, bytes]) -> bool:
        raw = headers.get(b"cookie", b"")
        return any(part.strip().split(b"=", 1)[0] == self.cookie for part in raw.split(b";"))

    async def _csrf_ok(self, scope, headers, receive):
        site = headers.get(b"sec-fetch-site", b"").decode("latin-1").lower()
        if site:
            return site in ("same-origin", "none"), receive
        origin = headers.get(b"origin", b"").decode("latin-1").lower()
        if origin:
            host = headers.get(b"host", b"").decode("latin-1").lower()
            own = f"{scope.get('scheme', 'http')}://{host}"
            return origin in (self.origin, own), receive
        return await self._token_ok(scope, headers, receive)

    async def _token_ok(self, scope, headers, receive):
        """No browser metadata: the session's CSRF token must come with the request."""
        expected = session_csrf(scope["app"], headers.get(b"cookie", b"").decode("latin-1"))
        given = headers.get(b"x-csrf-token", b"").decode("latin-1")
        ctype = headers.get(b"content-type", b"").decode("latin-1").lower()
        if not given and ctype.startswith("application/x-www-form-urlencoded"):
            body, receive = await _buffer_body(receive)
            if body is None:
                return False, receive
            given = (parse_qs(body.decode("utf-8", "replace")).get("csrf_token") or [""])[0]
        ok = bool(expected and given) and hmac.compare_digest(expected, given)
        return ok, receive

    async def _refuse(self, scope, send):
        api = scope["path"].startswith("/api/")
        body = (b'{"error":"Forbidden","status":403,'
                b'"detail":"cross-site request refused (CSRF check failed)"}' if api else
                b"<!DOCTYPE html><title>Forbidden</title><p>Cross-site request refused "
                b"(CSRF check failed). Go back, reload the page and try again.</p>")
        ctype = b"application/json" if api else b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                                (b"content-security-policy", CSP.encode()),
                                (b"x-content-type-options", b"nosniff")]})
        await send({"type": "http.response.body", "body": body})


async def _buffer_body(receive):
    """Read a (small) request body and return it with a ``receive`` that replays it."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, receive
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > _MAX_FORM_BYTES:
            return None, receive
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def install(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    app.state.passwords = Passwords(settings)
    app.add_middleware(SecurityMiddleware, settings=settings)
