"""Write a stream of records to the store in batches: one short transaction per batch,
per-record problems collected (not fatal), counts summed for the CLI's one-line summary.

A batch whose transaction failed because the database went away (a PostgreSQL restart:
rolled back whole) is written again while it is away, for up to 30 s
(``store.errors.retry_while_away``); upserts merge, so a batch written twice ends as one
written once. Past that window the error reaches the CLI as one line (non-zero exit) and
running the import again resumes.

``BatchWriter`` overlaps the two halves of an import: one background thread writes batch N
(its transaction, retries included) while the caller parses batch N+1. The queue holds at
most ``depth`` batches (memory stays flat), batches commit in order, a batch counts as
done only once its transaction committed, and the first error of a write is raised in the
caller (no later batch is started after it).
"""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Generic, Iterable, Iterator, TypeVar

from paperradar.models import Record
from paperradar.store import Store, UpsertStats
from paperradar.store.errors import retry_while_away

DEFAULT_BATCH = 2000
WRITE_DEPTH = 1  # batches handed to the writer while the next one is parsed
log = logging.getLogger(__name__)
T = TypeVar("T")


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


class BatchWriter(Generic[T]):
    """``with BatchWriter(write) as w: for chunk in ...: done = w.submit(chunk)``: ``write``
    runs on one background thread, in submission order; ``submit`` and ``drain`` return the
    ``(chunk, result)`` pairs finished so far (committed), oldest first, and raise the error
    of a failed write (batches queued behind it are not written). Leaving the block waits
    for the write in progress (never abandoned half-way) and drops batches not started."""

    def __init__(self, write: Callable[[list[Record]], T], depth: int = WRITE_DEPTH):
        self._write = write
        self._depth = max(depth, 0)
        self._pending: deque[tuple[list[Record], Future]] = deque()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="paperradar-ingest-writer")
        self._failed = False  # read and set on the writer thread only
        self.failed = False  # a write's error was raised to the caller

    def _run(self, chunk: list[Record]) -> T:
        if self._failed:  # an earlier batch failed: write nothing after it
            raise RuntimeError("not written: an earlier batch failed")
        try:
            return self._write(chunk)
        except BaseException:
            self._failed = True
            raise

    def submit(self, chunk: list[Record]) -> list[tuple[list[Record], T]]:
        done = self._finished(block_until=self._depth)
        self._pending.append((chunk, self._pool.submit(self._run, chunk)))
        return done

    def drain(self) -> list[tuple[list[Record], T]]:
        """Wait for every submitted batch."""
        return self._finished(block_until=0)

    def _finished(self, block_until: int) -> list[tuple[list[Record], T]]:
        out = []
        while self._pending and (len(self._pending) > block_until or self._pending[0][1].done()):
            chunk, future = self._pending.popleft()
            try:
                out.append((chunk, future.result()))
            except BaseException:
                self.failed = True
                raise
        return out

    def close(self) -> None:
        for _, future in self._pending:
            future.cancel()  # not started: dropped (running: waited for below)
        self._pending.clear()
        self._pool.shutdown(wait=True)

    def __enter__(self) -> "BatchWriter[T]":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
