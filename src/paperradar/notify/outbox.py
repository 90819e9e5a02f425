"""The mail outbox: without SMTP settings (development, the demo) every message is written to
``<data_dir>/outbox/`` as one ``.eml`` file instead of being sent, so a person can read it
(``paperradar mail outbox``, or the local-only ``/outbox`` page of the web app).

Files are written atomically (temporary name, then rename) and named by UTC time, so sorting
the names sorts the messages; the oldest are dropped beyond ``KEEP`` messages."""

from __future__ import annotations

import email
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.utils import parseaddr
from pathlib import Path

KEEP = 1000
NAME = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}\.eml$")


@dataclass(slots=True)
class OutboxMessage:
    name: str
    to: str
    subject: str
    date: str
    text: str
    html: str | None


def write(outbox: Path, raw: bytes) -> Path:
    """Store one finished message (bytes as they would go over SMTP); return its path."""
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    path = outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(raw)
    os.replace(tmp, path)
    names = sorted(p.name for p in outbox.glob("*.eml"))
    for old in names[:max(0, len(names) - KEEP)]:
        (outbox / old).unlink(missing_ok=True)
    return path


def _parse(path: Path) -> OutboxMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    text_part = msg.get_body(("plain",))
    html_part = msg.get_body(("html",))
    return OutboxMessage(path.name, parseaddr(str(msg["To"] or ""))[1], str(msg["Subject"] or ""),
                         str(msg["Date"] or ""), text_part.get_content() if text_part else "",
                         html_part.get_content() if html_part else None)


def messages(outbox: Path, limit: int = 50, to: str | None = None) -> list[OutboxMessage]:
    """The newest messages first (optionally only those to one address)."""
    if not outbox.is_dir():
        return []
    found: list[OutboxMessage] = []
    for name in sorted((p.name for p in outbox.glob("*.eml") if NAME.match(p.name)), reverse=True):
        m = _parse(outbox / name)
        if to is None or m.to.lower() == to.strip().lower():
            found.append(m)
            if len(found) >= limit:
                break
    return found


def read(outbox: Path, name: str) -> OutboxMessage | None:
    """One message by file name (None for a name that is not an outbox file)."""
    if not NAME.match(name) or not (outbox / name).is_file():
        return None
    return _parse(outbox / name)
