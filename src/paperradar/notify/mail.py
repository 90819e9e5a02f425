"""SMTP delivery: connection from ``settings.smtp_url``, optional DKIM signing, a global rate
limit (shared through the database by every process when a store is given, else per process), retries with exponential backoff on 4xx answers and dropped connections, 5xx
answers recorded as bounces (the address suppressed after ``settings.bounce_threshold``), and
one log line (and one ``mail_log`` row when a store is given) per delivery.

For other areas (account verification, password reset) the entry point is::

    from paperradar.notify.mail import send_message
    result = send_message(settings, "to@example.org", "Subject", "text body",
                          html="<p>optional html</p>", store=store, kind="verify")
    result.ok  # True when the server answered 250 to the message

Without an SMTP URL (``smtp_url`` empty or ``outbox``) messages are written to the outbox in
the data directory instead (``paperradar.notify.outbox``).

``smtp_url`` forms: ``smtp://host:25`` (plain), ``smtp+starttls://user:pass@host:587``,
``smtps://user:pass@host:465`` (implicit TLS); ``?cafile=PATH`` trusts an extra CA (tests).
"""

from __future__ import annotations

import base64
import logging
import secrets
import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from paperradar.config import Settings
from paperradar.store.base.notify import MailLogEntry
from paperradar.store.errors import retry_while_away

log = logging.getLogger("paperradar.mail")

_DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
_DKIM_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version",
                 b"content-type", b"list-unsubscribe", b"list-unsubscribe-post", b"list-id"]


class MailConfigError(Exception):
    """The SMTP settings cannot work (bad URL, authentication refused, sender refused)."""


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    security: str  # "plain" | "tls" | "starttls"
    username: str | None = None
    password: str | None = None
    cafile: str | None = None


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS:
        raise MailConfigError(f"unsupported SMTP URL scheme {parts.scheme!r} "
                              "(use smtp://, smtps:// or smtp+starttls://)")
    if not parts.hostname:
        raise MailConfigError(f"SMTP URL has no host: {url!r}")
    security = {"smtp": "plain", "smtps": "tls", "smtp+starttls": "starttls"}[parts.scheme]
    cafile = (parse_qs(parts.query).get("cafile") or [None])[0]
    return SmtpTarget(parts.hostname, parts.port or _DEFAULT_PORTS[parts.scheme], security,
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None, cafile)


@dataclass(slots=True)
class DeliveryResult:
    status: str  # sent | bounced | deferred | suppressed | failed
    recipient: str
    code: int | None = None
    detail: str = ""
    attempts: int = 0
    message_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "sent"


