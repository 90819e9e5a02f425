"""A web node's full-text index follows the database by itself.

Several web nodes share one database but each keeps its own tantivy index in its data
directory. ``NodeFollower`` is a background thread of the web app: every
``index_follow_seconds`` it compares the store's change counter (``max_seq``) with the
index's watermark and, only when the database is ahead, calls ``Searcher.sync_lexical``
(which also extends the spelling vocabulary and the DOI lookup, both read from the index).
It never queues behind another writer of the same index (``paperradar index`` on this
node): the lexical write lock is tried, and a busy index is left for the next round. A
database outage is logged once and retried with a growing pause; the thread never raises.
The vector side needs no follower: it reads its delta (``eseq``) from the store at search
time, and embeddings are computed once and stored in the database.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 10.0  # the index catches up within this after an outage
JOIN_TIMEOUT_S = 10.0


class NodeFollower:
    """``f = NodeFollower(get_searcher, 2.0); f.start(); ...; f.stop()``."""

    def __init__(self, get_searcher: Callable[[], object], interval: float):
        self._get_searcher = get_searcher
        self.interval = float(interval)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.indexed = 0  # papers indexed by this follower
        self.failing = False  # the last round failed (database away, index error)

    def step(self) -> int:
        """One round: papers indexed (0 when nothing changed or the index is busy)."""
        searcher = self._get_searcher()
        lexical = searcher.lexical
        if lexical.meta_path.exists() and searcher.store.max_seq() == lexical.watermark():
            return 0  # the cheap path: one indexed query and one small file read
        n = searcher.sync_lexical(wait=False)
        self.indexed += n
        return n

    def _run(self) -> None:
        pause = self.interval
        while not self._stop.wait(pause):
            try:
                n = self.step()
            except Exception as exc:  # noqa: BLE001 - a DB outage must not end the thread
                if not self.failing:
                    log.warning("index follower: %s; retrying", str(exc).splitlines()[0]
                                if str(exc) else type(exc).__name__)
                self.failing = True
                pause = min(MAX_BACKOFF_S, max(pause * 2, self.interval))
                continue
            if self.failing:
                log.warning("index follower: recovered")
            if n:
                log.info("index follower: indexed %d papers", n)
            self.failing = False
            pause = self.interval

    def start(self) -> "NodeFollower":
        if self.interval > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="index-follower",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = JOIN_TIMEOUT_S) -> bool:
        """Ask the thread to end and wait for it (a round in progress finishes first);
        True when it has ended."""
        self._stop.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()
