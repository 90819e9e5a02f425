"""The storage interface: what every backend (SQLite now, PostgreSQL later) provides.

Each area of the product has its own protocol module; ``Store`` is their union. Code
outside ``paperradar.store`` talks to a ``Store`` and never writes SQL.
"""

from __future__ import annotations

from typing import ContextManager, Protocol, Sequence

from paperradar.store.base.catalog import CatalogStore
from paperradar.store.base.community import CommunityStore
from paperradar.store.base.enrich import ClaimStore, EnrichStore
from paperradar.store.base.notify import NotifyStore
from paperradar.store.base.pages import PageStore
from paperradar.store.base.papers import PaperStore, UpsertStats
from paperradar.store.base.recommend import RecommendStore
from paperradar.store.base.search import SearchStore


class Store(PaperStore, CommunityStore, CatalogStore, NotifyStore, SearchStore, EnrichStore,
            ClaimStore, RecommendStore, PageStore, Protocol):
    """Everything a backend implements. Areas are added as the product grows."""

    backend: str  # "sqlite" | "postgresql"

    def close(self) -> None: ...

    # -- moving a deployment (store.copy; table names from store.copy.TABLES only) ------------
    def schema_version(self) -> str:
        """The name of the latest applied migration."""

    def count_rows(self, table: str) -> int: ...

    def table_columns(self, table: str) -> list[str]: ...

    def read_batch(self, table: str, cols: Sequence[str], key: Sequence[str],
                   after: tuple | None, limit: int) -> list[tuple]:
        """Up to ``limit`` rows with key above ``after``, in key order."""

    def write_batch(self, table: str, cols: Sequence[str], key: Sequence[str],
                    rows: Sequence[tuple]) -> None:
        """Insert or update (by key) in one transaction."""

    def after_copy(self) -> None:
        """Bring id counters past the copied rows."""

    def job_lock(self, name: str, wait: float = 3.0) -> ContextManager[bool]:
        """Hold the single-runner lock ``name`` (all processes on this database) for the
        ``with`` block: yields True when taken (trying for ``wait`` seconds), False when
        another process holds it. Released at the end, or when the process dies."""


__all__ = ["Store", "PaperStore", "UpsertStats"]
