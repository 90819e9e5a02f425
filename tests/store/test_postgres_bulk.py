"""PostgreSQL's bulk paper write: papers the merge read found absent go by ``COPY``
straight into ``papers``. A writer that takes no feed lock (``db copy``) may add one of them
meanwhile; the batch must then merge into that row, not fail (PostgreSQL only: SQLite has
one writer at a time, so its read cannot go stale)."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from paperradar.merge import merge
from paperradar.models import Paper, Record
from paperradar.store import open_store
from paperradar.store.sqlite.papers import paper_json
from pg_server import BACKENDS

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="PostgreSQL tests not selected")


def _waiting_on_a_lock(conn) -> bool:
    return conn.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0] > 0


def test_a_paper_added_meanwhile_by_a_lock_free_writer_is_merged(pg_url):
    store = open_store(pg_url)
    theirs = merge(None, Paper(id="2601.00001", title="Their title", abstract="theirs",
                               categories=["cs.AI"], sources=["copied"]))
    mine = [Record(Paper(id=f"2601.0000{i}", title=f"My title {i}", categories=["cs.CL"],
                         sources=["mine"])) for i in (1, 2)]
    result: list = []
    try:
        with psycopg.connect(pg_url) as other, psycopg.connect(pg_url, autocommit=True) as watch:
            with other.transaction():  # inserted, not committed: our COPY must wait for it
                other.execute("INSERT INTO papers (id, version, title, published, updated, "
                              "primary_category, has_code, data, seq) VALUES "
                              "(%s, NULL, %s, NULL, NULL, 'cs.AI', false, %s, 7)",
                              (theirs.id, theirs.title, paper_json(theirs)))
                writer = threading.Thread(target=lambda: result.append(store.upsert_records(mine)))
                writer.start()
                deadline = time.monotonic() + 20
                while not _waiting_on_a_lock(watch) and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert _waiting_on_a_lock(watch)  # the COPY met their uncommitted row
            writer.join(20)
        assert result, "the batch failed instead of merging"
        stats = result[0]
        assert (stats.added, stats.updated) == (1, 1)
        merged = store.get_paper("2601.00001")
        assert merged.sources == ["copied", "mine"] and merged.abstract == "theirs"
        assert store.get_paper("2601.00002").title == "My title 2"
        seqs = [seq for seq, _ in store.iter_changed_papers(7)]
        assert seqs == [8, 9]  # counters taken after the re-read, above theirs
        cats = [r for r in store.dump() if r[0] == "category"]
        assert ("category", "cs.CL", "2601.00002") in cats
        assert {r[1] for r in cats if r[2] == "2601.00001"} == set(merged.categories)
    finally:
        store.close()
