"""Write a stream of records to the store in batches: one short transaction per batch,
per-record problems collected (not fatal), counts summed for the CLI's one-line summary.

A batch whose transaction failed because the database went away (a PostgreSQL restart:
rolled back whole) is written again while it is away, for up to 30 s
(``store.errors.retry_while_away``); upserts merge, so a batch written twice ends as one
written once. Past that window the error reaches the CLI as one line (non-zero exit) and
running the import again resumes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable, Iterator

from paperradar.models import Record
from paperradar.store import Store, UpsertStats
from paperradar.store.errors import retry_while_away

DEFAULT_BATCH = 2000
log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    stats: UpsertStats = field(default_factory=UpsertStats)
    errors: list[str] = field(default_factory=list)  # "file: problem" lines
    files: int = 0

    def summary(self) -> str:
        s = self.stats
        text = (f"{s.seen} papers: {s.added} new, {s.updated} updated, {s.unchanged} unchanged; "
                f"{s.daily_added + s.daily_updated} daily entries written")
        if self.files:
            text = f"{self.files} files, " + text
        if self.errors:
            text += f"; {len(self.errors)} errors"
        return text


def batched(items: Iterable[Record], size: int) -> Iterator[list[Record]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def write_records(store: Store, records: Iterable[Record], *, batch_size: int = DEFAULT_BATCH,
                  on_batch: Callable[[int], None] | None = None) -> UpsertStats:
    """Upsert every record, ``batch_size`` per transaction; returns summed counts."""
    total = UpsertStats()
    for chunk in batched(records, batch_size):
        total += upsert_retrying(store, chunk)
        if on_batch:
            on_batch(len(chunk))
    return total


def upsert_retrying(store: Store, chunk: list[Record]) -> UpsertStats:
    """``store.upsert_records(chunk)``, again while the database is away (bounded)."""
    return retry_while_away(lambda: store.upsert_records(chunk), "the batch", log=log)
