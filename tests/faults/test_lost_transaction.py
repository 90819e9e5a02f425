"""A connection lost in the middle of a multi-statement write (the writer's backend
terminated by ``pg_terminate_backend`` from another connection while it waits on its last
statement) rolls the whole batch back: nothing of it is visible, the store raises its own
StoreUnavailable with one clear line, and a retry completes it. Real PostgreSQL."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from paperradar.models import DailyEntry, Paper, Record
from paperradar.store import open_store
from paperradar.store.base.search import StoredEmbedding
from paperradar.store.errors import StoreUnavailable, is_unavailable
from pg_server import BACKENDS, shared_server

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="PostgreSQL tests not selected")


@pytest.fixture
def pg_url(request):
    server = shared_server()
    url = server.create_database()
    request.addfinalizer(lambda: server.drop_database(url))
    return url


def _records(n: int) -> list[Record]:
    return [Record(Paper(id=f"2601.{i:05d}", title=f"Paper {i}", abstract="a",
                         categories=["cs.LG"], published="2026-01-01T00:00:00Z"),
                   DailyEntry(paper_id=f"2601.{i:05d}", date="2026-01-02"))
            for i in range(1, n + 1)]


def _kill_while_blocked(url: str, write) -> BaseException | None:
    """Run ``write`` while another session holds the checkpoints table (every batch writes
    its checkpoint last): once the writer waits on that lock, terminate its backend."""
    error: list[BaseException] = []

    def run():
        try:
            write()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            error.append(exc)

    with psycopg.connect(url, autocommit=True) as blocker, psycopg.connect(url, autocommit=True) as admin:
        with blocker.transaction():
            blocker.execute("LOCK TABLE checkpoints IN ACCESS EXCLUSIVE MODE")
            t = threading.Thread(target=run)
            t.start()
            deadline, pid = time.monotonic() + 20, None
            while pid is None and time.monotonic() < deadline:
                row = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()").fetchone()
                pid = row[0] if row else None
                time.sleep(0.05)
            assert pid is not None, "the writer never reached its last statement"
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            t.join(20)
    assert not t.is_alive()
    return error[0] if error else None


def test_papers_batch_is_all_or_nothing(pg_url):
    with open_store(pg_url) as store:
        batch = _records(50)
        exc = _kill_while_blocked(pg_url, lambda: store.upsert_records(
            batch, checkpoint=("import:test", "line 50")))
        assert isinstance(exc, StoreUnavailable), repr(exc)
        assert is_unavailable(exc)  # the web answers 503 for it
        message = str(exc)
        assert "nothing of it was written" in message and "\n" not in message
        assert store.count_rows("papers") == 0
        assert store.count_rows("paper_categories") == 0
        assert store.count_rows("daily_entries") == 0
        assert store.get_checkpoint("import:test") is None
        stats = store.upsert_records(batch, checkpoint=("import:test", "line 50"))  # retry
        assert stats.added == 50
        assert store.count_rows("papers") == 50 and store.count_rows("daily_entries") == 50
        assert store.get_checkpoint("import:test") == "line 50"


def test_embeddings_with_checkpoint_are_all_or_nothing(pg_url):
    with open_store(pg_url) as store:
        store.upsert_records(_records(5))
        rows = [StoredEmbedding(paper_id=f"2601.{i:05d}", key=i, text_hash=f"h{i}", dim=2,
                                dtype="f32", vec=b"\x00" * 8) for i in range(1, 6)]
        exc = _kill_while_blocked(pg_url, lambda: store.put_embeddings(
            "m", rows, checkpoint=("embed:m", "5")))
        assert isinstance(exc, StoreUnavailable), repr(exc)
        assert store.embedding_count("m") == 0 and store.get_checkpoint("embed:m") is None
        store.put_embeddings("m", rows, checkpoint=("embed:m", "5"))
        assert store.embedding_count("m") == 5 and store.get_checkpoint("embed:m") == "5"
