"""Who is asking: FastAPI dependencies resolving a session cookie or a Bearer API token.

``OptionalUser`` is the signed-in ``User`` or None; ``CurrentUser`` answers 401 when nobody is
signed in; ``VerifiedUser`` also requires a verified email (403); ``AdminUser`` an admin (403).
Banned users resolve to nobody. API tokens (``Authorization: Bearer prt_...``) are looked up
by their SHA-256; the result is cached on ``request.state`` for the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from paperradar.store.base.community import User
from paperradar.web.security import cookie_name, hash_secret, live_session, now_iso, session_csrf

TOKEN_PREFIX = "prt_"


@dataclass(slots=True)
class Auth:
    user: User | None = None
    via: str | None = None  # "session" | "token"
    csrf: str | None = None


def resolve_auth(request: Request) -> Auth:
    cached = getattr(request.state, "auth", None)
    if cached is not None:
        return cached
    auth = _resolve(request)
    request.state.auth = auth
    return auth


def _resolve(request: Request) -> Auth:
    store = request.app.state.store
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        token = header[7:].strip()
        touch = request.method not in ("GET", "HEAD", "OPTIONS")  # no writes on reads
        user = store.user_for_api_token(hash_secret(token), now_iso(), touch) if token else None
        if user is None or user.banned:
            raise HTTPException(401, "invalid or revoked API token",
                                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return Auth(user, "token")
    sid = request.cookies.get(cookie_name(request.app.state.settings))
    if sid:
        found = live_session(request.app, sid)
        if found and not found[0].banned:
            return Auth(found[0], "session", found[1])
    return Auth()


def optional_user(request: Request) -> User | None:
    return resolve_auth(request).user


def current_user(request: Request) -> User:
    user = resolve_auth(request).user
    if user is None:
        raise HTTPException(401, "sign in or send an API token (Authorization: Bearer TOKEN)",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


def verified_user(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.verified:
        raise HTTPException(403, "confirm your email address first (see the mail we sent)")
    return user


def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_admin:
        raise HTTPException(403, "administrators only")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
VerifiedUser = Annotated[User, Depends(verified_user)]
AdminUser = Annotated[User, Depends(admin_user)]

__all__ = ["Auth", "AdminUser", "CurrentUser", "OptionalUser", "User", "VerifiedUser",
           "TOKEN_PREFIX", "resolve_auth", "session_csrf"]
