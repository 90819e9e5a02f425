"""PostgreSQL plumbing: URL checks, a psycopg 3 connection pool, short explicit
transactions, advisory-lock helpers and the numbered migrations.

Connections are autocommit; every write goes through ``transaction()``. Migrations are the
``migrations/NNNN_name.sql`` files, applied once each, in order, recorded in
``schema_migrations``, under a session advisory lock so that several processes starting at
once apply each file exactly once. A database whose schema has migrations this code does
not know is refused (it was written by a newer paperradar).
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from contextlib import contextmanager
from importlib import resources
from typing import Any, Iterator, Sequence

import psycopg
from psycopg import conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from paperradar.store.errors import StoreError, StoreUnavailable

CONNECT_TIMEOUT_S = 5
POOL_MAX = 10
POOL_WAIT_S = 4.0  # longest wait for a free connection (then OperationalError)
CHECK_IDLE_S = 1.0  # a pooled connection idle longer than this is pinged before use


def _stamp(conn: psycopg.Connection) -> None:
    """Pool ``reset``: note when the connection came back."""
    conn._paperradar_returned = time.monotonic()  # type: ignore[attr-defined]


def _check(conn: psycopg.Connection) -> None:
    """Pool ``check``: ping a connection that sat idle (a server restart meanwhile leaves it
    dead), not one returned a moment ago: the ping is a round trip, about 0.3 ms, and a page
    checks out a connection per store call. A server that died within the last second fails
    the query instead, and the pool discards the broken connection on return."""
    if time.monotonic() - getattr(conn, "_paperradar_returned", 0.0) > CHECK_IDLE_S:
        ConnectionPool.check_connection(conn)


# Advisory lock namespace (first key of the two-int form): "prdr".
LOCK_NS = 0x70726472
MIGRATION_LOCK = 1
_NUMBERED = re.compile(r"^(\d{4})_[A-Za-z0-9_]+$")


def lock_key(name: str) -> int:
    """A stable signed 32-bit key for an advisory lock named ``name``."""
    value = zlib.crc32(name.encode("utf-8"))
    return value - 2 ** 32 if value >= 2 ** 31 else value


def check_url(url: str) -> dict[str, Any]:
    """The libpq parameters of ``url``; a malformed URL is a StoreError."""
    try:
        params = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise StoreError(f"invalid PostgreSQL URL: {first_line(exc)}") from None
    return params


def first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def where(params: dict[str, Any]) -> str:
    host = params.get("host") or "localhost"
    port = params.get("port") or "5432"
    return f"{params.get('dbname') or params.get('user') or 'postgres'} on {host}:{port}"


def _migration_files() -> list[tuple[str, str]]:
    folder = resources.files("paperradar.store.postgres") / "migrations"
    files = sorted(f for f in folder.iterdir() if f.name.endswith(".sql"))
    out = []
    for f in files:
        name = f.name.removesuffix(".sql")
        if not _NUMBERED.match(name):
            raise StoreError(f"migration file {f.name!r} is not named NNNN_name.sql")
        out.append((name, f.read_text(encoding="utf-8")))
    return out


def migrate(conn: psycopg.Connection) -> list[str]:
    """Apply pending migrations (autocommit connection); one process at a time."""
    files = _migration_files()
    conn.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_NS, MIGRATION_LOCK))
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, "
                     "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        applied = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
        known = {name for name, _ in files}
        newer = sorted(applied - known)
        if newer and (not files or newer[-1][:4] > files[-1][0][:4]):
            raise StoreError(f"the database schema ({newer[-1]}) is newer than this paperradar "
                             f"(knows up to {files[-1][0] if files else 'nothing'}); upgrade it")
        done = []
        for name, sql in files:
            if name in applied:
                continue
            with conn.transaction():
                conn.execute(sql)  # type: ignore[arg-type]  (trusted package file)
                conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (name,))
            done.append(name)
        return done
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_NS, MIGRATION_LOCK))


def connect_once(url: str) -> psycopg.Connection:
    """One autocommit connection, with failures as one clear line."""
    params = check_url(url)
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.OperationalError as exc:
        raise StoreError(f"cannot connect to PostgreSQL ({where(params)}): "
                         f"{_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    for line in text.splitlines():  # libpq: 'connection to server ... failed: REASON'
        if "failed:" in line:
            return line.split("failed:", 1)[1].strip() or line
    return first_line(exc)


class Database:
    """A pool of connections to one PostgreSQL database (migrated on open)."""

    def __init__(self, url: str, *, max_size: int = POOL_MAX):
        self.url = url
        self.max_size = max_size
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()
        with connect_once(url) as conn:
            migrate(conn)

    @property
    def pool(self) -> ConnectionPool:
        """The pool, (re)created on first use: a closed store opens again when used, as the
        SQLite store reconnects (an app served twice in tests closes it in between)."""
        with self._lock:
            if self._pool is None:
                self._pool = ConnectionPool(
                    self.url, min_size=1, max_size=self.max_size, open=False,
                    kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
                    check=_check, reset=_stamp, timeout=POOL_WAIT_S, name="paperradar")
                self._pool.open(wait=False)
            return self._pool

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self.pool.connection() as conn:
                yield conn
        except PoolTimeout as exc:
            raise psycopg.OperationalError(f"no database connection: {exc}") from exc

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """One transaction on a pooled connection. A connection lost inside it (server
        restart, backend terminated) rolls it back whole: StoreUnavailable, one clear line."""
        try:
            with self.connection() as conn, conn.transaction():
                yield conn
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            if not connection_lost(exc):
                raise
            raise StoreUnavailable(
                f"lost the connection to PostgreSQL ({where(check_url(self.url))}) during a "
                f"write: {first_line(exc)}; nothing of it was written, retry") from exc

    def _read(self, sql: str, params: Any, fetch: str):
        with self.connection() as conn:
            try:
                cur = conn.execute(sql, params)  # type: ignore[arg-type]
            except psycopg.DataError as exc:
                if "NUL" not in str(exc):
                    raise
                # PostgreSQL text cannot hold NUL, so no stored value contains one: look up
                # with U+FFFD in its place (it matches what it should: nothing, in order).
                cur = conn.execute(sql, _without_nul(params))  # type: ignore[arg-type]
            return cur.fetchall() if fetch == "all" else cur.fetchone()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._read(sql, params, "all")

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        return self._read(sql, params, "one")

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return row[0] if row else None

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def pipelined(self, queries: Sequence[tuple[str, Any]]) -> list[list[tuple]]:
        """The rows of several independent reads, sent together on one connection in
        pipeline mode: one round trip instead of one per query. A NUL in a parameter is
        replaced first (stored text cannot hold one; as ``rows`` does on such an error)."""
        with self.connection() as conn:
            with conn.pipeline():
                cursors = [conn.execute(sql, _without_nul(params))  # type: ignore[arg-type]
                           for sql, params in queries]
            return [cur.fetchall() for cur in cursors]


_LOST_STATES = {"57P01", "57P02", "57P03"}  # terminated by admin, crash shutdown, starting up


def connection_lost(exc: BaseException) -> bool:
    """True when ``exc`` means the connection (not the statement) failed."""
    if isinstance(exc, psycopg.InterfaceError):
        return True
    state = getattr(exc, "sqlstate", None)
    return state is None or state.startswith("08") or state in _LOST_STATES


def _without_nul(params: Any) -> Any:
    def fix(v: Any) -> Any:
        if isinstance(v, str):
            return v.replace("\x00", "\ufffd")
        if isinstance(v, list):
            return [fix(x) for x in v]
        return v
    if isinstance(params, dict):
        return {k: fix(v) for k, v in params.items()}
    return [fix(v) for v in params]


def xact_lock(conn: psycopg.Connection, name: str) -> None:
    """Take a transaction-scoped advisory lock (released at commit or rollback)."""
    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NS, lock_key(name)))


def try_session_lock(conn: psycopg.Connection, name: str) -> bool:
    """Try a session advisory lock (held until unlocked or the connection ends)."""
    return bool(conn.execute("SELECT pg_try_advisory_lock(%s, %s)",
                             (LOCK_NS, lock_key(name))).fetchone()[0])  # type: ignore[index]


def session_unlock(conn: psycopg.Connection, name: str) -> None:
    conn.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_NS, lock_key(name)))