class RateLimiter:
    """At most ``rate`` acquisitions per second, spaced evenly; thread-safe. 0 = unlimited."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            wait = self._next - now
            self._next = max(now, self._next) + self.interval
        if wait > 0:
            self._sleep(wait)


class StoreRateLimiter:
    """The global limit: slots reserved in the database, so every process sending through
    this database (web app, workers, CLI) shares one rate."""

    def __init__(self, store, rate: float, sleep: Callable[[float], None] = time.sleep):
        self.store, self.interval, self._sleep = store, 1.0 / rate, sleep

    def acquire(self) -> None:
        wait = self.store.reserve_mail_slot(self.interval, time.time()) - time.time()
        if wait > 0:
            self._sleep(wait)


@lru_cache(maxsize=8)
def shared_limiter(rate: float) -> RateLimiter:
    """The process-wide limiter for a rate (built on first use, never at import)."""
    return RateLimiter(rate)


def _now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def envelope_sender(settings: Settings) -> str:
    return parseaddr(settings.mail_from)[1] or "digest@localhost"


def mail_domain(settings: Settings) -> str:
    return envelope_sender(settings).rpartition("@")[2] or "localhost"


def dkim_sign(raw: bytes, settings: Settings) -> bytes:
    """Prefix ``raw`` with a DKIM-Signature when DKIM is configured; else return it as is."""
    if not (settings.dkim_domain and settings.dkim_selector and settings.dkim_private_key_file):
        return raw
    import dkim

    key = Path(settings.dkim_private_key_file).read_bytes()
    header = dkim.sign(raw, settings.dkim_selector.encode(), settings.dkim_domain.encode(), key,
                       include_headers=_DKIM_HEADERS)
    return header + raw


class Mailer:
    """One SMTP connection reused across messages; use as a context manager."""

    def __init__(self, settings: Settings, store=None, *, sleep: Callable[[float], None] = time.sleep,
                 limiter: RateLimiter | None = None):
        self.settings = settings
        self.store = store
        self.outbox = settings.mail_outbox  # no SMTP configured: messages go to files
        self.target = None if self.outbox else parse_smtp_url(settings.smtp_url)
        self._sleep = sleep
        if limiter is None:
            rate = settings.smtp_rate_limit
            limiter = (StoreRateLimiter(store, rate) if store is not None and rate > 0
                       else shared_limiter(rate))
        self.limiter = limiter
        self._conn: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- connection -----------------------------------------------------------------------
    def _ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        if self.target.cafile:
            ctx.load_verify_locations(self.target.cafile)
        return ctx

    def _connect(self) -> smtplib.SMTP:
        t, timeout = self.target, self.settings.smtp_timeout
        if t.security == "tls":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(t.host, t.port, timeout=timeout,
                                                  context=self._ssl_context())
        else:
            conn = smtplib.SMTP(t.host, t.port, timeout=timeout)
        try:
            conn.ehlo()
            if t.security == "starttls":
                conn.starttls(context=self._ssl_context())
                conn.ehlo()
            if t.username:
                conn.login(t.username, t.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            conn.close()
            raise MailConfigError(f"SMTP authentication refused: {exc.smtp_code}") from exc
        except smtplib.SMTPNotSupportedError as exc:
            conn.close()
            raise MailConfigError(f"SMTP server does not support this setting: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    # -- sending --------------------------------------------------------------------------
    def _attempt(self, raw: bytes, sender: str, rcpt: str) -> tuple[int | None, str]:
        """One try: (None, "") on 250, else (code or None for a dropped connection, detail)."""
        try:
            if self._conn is None:
                self._conn = self._connect()
            self._conn.sendmail(sender, [rcpt], raw)
            return None, ""
        except smtplib.SMTPRecipientsRefused as exc:
            code, resp = exc.recipients.get(rcpt, (None, b""))
            self._drop()
            return code, _text(resp)
        except smtplib.SMTPSenderRefused as exc:
            self._drop()
            if exc.smtp_code >= 500:
                raise MailConfigError(f"sender {sender} refused: {exc.smtp_code} {_text(exc.smtp_error)}")
            return exc.smtp_code, _text(exc.smtp_error)
        except smtplib.SMTPResponseException as exc:
            self._drop()
            return exc.smtp_code, _text(exc.smtp_error)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError,
                socket.timeout, ssl.SSLError, OSError) as exc:
            self._drop()
            return 0, f"connection: {type(exc).__name__}: {exc}"

    def send(self, msg: "EmailMessage | RawMessage", *, kind: str = "mail") -> DeliveryResult:
        """Deliver one message to its single ``To`` address; never raises for recipient
        problems (only ``MailConfigError`` for settings that cannot work)."""
        rcpt = parseaddr(str(msg["To"]))[1]
        result = DeliveryResult("failed", rcpt, message_id=msg["Message-ID"])
        if self.store is not None and self.store.is_suppressed(rcpt):
            result.status, result.detail = "suppressed", "address suppressed after bounces"
            return self._log(result, kind)
        raw = dkim_sign(msg.as_bytes(policy=policy.SMTP), self.settings)
        if self.outbox is not None:
            from paperradar.notify.outbox import write

            result.status, result.attempts, result.detail = "sent", 1, f"outbox {write(self.outbox, raw)}"
            return self._log(result, kind)
        sender = envelope_sender(self.settings)
        for attempt in range(1, self.settings.smtp_max_retries + 2):
            result.attempts = attempt
            self.limiter.acquire()
            code, detail = self._attempt(raw, sender, rcpt)
            if code is None:
                result.status, result.code, result.detail = "sent", 250, ""
                return self._log(result, kind)
            result.code, result.detail = code or None, detail
            if code >= 500:
                result.status = "bounced"
                if self.store is not None and self.store.record_bounce(
                        rcpt, code, detail, self.settings.bounce_threshold, _now_iso()):
                    result.detail += " (address now suppressed)"
                return self._log(result, kind)
            if attempt <= self.settings.smtp_max_retries:
                delay = self.settings.smtp_retry_base * 2 ** (attempt - 1)
                log.info("mail to %s deferred (%s %s); retry %d in %.2fs", rcpt, code or "-",
                         detail, attempt, delay)
                self._sleep(delay)
        result.status = "deferred"
        return self._log(result, kind)

    def _log(self, r: DeliveryResult, kind: str) -> DeliveryResult:
        log.info("mail kind=%s to=%s status=%s code=%s attempts=%d message_id=%s %s", kind,
                 r.recipient, r.status, r.code, r.attempts, r.message_id, r.detail)
        if self.store is not None:  # the mail may be out: its log row waits out a restart
            entry = MailLogEntry(_now_iso(), r.recipient, kind, r.status, r.message_id, r.code,
                                 r.detail or None, r.attempts)
            retry_while_away(lambda: self.store.log_mail(entry), "the mail log row", log=log)
        return r


def _text(resp: bytes | str) -> str:
    return resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)


def build_message(settings: Settings, to: str, subject: str, text: str, html: str | None = None,
                  *, headers: dict[str, str] | None = None,
                  message_id: str | None = None, date: datetime | None = None) -> EmailMessage:
    """A text (+ optional HTML alternative) message from ``settings.mail_from``."""
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime.now(timezone.utc))
    msg["Message-ID"] = message_id or make_msgid(domain=mail_domain(settings))
    for name, value in (headers or {}).items():
        msg[name] = value
    # base64 explicitly: the default sniffs and then often picks quoted-printable, whose pure
    # Python encoder dominates composition time for digest-sized bodies.
    msg.set_content(text, cte=_cte(text))
    if html is not None:
        msg.add_alternative(html, subtype="html", cte=_cte(html))
    return msg


def _cte(body: str) -> str:
    return "7bit" if body.isascii() and max(map(len, body.splitlines() or [""])) <= 998 else "base64"


class RawMessage:
    """A finished ``multipart/alternative`` message as bytes, built directly (about ten times
    faster than the ``email`` package's generator, which matters at digest volumes). Header
    lookups read the few headers kept here; anything else (``get_body`` ...) parses the bytes."""

    def __init__(self, headers: dict[str, str], data: bytes):
        self._headers = {k.lower(): v for k, v in headers.items()}
        self._data = data
        self._parsed: EmailMessage | None = None

    def __getitem__(self, name: str) -> str | None:
        return self._headers.get(name.lower())

    def as_bytes(self, policy=None) -> bytes:  # noqa: ARG002 - already CRLF, as SMTP wants
        return self._data

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._parsed is None:
            import email as email_pkg

            self._parsed = email_pkg.message_from_bytes(self._data, policy=policy.default)
        return getattr(self._parsed, name)


def _b64_part(subtype: str, body: str, boundary: str) -> bytes:
    head = (f"--{boundary}\r\nContent-Type: text/{subtype}; charset=\"utf-8\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n")
    return head.encode() + base64.encodebytes(body.encode("utf-8")).replace(b"\n", b"\r\n")


def build_alternative(settings: Settings, to: str, subject: str, text: str, html: str, *,
                      headers: dict[str, str], message_id: str,
                      date: datetime | None = None) -> RawMessage | EmailMessage:
    """Text + HTML message, built as bytes when every header is short printable ASCII (else,
    or for anything unusual, through ``build_message``)."""
    fields = {"From": settings.mail_from, "To": to, "Subject": subject,
              "Date": format_datetime(date or datetime.now(timezone.utc)), "Message-ID": message_id,
              **headers}
    if not all(v.isascii() and v.isprintable() and len(k) + len(v) < 900 for k, v in fields.items()):
        return build_message(settings, to, subject, text, html, headers=headers,
                             message_id=message_id, date=date)
    boundary = f"==paperradar_{secrets.token_hex(12)}"
    head = "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + (
        f"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n")
    data = b"".join((head.encode("ascii"), _b64_part("plain", text, boundary),
                     _b64_part("html", html, boundary), f"--{boundary}--\r\n".encode()))
    return RawMessage(fields, data)


def send_message(settings: Settings, to: str, subject: str, text: str, html: str | None = None,
                 *, store=None, kind: str = "mail",
                 headers: dict[str, str] | None = None) -> DeliveryResult:
    """Build and send one message (own connection, retries, bounce bookkeeping when ``store``
    is given). Returns the ``DeliveryResult``; check ``.ok``."""
    msg = build_message(settings, to, subject, text, html, headers=headers)
    with Mailer(settings, store) as mailer:
        return mailer.send(msg, kind=kind)
