"""The storage error every backend raises for problems worth one clear line."""

from __future__ import annotations

import time


class StoreError(Exception):
    """A storage problem worth one clear line to the user (bad URL, unreadable file,
    database down, wrong credentials, schema newer than the code)."""


class StoreUnavailable(StoreError):
    """The database went away (server restarting, connection lost mid-transaction): the
    transaction was rolled back, nothing of it was written; retrying later is safe."""


def is_unavailable(exc: BaseException) -> bool:
    """True for "the database is away right now" (server down or restarting, connection
    lost, no free connection in time): worth a 503 and a retry, not a 500."""
    if isinstance(exc, StoreUnavailable):
        return True
    name = type(exc).__name__
    module = type(exc).__module__
    if module.startswith("psycopg_pool"):
        return name in ("PoolTimeout", "TooManyRequests")
    if module.startswith("psycopg"):
        import psycopg

        return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))
    return False


def retry_while_away(call, what: str, *, window: float = 30.0, log=None):
    """``call()``, again while the database is away (``is_unavailable``), for up to ``window``
    seconds (pauses 0.25 s doubling to 2 s); for writes that must not be lost once their
    side effect happened (a mail went out), or a batch that merges. Past the window the last
    error is raised."""
    deadline, pause = time.monotonic() + window, 0.25
    while True:
        try:
            return call()
        except Exception as exc:
            if not is_unavailable(exc) or time.monotonic() + pause > deadline:
                raise
            if log is not None:
                log.warning("database away, retrying %s in %.1f s: %s", what, pause,
                            str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
