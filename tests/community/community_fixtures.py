"""Helpers of the community tests (a uniquely named module, imported by the tests and by
``conftest.py``): an SMTP sink, mail parsing, papers, users, logging in."""

from __future__ import annotations

import email
import re
import socket
import threading
import time
from email import policy

from fastapi.testclient import TestClient

from paperradar.config import Settings
from paperradar.models import Author, DailyEntry, Paper, Record
from paperradar.web.security import Passwords

PASSWORD = "correct horse battery"
ORIGIN = {"Origin": "http://testserver"}
FAST_ARGON = {"argon2_time_cost": 1, "argon2_memory_cost": 1024, "argon2_parallelism": 1}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Collects every message the SMTP server accepts, parsed with ``email``."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 OK"

    def wait_for(self, to: str, count: int = 1, timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [m for m in self.messages if to in str(m["To"])]
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"no mail to {to} (got {len(found)})")

    def to(self, to: str) -> list:
        with self.lock:
            return [m for m in self.messages if to in str(m["To"])]


def body_of(msg) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content()


def link_in(msg, path: str) -> str:
    m = re.search(rf"https?://[^\s]+/{path}\?token=([A-Za-z0-9_\-]+)", body_of(msg))
    assert m, body_of(msg)
    return m.group(1)


def add_papers(store, n: int = 3, *, date: str = "2026-11-01", title: str = "Paper {i}",
               abstract: str = "Abstract {i}", upvotes: int = 0, published: str | None = None,
               prefix: str = "2611") -> list[str]:
    ids = [f"{prefix}.{i:05d}" for i in range(1, n + 1)]
    store.upsert_records([
        Record(Paper(id=pid, title=title.replace("{i}", str(i)),
                     abstract=abstract.replace("{i}", str(i)),
                     authors=[Author("Ada Lovelace")], categories=["cs.LG"],
                     published=published or date),
               DailyEntry(paper_id=pid, date=date, upvotes=upvotes) if date else None)
        for i, pid in enumerate(ids, 1)])
    return ids


def make_user(store, email_addr: str, name: str | None = None, *, password: str = PASSWORD,
              admin: bool = False, verified: bool = True, settings: Settings | None = None):
    pw = Passwords(settings or Settings(**FAST_ARGON))
    return store.create_user(email_addr, name or email_addr.split("@")[0], pw.hash(password),
                             is_admin=admin, verified=verified)


def login(client, email_addr: str, password: str = PASSWORD, **headers):
    return client.post("/login", data={"email": email_addr, "password": password},
                       headers=headers or ORIGIN, follow_redirects=False)


def logged_in(app, store, email_addr: str, **kw) -> TestClient:
    """A fresh client signed in as a new user."""
    make_user(store, email_addr, **kw)
    c = TestClient(app)
    r = login(c, email_addr)
    assert r.status_code == 303, r.text
    return c
