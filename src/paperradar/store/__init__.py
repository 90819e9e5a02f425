"""Storage: the only package that speaks SQL. ``open_store(url)`` picks the backend."""

from __future__ import annotations

import re

from paperradar.store.base import Store, UpsertStats
from paperradar.store.errors import StoreError


def open_store(url: str) -> Store:
    """Open (creating and migrating if needed) the database at ``url``."""
    if url.startswith("sqlite:///"):
        from paperradar.store.sqlite import SQLiteStore

        return SQLiteStore(url[len("sqlite:///"):])
    if url.startswith(("postgresql://", "postgres://")):
        from paperradar.store.postgres import PostgresStore

        return PostgresStore(url)
    raise StoreError(f"unsupported database URL {redact(url)!r} "
                     "(expected sqlite:///PATH or postgresql://...)")


def redact(url: str) -> str:
    """``url`` without its password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


__all__ = ["Store", "StoreError", "UpsertStats", "open_store", "redact"]
