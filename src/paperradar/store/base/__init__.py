"""The storage interface: what every backend (SQLite now, PostgreSQL later) provides.

Each area of the product has its own protocol module; ``Store`` is their union. Code
outside ``paperradar.store`` talks to a ``Store`` and never writes SQL.
"""

from __future__ import annotations

from typing import Protocol

from paperradar.store.base.catalog import CatalogStore
from paperradar.store.base.community import CommunityStore
from paperradar.store.base.notify import NotifyStore
from paperradar.store.base.papers import PaperStore, UpsertStats
from paperradar.store.base.recommend import RecommendStore
from paperradar.store.base.search import SearchStore


class Store(PaperStore, CommunityStore, CatalogStore, NotifyStore, SearchStore, RecommendStore,
            Protocol):
    """Everything a backend implements. Areas are added as the product grows."""

    def close(self) -> None: ...


__all__ = ["Store", "PaperStore", "UpsertStats"]
