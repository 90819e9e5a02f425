"""What only the PostgreSQL backend has to prove (on the real server of the test session):
one-line errors for bad URLs, a server that is not there, unknown roles and databases, a
schema newer than the code; migrations applied once when several processes start at once;
a change feed that cannot skip when a lower counter commits later; advisory-lock helpers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from paperradar.models import Paper, Record
from paperradar.store import StoreError, open_store
from paperradar.store.postgres.db import try_session_lock
from pg_server import BACKENDS, shared_server

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="PostgreSQL tests not selected")


@pytest.fixture
def pg():
    return shared_server()


def _paper(i: int, title: str = "A paper") -> Record:
    return Record(Paper(id=f"2601.{i:05d}", title=f"{title} {i}", abstract="x",
                        categories=["cs.CL"], primary_category="cs.CL",
                        published="2026-01-01T00:00:00Z"))


def _cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAPERRADAR_DATABASE_URL": url, "PAPERRADAR_ENV": "test"}
    return subprocess.run([sys.executable, "-m", "paperradar", *args], capture_output=True,
                          text=True, env=env, timeout=60)


@pytest.mark.parametrize("bad, expected", [
    ("postgresql://nobody@127.0.0.1:1/x", "cannot connect to PostgreSQL (x on 127.0.0.1:1)"),
    ("postgres://a@h/x?nosuchoption=1", "invalid PostgreSQL URL"),
])
def test_bad_urls_and_server_down_are_one_line(bad, expected):
    with pytest.raises(StoreError) as err:
        open_store(bad)
    assert expected in str(err.value) and "\n" not in str(err.value)
    done = _cli(bad, "stats")
    assert done.returncode == 2 and expected in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_unknown_role_and_database_are_one_line(pg, tmp_path):
    role = pg.base_url.replace("postgresql://postgres:", "postgresql://intruder:wrong")
    with pytest.raises(StoreError, match='role "intruder" does not exist'):
        open_store(role)
    done = _cli(pg.url("no_such_db"), "stats")
    assert done.returncode == 2 and 'database "no_such_db" does not exist' in done.stderr
    assert "Traceback" not in done.stderr
    with pytest.raises(StoreError) as err:
        open_store(role)
    assert "wrong" not in str(err.value)  # the password never reaches a message


def test_schema_newer_than_the_code_is_refused(pg_url):
    store = open_store(pg_url)
    with store.db.transaction() as conn:
        conn.execute("INSERT INTO schema_migrations (name) VALUES ('9999_from_the_future')")
    store.close()
    with pytest.raises(StoreError, match="9999_from_the_future.*newer than this paperradar"):
        open_store(pg_url)
    done = _cli(pg_url, "stats")
    assert done.returncode == 2 and "newer than this paperradar" in done.stderr
    assert "Traceback" not in done.stderr


def test_libpq_socket_url_form_works(pg, pg_url):
    assert "?host=/" in pg_url  # postgresql://postgres:@/DB?host=/path/to/socket
    with open_store(pg_url) as store:
        store.upsert_records([_paper(1)])
        assert store.count_papers() == 1


def test_processes_starting_at_once_migrate_once(pg):
    url = pg.create_empty_database()
    try:
        code = ("import sys; from paperradar.store import open_store; "
                "s = open_store(sys.argv[1]); print(s.count_papers()); s.close()")
        procs = [subprocess.Popen([sys.executable, "-c", code, url], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
        for p in procs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0 and out.strip() == "0", err
        with open_store(url) as store:
            names = [r[0] for r in store.db.rows("SELECT name FROM schema_migrations ORDER BY name")]
        assert names == sorted(set(names)) and names[0] == "0001_core" and len(names) >= 7
    finally:
        pg.drop_database(url)


def test_feed_cannot_skip_a_lower_counter_that_commits_later(pg_url):
    """Writer A takes its counter and holds its transaction open; writer B starts after it.
    A follower reading meanwhile must never see B's row without A's: with a plain sequence
    B (higher number) could commit first and the follower's watermark would pass A's row."""
    a_store, b_store, follower = open_store(pg_url), open_store(pg_url), open_store(pg_url)
    try:
        a_store.upsert_records([_paper(0)])
        seen = [seq for seq, _ in follower.iter_changed_papers(0)]
        watermark = max(seen)
        b_done = threading.Event()
        with a_store.db.transaction() as conn:
            a_store.upsert_in(conn, [_paper(1)])  # A: counter watermark + 1, not committed
            b = threading.Thread(target=lambda: (b_store.upsert_records([_paper(2)]),
                                                 b_done.set()))
            b.start()
            time.sleep(0.5)
            # B waits for A (commit order); the follower sees neither, so nothing is skipped
            assert not b_done.is_set()
            assert list(follower.iter_changed_papers(watermark)) == []
        b.join(10)
        assert b_done.is_set()
        got = [(seq, p.id) for seq, p in follower.iter_changed_papers(watermark)]
        assert got == [(watermark + 1, "2601.00001"), (watermark + 2, "2601.00002")]
    finally:
        for s in (a_store, b_store, follower):
            s.close()


def test_embedding_feed_is_in_commit_order_too(pg_url):
    from paperradar.store.base.search import StoredEmbedding

    a_store, b_store = open_store(pg_url), open_store(pg_url)
    try:
        a_store.upsert_records([_paper(1), _paper(2)])
        row = lambda pid: StoredEmbedding(pid, 1, "h", 2, "f32", b"\0" * 8)  # noqa: E731
        done = threading.Event()
        with a_store.db.transaction() as conn:
            from paperradar.store.postgres.db import xact_lock

            xact_lock(conn, "feed:embeddings:m")  # what put_embeddings holds to commit
            t = threading.Thread(target=lambda: (b_store.put_embeddings("m", [row("2601.00002")]),
                                                 done.set()))
            t.start()
            time.sleep(0.3)
            assert not done.is_set()
        t.join(10)
        assert done.is_set() and b_store.max_embedding_seq("m") == 1
    finally:
        a_store.close()
        b_store.close()


def test_session_advisory_lock_is_exclusive_across_connections(pg_url):
    with open_store(pg_url) as one, open_store(pg_url) as two:
        with one.db.connection() as c1, two.db.connection() as c2:
            assert try_session_lock(c1, "job:harvest")
            assert not try_session_lock(c2, "job:harvest")
            c1.execute("SELECT pg_advisory_unlock_all()")
            assert try_session_lock(c2, "job:harvest")
            c2.execute("SELECT pg_advisory_unlock_all()")
