"""Keep the full-text index following the store while a long import writes to it.

A second process (so it runs on the other core, outside the importer's GIL) calls
``Searcher.sync_lexical()`` in a loop: each call indexes what has been committed since the
index's watermark, once at least ``MIN_PASS`` papers are waiting (each pass ends with a
tantivy commit, a new segment to merge later: small passes add merging work to the
indexing); its tantivy writer uses one thread, the cheaper in CPU, as the import holds
the other core. When the import is done the parent sets ``stop``; the follower then syncs
until a pass finds nothing new, so everything the import committed is indexed. Crash-safe
by construction: only ``sync_lexical`` writes, and it commits before moving its watermark;
if the importer is killed, the follower notices its parent is gone and exits.
"""

from __future__ import annotations

import multiprocessing as mp
from typing import Any

from paperradar.config import Settings

POLL_SECONDS = 0.2
MIN_PASS = 20_000  # papers waiting before a pass while the import runs (the counter's gap)
WRITER_THREADS = 1  # beside an import the cores are short, not wall time: the cheaper writer


def _follow(settings: Settings, stop: Any, indexed: Any) -> None:
    from paperradar.search import Searcher
    from paperradar.store import open_store

    parent = mp.parent_process()
    store = open_store(settings.resolved_database_url)
    try:
        searcher = Searcher(settings, store)
        searcher.lexical.writer_threads = WRITER_THREADS
        while parent is None or parent.is_alive():  # an importer killed -9 ends us too
            stopping = stop.is_set()  # read before the pass: a pass after stop sees everything
            if not stopping and store.max_seq() - searcher.lexical.watermark() < MIN_PASS:
                stop.wait(POLL_SECONDS)
                continue
            n = searcher.sync_lexical()
            indexed.value += n
            if stopping and n == 0:
                return
            if n == 0:
                stop.wait(POLL_SECONDS)
    finally:
        store.close()


class LexicalFollower:
    """``with LexicalFollower(settings) as f: import...``; afterwards ``f.indexed`` papers
    were indexed and ``f.ok`` says whether the follower finished cleanly."""

    def __init__(self, settings: Settings):
        ctx = mp.get_context("spawn")  # no fork of a process holding SQLite connections
        self._stop = ctx.Event()
        self._indexed = ctx.Value("q", 0)
        self._proc = ctx.Process(target=_follow, args=(settings, self._stop, self._indexed),
                                 name="paperradar-index-follower", daemon=True)
        self.ok = False

    @property
    def indexed(self) -> int:
        return int(self._indexed.value)

    def __enter__(self) -> "LexicalFollower":
        self._proc.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._proc.join()
        self.ok = self._proc.exitcode == 0
