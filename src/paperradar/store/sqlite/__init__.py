"""SQLite backend: one file in WAL mode. Each area's SQL lives in its own mixin module."""

from __future__ import annotations

from pathlib import Path

from paperradar.store.sqlite.community import CommunityMixin
from paperradar.store.sqlite.db import Database
from paperradar.store.sqlite.catalog import CatalogMixin
from paperradar.store.sqlite.notify import NotifyMixin
from paperradar.store.sqlite.papers import PapersMixin
from paperradar.store.sqlite.recommend import RecommendMixin
from paperradar.store.sqlite.search import SearchMixin


class SQLiteStore(PapersMixin, CommunityMixin, CatalogMixin, NotifyMixin, SearchMixin,
                  RecommendMixin):
    def __init__(self, path: str | Path):
        self.db = Database(path)

    @property
    def path(self) -> str:
        return self.db.path

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
