"""``NodeFollower`` in-process: cheap when nothing changed, never queues behind another
writer of the index, survives a store that fails and recovers, stops cleanly."""

from __future__ import annotations

import time

from pg_server import shared_server

from paperradar.models import Author, Paper, Record
from paperradar.search import Searcher
from paperradar.search.node_follow import NodeFollower
from paperradar.store import open_store


def _record(i: int) -> Record:
    return Record(Paper(id=f"2612.{i:05d}", title=f"Wombat burrow study {i}",
                        abstract="Burrows of wombats.", authors=[Author("Ann Wombat")],
                        categories=["q-bio.PE"], primary_category="q-bio.PE",
                        published="2026-12-01"))


def test_step_skips_when_unchanged_or_busy(settings, store):
    searcher = Searcher(settings, store)
    follower = NodeFollower(lambda: searcher, 1.0)
    store.upsert_records([_record(1)])
    assert follower.step() == 1
    assert follower.step() == 0  # watermark == max_seq: nothing opened, nothing written
    store.upsert_records([_record(2)])
    with searcher.lexical.write_lock():  # another writer (`paperradar index`) holds the index
        started = time.monotonic()
        assert follower.step() == 0
        assert time.monotonic() - started < 1.0  # it did not wait for the lock
    assert follower.step() == 1
    assert follower.indexed == 2
    assert searcher.lexical.num_docs() == 2


def _failing_store(settings, tmp_path):
    """A real store whose database went away: on PostgreSQL the database is dropped under
    its open pool; on SQLite the file is gone, a directory in its place."""
    if not settings.resolved_database_url.startswith("sqlite:///"):
        server = shared_server()
        url = server.create_database()
        broken = open_store(url)
        broken.max_seq()  # connected
        server.drop_database(url)  # WITH (FORCE): its connections are ended
        return broken
    broken = open_store(f"sqlite:///{tmp_path / 'gone.db'}")
    broken.close()
    for f in tmp_path.glob("gone.db*"):
        f.unlink()
    (tmp_path / "gone.db").mkdir()
    return broken


def test_thread_survives_a_failing_store_and_recovers(settings, store, tmp_path):
    broken = _failing_store(settings, tmp_path)
    current = [Searcher(settings, broken)]
    follower = NodeFollower(lambda: current[0], 0.05).start()
    try:
        end = time.monotonic() + 15  # PostgreSQL: a pool wait (4 s) first
        while not follower.failing:
            assert time.monotonic() < end, "the failure was not noticed"
            time.sleep(0.02)
        store.upsert_records([_record(3)])
        current[0] = Searcher(settings, store)  # the database is back
        while follower.indexed < 1:
            assert time.monotonic() < end + 30, "the follower did not recover"
            time.sleep(0.05)
        assert not follower.failing
    finally:
        assert follower.stop()
        broken.close()
    assert NodeFollower(lambda: current[0], 0).start().stop()  # 0 = off: no thread at all
