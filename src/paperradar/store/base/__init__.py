"""The storage interface: what every backend (SQLite now, PostgreSQL later) provides.

Each area of the product has its own protocol module; ``Store`` is their union. Code
outside ``paperradar.store`` talks to a ``Store`` and never writes SQL.
"""

from __future__ import annotations

from typing import ContextManager, Protocol

from paperradar.store.base.catalog import CatalogStore
from paperradar.store.base.community import CommunityStore
from paperradar.store.base.notify import NotifyStore
from paperradar.store.base.papers import PaperStore, UpsertStats
from paperradar.store.base.search import SearchStore


class Store(PaperStore, CommunityStore, CatalogStore, NotifyStore, SearchStore, Protocol):
    """Everything a backend implements. Areas are added as the product grows."""

    def close(self) -> None: ...

    def job_lock(self, name: str, wait: float = 3.0) -> ContextManager[bool]:
        """Hold the single-runner lock ``name`` (all processes on this database) for the
        ``with`` block: yields True when taken (trying for ``wait`` seconds), False when
        another process holds it. Released at the end, or when the process dies."""


__all__ = ["Store", "PaperStore", "UpsertStats"]
