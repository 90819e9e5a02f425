"""Mail coming back to the sender address (piped in by the MTA: ``paperradar subscribers
inbound``): RFC 3464 delivery-status reports (bounces from relays that accepted the message and
failed later) are counted like synchronous 5xx answers, and ``mailto:`` unsubscribe requests
(``Subject: unsubscribe <token>``, from the ``List-Unsubscribe`` header) are honoured."""

from __future__ import annotations

import email
import re
from datetime import datetime, timezone
from email import policy
from email.utils import parseaddr

from paperradar.config import Settings
from paperradar.notify.subscriptions import iso, subscriber_for_token, unsubscribe

_TOKEN = re.compile(r"unsubscribe\s+(\d+\.[0-9a-f]{32})", re.I)


def _failed_recipients(msg) -> list[tuple[str, int | None, str]]:
    """(address, SMTP-like code, diagnostic) of each permanently failed recipient."""
    out = []
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in part.get_payload():
            action = str(block.get("Action", "")).strip().lower()
            status = str(block.get("Status", "")).strip()
            rcpt = str(block.get("Final-Recipient", "")).partition(";")[2].strip()
            if action != "failed" or not status.startswith("5") or "@" not in rcpt:
                continue
            diag = " ".join(str(block.get("Diagnostic-Code", "")).split())
            m = re.search(r"\b(5\d\d)\b", diag)
            out.append((parseaddr(rcpt)[1] or rcpt, int(m.group(1)) if m else 550, diag or status))
    return out


def handle_inbound(settings: Settings, store, raw: bytes, *, now: datetime | None = None) -> str:
    """Process one inbound message; returns what was done (raises ValueError if nothing)."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    now = now or datetime.now(timezone.utc)
    if msg.get_content_type() == "multipart/report":
        failed = _failed_recipients(msg)
        if failed:
            done = []
            for addr, code, diag in failed:
                suppressed = store.record_bounce(addr, code, f"DSN: {diag}"[:500],
                                                 settings.bounce_threshold, iso(now))
                done.append(f"{addr} bounced" + (" (now suppressed)" if suppressed else ""))
            return "; ".join(done)
    m = _TOKEN.search(str(msg.get("Subject", "")))
    sub = subscriber_for_token(settings, store, "unsubscribe", m.group(1)) if m else None
    if sub is None:
        raise ValueError("neither a delivery failure report nor a valid unsubscribe request")
    unsubscribe(store, sub, now=now)
    return f"{sub.email} unsubscribed"
