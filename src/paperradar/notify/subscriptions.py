"""Subscriptions: address and preference validation, signed link tokens, and the flows the web
routes and the CLI share (double opt-in, one-click subscribe for accounts, confirm, unsubscribe).

Link tokens: unsubscribe and manage-preferences links carry ``<id>.<HMAC>`` signed with
``settings.secret_key`` over the purpose, id and address (stateless, valid until the address
changes). Confirmation tokens are random, stored hashed, single-use and expiring.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from paperradar.config import Settings
from paperradar.store.base.notify import Subscriber

log = logging.getLogger("paperradar.notify")

FREQUENCIES = ("daily", "weekly")
MAX_TOPICS = 20
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_CATEGORY = re.compile(r"^[A-Za-z-]+(\.[A-Za-z-]+)?$")
NEUTRAL_MESSAGE = ("Thanks. If this address can receive the digest, a message is on its way: "
                   "open the link in it to confirm.")


class InvalidInput(ValueError):
    """Bad subscriber input; the message says what to fix."""


def iso(dt: datetime) -> str:
    """The store's timestamp format (UTC, microseconds, sorts as text)."""
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def normalize_email(value: Any) -> str:
    email = str(value or "").strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput("enter a valid email address, like name@example.org")
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _str_list(value: Any, name: str, max_len: int) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"[\n,;]", value)]
    if not isinstance(value, (list, tuple)):
        raise InvalidInput(f"{name} must be a list of strings")
    out: list[str] = []
    for v in value:
        if not isinstance(v, str):
            raise InvalidInput(f"{name} must be a list of strings")
        v = " ".join(v.split())
        if not v:
            continue
        if len(v) > max_len:
            raise InvalidInput(f"each of {name} must be at most {max_len} characters")
        if v not in out:
            out.append(v)
    if len(out) > MAX_TOPICS:
        raise InvalidInput(f"at most {MAX_TOPICS} {name}")
    return out


def _int(value: Any, name: str, lo: int, hi: int) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a whole number from {lo} to {hi}") from None
    if not lo <= n <= hi:
        raise InvalidInput(f"{name} must be from {lo} to {hi}")
    return n


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes")
    return bool(value)


def apply_prefs(sub: Subscriber, prefs: dict[str, Any]) -> Subscriber:
    """A copy of ``sub`` with the given preference fields validated and set (others kept)."""
    sub = replace(sub, categories=list(sub.categories), queries=list(sub.queries),
                  authors=list(sub.authors))
    if "frequency" in prefs:
        if prefs["frequency"] not in FREQUENCIES:
            raise InvalidInput("frequency must be daily or weekly")
        sub.frequency = prefs["frequency"]
    if "hour" in prefs:
        sub.hour = _int(prefs["hour"], "hour", 0, 23)
    if "weekday" in prefs:
        sub.weekday = _int(prefs["weekday"], "weekday", 0, 6)
    if "timezone" in prefs:
        sub.timezone = check_timezone(prefs["timezone"])
    for flag in ("trending", "recommendations"):
        if flag in prefs:
            setattr(sub, flag, _bool(prefs[flag]))
    if "categories" in prefs:
        cats = _str_list(prefs["categories"], "categories", 40)
        bad = [c for c in cats if not _CATEGORY.match(c)]
        if bad:
            raise InvalidInput(f"not an arXiv category: {bad[0]!r} (e.g. cs.CL, stat.ML)")
        sub.categories = cats
    if "queries" in prefs:
        sub.queries = _str_list(prefs["queries"], "queries", 200)
    if "authors" in prefs:
        sub.authors = _str_list(prefs["authors"], "authors", 100)
    return sub


def check_timezone(value: Any) -> str:
    name = str(value or "").strip()
    try:
        if not name or name.startswith(("/", ".")) or ".." in name:
            raise ZoneInfoNotFoundError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(f"unknown time zone {name!r} (use a name like Europe/Paris)") from None
    return name


def prefs_dict(sub: Subscriber) -> dict[str, Any]:
    return {"email": sub.email, "status": sub.status, "frequency": sub.frequency,
            "hour": sub.hour, "weekday": sub.weekday, "timezone": sub.timezone,
            "trending": sub.trending, "recommendations": sub.recommendations,
            "categories": sub.categories, "queries": sub.queries, "authors": sub.authors}


# -- signed link tokens ---------------------------------------------------------------------
def _mac(settings: Settings, purpose: str, sub: Subscriber) -> str:
    key = settings.secret_key.get_secret_value().encode()
    data = f"{purpose}:{sub.id}:{sub.email.lower()}".encode()
    return hmac.new(key, data, hashlib.sha256).hexdigest()[:32]


def link_token(settings: Settings, purpose: str, sub: Subscriber) -> str:
    return f"{sub.id}.{_mac(settings, purpose, sub)}"


