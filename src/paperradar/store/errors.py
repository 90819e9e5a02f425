"""The storage error every backend raises for problems worth one clear line."""

from __future__ import annotations


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
