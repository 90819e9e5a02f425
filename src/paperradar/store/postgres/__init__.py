"""PostgreSQL backend (psycopg 3 + psycopg_pool): the same protocols as the SQLite store,
for deployments with several web nodes and workers on one database."""

from __future__ import annotations

from paperradar.store.postgres.catalog import CatalogMixin
from paperradar.store.postgres.community import CommunityMixin
from paperradar.store.postgres.db import Database
from paperradar.store.postgres.notify import NotifyMixin
from paperradar.store.postgres.papers import PapersMixin
from paperradar.store.postgres.search import SearchMixin


class PostgresStore(PapersMixin, CommunityMixin, CatalogMixin, NotifyMixin, SearchMixin):
    backend = "postgresql"

    def __init__(self, url: str):
        self.db = Database(url)

    @property
    def url(self) -> str:
        return self.db.url

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "PostgresStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