def subscriber_for_token(settings: Settings, store, purpose: str, token: str) -> Subscriber | None:
    """The subscriber a signed token names, or None for anything forged or malformed."""
    sid, _, mac = str(token).partition(".")
    if not (sid.isascii() and sid.isdigit()) or len(sid) > 18 or len(mac) != 32:
        return None
    sub = store.get_subscriber(int(sid))
    if sub is None or not hmac.compare_digest(mac, _mac(settings, purpose, sub)):
        return None
    return sub


def links(settings: Settings, sub: Subscriber) -> dict[str, str]:
    base = settings.base_url.rstrip("/")
    return {"unsubscribe": f"{base}/unsubscribe/{link_token(settings, 'unsubscribe', sub)}",
            "manage": f"{base}/subscription/{link_token(settings, 'manage', sub)}"}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- flows ----------------------------------------------------------------------------------
def _send(settings: Settings, store, to: str, subject: str, text: str, kind: str) -> None:
    from paperradar.notify.mail import send_message

    try:
        result = send_message(settings, to, subject, text, store=store, kind=kind)
        if not result.ok:
            log.warning("%s mail to %s not delivered: %s", kind, to, result.detail)
    except Exception:  # the answer to the visitor never depends on the mail server
        log.exception("%s mail to %s failed", kind, to)


def request_subscription(settings: Settings, store, email: Any, prefs: dict[str, Any] | None = None,
                         *, now: datetime | None = None, defer=None) -> str:
    """Double opt-in for an anonymous visitor; answers ``NEUTRAL_MESSAGE`` whatever the address's
    state (the confirmation, or a note with the manage link, goes by mail). ``defer(fn, *args)``
    (e.g. FastAPI's ``BackgroundTasks.add_task``) sends the mail after the answer, so the answer
    takes the same time whatever the address and however slow the mail server is."""
    send = (lambda *args: defer(_send, *args)) if defer else _send
    now = now or utcnow()
    addr = normalize_email(email)
    draft = apply_prefs(Subscriber(email=addr, created_at=iso(now), source="web"), prefs or {})
    sub, _created = store.add_subscriber(draft)
    base = settings.base_url.rstrip("/")
    if sub.status == "active":
        text = ("Someone (maybe you) asked to subscribe this address to the paperradar digest; "
                f"it is already subscribed.\n\nManage or stop it: {links(settings, sub)['manage']}\n")
        send(settings, store, sub.email, "You are already subscribed", text, "subscribe-notice")
        return NEUTRAL_MESSAGE
    if not _created:  # a new request (pending or unsubscribed) may carry new preferences
        store.update_subscriber(apply_prefs(sub, prefs or {}))
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=settings.digest_confirm_ttl_hours)
    store.add_subscriber_token(sub.id, _token_hash(token), "confirm", iso(expires))
    text = ("Please confirm that you want the paperradar digest of trending papers at this "
            f"address. Open this link and press Confirm (valid for "
            f"{settings.digest_confirm_ttl_hours:g} hours, once):\n\n"
            f"{base}/subscribe/confirm/{token}\n\nIf you did not ask for it, ignore this message: "
            "nothing will be sent.\n")
    send(settings, store, sub.email, "Confirm your paperradar digest subscription", text,
          "subscribe-confirm")
    return NEUTRAL_MESSAGE


def confirm_token_valid(store, token: str, *, now: datetime | None = None) -> bool:
    return store.token_is_valid(_token_hash(str(token)), "confirm", iso(now or utcnow()))


def confirm(store, token: str, *, now: datetime | None = None) -> Subscriber | None:
    """Use a confirmation token (once) and activate its subscriber; None when invalid."""
    now = now or utcnow()
    sid = store.use_subscriber_token(_token_hash(str(token)), "confirm", iso(now))
    if sid is None:
        return None
    sub = store.get_subscriber(sid)
    if sub is None:
        return None
    if sub.status != "active":
        sub.status, sub.confirmed_at, sub.unsubscribed_at = "active", iso(now), None
        store.update_subscriber(sub)
    return sub


def subscribe_account(store, user_id: int, email: str, prefs: dict[str, Any] | None = None,
                      *, now: datetime | None = None) -> Subscriber:
    """One-click subscription of a signed-in user with a verified address: active at once."""
    now = now or utcnow()
    sub = store.get_subscriber_by_user(user_id) or store.get_subscriber_by_email(email)
    if sub is None:
        sub, _ = store.add_subscriber(Subscriber(email=normalize_email(email), user_id=user_id,
                                                 created_at=iso(now), source="account"))
    sub = apply_prefs(sub, prefs or {})
    sub.user_id = user_id
    if sub.status != "active":
        sub.status, sub.confirmed_at, sub.unsubscribed_at = "active", iso(now), None
    store.update_subscriber(sub)
    return sub


def unsubscribe(store, sub: Subscriber, *, now: datetime | None = None) -> Subscriber:
    """Idempotent: an unsubscribed subscriber stays unsubscribed (the first time is kept)."""
    if sub.status != "unsubscribed":
        sub.status, sub.unsubscribed_at = "unsubscribed", iso(now or utcnow())
        store.update_subscriber(sub)
    return sub
