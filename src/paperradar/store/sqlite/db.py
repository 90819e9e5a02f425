"""SQLite plumbing: connections (WAL, busy timeout), explicit short transactions, migrations.

Connections run in autocommit mode; every write goes through ``transaction()``, which takes
the write lock up front (``BEGIN IMMEDIATE``) so writers queue instead of deadlocking.
Migrations are the numbered ``migrations/NNNN_name.sql`` files, applied once each, in order.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator

BUSY_TIMEOUT_MS = 30_000
# Durability, decided per table. WAL with synchronous=NORMAL (the default here) never
# corrupts the database, but a power loss (not a process crash: those lose nothing) may drop
# the last commits. That is fine for what can be rebuilt or repeated: papers and daily lists
# from ingest, search tables, sessions, rate-limit events, the mail log. Writes a user was
# told succeeded and would notice missing use ``transaction(durable=True)`` (FULL: the WAL
# is fsynced at each commit, ~1 fsync per write): votes, comments, submissions, and the
# digest ledger (a lost "sent" row would mail the digest twice).
DURABILITY = {"votes": "FULL", "comments": "FULL", "submissions": "FULL",
              "digest_deliveries": "FULL", "everything else": "NORMAL"}


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA cache_size = -65536")  # 64 MiB page cache
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def _migration_files() -> list[tuple[str, str]]:
    folder = resources.files("paperradar.store.sqlite") / "migrations"
    files = sorted(f for f in folder.iterdir() if f.name.endswith(".sql"))
    return [(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


def _applied(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations; safe when several processes start at once."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, "
                 "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))")
    done: list[str] = []
    for name, sql in _migration_files():
        if name in _applied(conn):
            continue
        script = f"BEGIN IMMEDIATE;\n{sql}\n;INSERT INTO schema_migrations (name) VALUES ('{name}');\nCOMMIT;"
        try:
            conn.executescript(script)
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if name in _applied(conn):  # another process applied it meanwhile
                continue
            raise
        done.append(name)
    return done


class Database:
    """One SQLite file; a connection per thread, created lazily."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        migrate(self.conn)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """A write transaction. ``durable``: the commit is fsynced before it returns
        (``synchronous=FULL``), so it survives a power loss; see ``DURABILITY``."""
        conn = self.conn
        if durable:
            conn.execute("PRAGMA synchronous = FULL")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            if durable:
                conn.execute("PRAGMA synchronous = NORMAL")

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
