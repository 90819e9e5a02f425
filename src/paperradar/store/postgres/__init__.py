"""PostgreSQL backend (psycopg 3 + psycopg_pool): the same protocols as the SQLite store,
for deployments with several web nodes and workers on one database."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

from paperradar.store.postgres.catalog import CatalogMixin
from paperradar.store.postgres.claims import ClaimsMixin
from paperradar.store.postgres.community import CommunityMixin
from paperradar.store.postgres.db import Database, session_unlock, try_session_lock
from paperradar.store.postgres.enrich import EnrichMixin
from paperradar.store.postgres.notify import NotifyMixin
from paperradar.store.postgres.pages import PagesMixin
from paperradar.store.postgres.papers import PapersMixin
from paperradar.store.postgres.recommend import RecommendMixin
from paperradar.store.postgres.search import SearchMixin
from paperradar.store.postgres.transfer import TransferMixin


class PostgresStore(PapersMixin, CommunityMixin, CatalogMixin, NotifyMixin, SearchMixin,
                    EnrichMixin, ClaimsMixin, RecommendMixin, TransferMixin, PagesMixin):
    backend = "postgresql"

    def __init__(self, url: str):
        self.db = Database(url)

    @property
    def url(self) -> str:
        return self.db.url

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def job_lock(self, name: str, wait: float = 3.0) -> Iterator[bool]:
        """A session advisory lock on a connection held for the block (the server frees
        it if this process dies); a killed holder's lock may take a moment to go: ``wait``."""
        with self.db.connection() as conn:
            deadline = time.monotonic() + wait
            while not try_session_lock(conn, f"job:{name}"):
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.1)
            try:
                yield True
            finally:
                session_unlock(conn, f"job:{name}")

    def __enter__(self) -> "PostgresStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
