"""SQLite backend: one file in WAL mode. Each area's SQL lives in its own mixin module."""

from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from paperradar.store.sqlite.community import CommunityMixin
from paperradar.store.sqlite.db import Database
from paperradar.store.sqlite.claims import ClaimsMixin
from paperradar.store.sqlite.enrich import EnrichMixin
from paperradar.store.sqlite.catalog import CatalogMixin
from paperradar.store.sqlite.notify import NotifyMixin
from paperradar.store.sqlite.pages import PagesMixin
from paperradar.store.sqlite.papers import PapersMixin
from paperradar.store.sqlite.recommend import RecommendMixin
from paperradar.store.sqlite.search import SearchMixin
from paperradar.store.sqlite.transfer import TransferMixin


class SQLiteStore(PapersMixin, CommunityMixin, CatalogMixin, NotifyMixin, SearchMixin,
                  EnrichMixin, ClaimsMixin, RecommendMixin, TransferMixin, PagesMixin):
    def __init__(self, path: str | Path):
        self.db = Database(path)

    @property
    def path(self) -> str:
        return self.db.path

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def job_lock(self, name: str, wait: float = 3.0) -> Iterator[bool]:
        """An exclusive ``flock`` on a file beside the database (one machine, as SQLite)."""
        path = Path(f"{self.db.path}.{name}.lock")
        with open(path, "a+b") as fh:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.1)
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
