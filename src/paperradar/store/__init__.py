"""Storage: the only package that speaks SQL. ``open_store(url)`` picks the backend."""

from __future__ import annotations

from paperradar.store.base import Store, UpsertStats


class StoreError(Exception):
    """A storage problem worth one clear line to the user (bad URL, unreadable file)."""


def open_store(url: str) -> Store:
    """Open (creating and migrating if needed) the database at ``url``."""
    if url.startswith("sqlite:///"):
        from paperradar.store.sqlite import SQLiteStore

        return SQLiteStore(url[len("sqlite:///"):])
    if url.startswith(("postgresql://", "postgres://")):
        raise StoreError("PostgreSQL support is not built yet; use a sqlite:/// URL")
    raise StoreError(f"unsupported database URL {url!r} (expected sqlite:///PATH)")


__all__ = ["Store", "StoreError", "UpsertStats", "open_store"]
