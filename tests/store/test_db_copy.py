"""``paperradar db copy`` and ``db status``: a deployment with every kind of row (papers,
versions, daily entries, embeddings, users, sessions, tokens, votes, comments, collections,
subscribers, the ledger, mail state, checkpoints, keyphrases, summaries, author rows and
authorship claims) copied SQLite -> PostgreSQL -> SQLite,
proven by equal dumps; an interrupted copy run again ends equal too."""

from __future__ import annotations

import json
from importlib import resources
import os
import subprocess
import sys

import pytest

from paperradar.enrich.build import enrich_new
from paperradar.models import Author, DailyEntry, Paper, Record, Version
from paperradar.store import open_store
from paperradar.store.base.notify import MailLogEntry, Subscriber
from paperradar.store.base.search import StoredEmbedding
from paperradar.store.copy import copy_database, full_dump, row_counts
from pg_server import BACKENDS

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="PostgreSQL tests not selected")
N = 120


def _fill(store) -> None:
    recs = []
    for i in range(N):
        p = Paper(id=f"2601.{i:05d}", title=f"Paper {i} \u00e9t\u00e9", abstract="a" * i,
                  authors=[Author(f"Author {i}", ["Lab"])], categories=["cs.CL", "cs.LG"][: 1 + i % 2],
                  primary_category="cs.CL", published=f"2026-01-{1 + i % 28:02d}T00:00:00Z",
                  version=2, versions=[Version(1, "2026-01-01"), Version(2, "2026-01-02")])
        daily = DailyEntry(p.id, f"2026-01-{1 + i % 28:02d}", upvotes=i, ai_keywords=["k"],
                           source="hf") if i % 3 == 0 else None
        recs.append(Record(p, daily))
    store.upsert_records(recs, checkpoint=("harvest:x", "token|5"))
    store.put_embeddings("m", [StoredEmbedding(f"2601.{i:05d}", 1000 + i, "h", 2, "f16",
                                               bytes([i % 256]) * 4) for i in range(0, N, 2)])
    u = store.create_user("Ada@Example.org", "ada", "hash", is_admin=True, verified=True)
    v = store.create_user("bob@example.org", "bob", None)
    store.create_session("sess", u.id, "csrf", "2099-01-01T00:00:00Z")
    store.create_api_token(u.id, "ci", "tokhash", "prt_ab")
    store.create_email_token("etok", v.id, "verify", "2099-01-01T00:00:00Z")
    for pid in ("2601.00001", "2601.00002"):
        store.set_vote(u.id, pid, True)
    c = store.add_comment("2601.00001", u.id, "first")
    store.add_comment("2601.00001", v.id, "reply", parent_id=c.id)
    store.submit_paper(v.id, "2601.00004", "2026-02-01", "2026-02-01T00:00:00Z")
    col = store.create_collection(u.id, "Public one", is_public=True)
    store.add_to_collection(col.id, "2601.00003")
    s, _ = store.add_subscriber(Subscriber("sub@example.org", status="active",
                                           categories=["cs.CL"], trending=False))
    store.add_subscriber_token(s.id, "stok", "confirm", "2099-01-01T00:00:00Z")
    assert store.claim_delivery(s.id, "daily:2026-01-05", "me", "2026-01-05T08:00:00Z",
                                "2026-01-05T08:10:00Z", 3, lambda o: True) == 1
    store.finish_delivery(s.id, "daily:2026-01-05", "me", "sent", "2026-01-05T08:00:01Z", "<m@x>")
    store.record_bounce("gone@example.org", 550, "no such user", 3, "2026-01-05T08:00:00Z")
    store.log_mail(MailLogEntry("2026-01-05T08:00:01Z", "sub@example.org", "digest", "sent", "<m@x>"))
    assert enrich_new(store)["enriched"] == N  # keyphrases, summaries, author rows
    store.request_claim(v.id, "author 7")
    store.request_claim(u.id, "author 8")
    assert store.decide_claims(u.id, "author 8", confirm=True, admin_id=u.id) == 1


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERRADAR_")}
    return subprocess.run([sys.executable, "-m", "paperradar", *args], capture_output=True,
                          text=True, env={**env, "PAPERRADAR_ENV": "test"}, timeout=300)


def test_sqlite_to_postgres_and_back_is_equal(tmp_path, pg_url):
    src = f"sqlite:///{tmp_path / 'a.db'}"
    with open_store(src) as a:
        _fill(a)
        expected, expected_full = a.dump(), full_dump(a)
    assert all(row_counts(open_store(src))[t] > 0 for t in (
        "embeddings", "comments", "mail_log", "paper_enrichment", "paper_keyphrases",
        "paper_authors", "author_claims"))
    done = _cli("db", "copy", src, pg_url)
    assert done.returncode == 0, done.stderr
    assert "the dumps are equal" in done.stdout
    back = f"sqlite:///{tmp_path / 'b.db'}"
    done = _cli("db", "copy", pg_url, back)
    assert done.returncode == 0, done.stderr
    for url in (pg_url, back):
        with open_store(url) as s:
            assert s.dump() == expected and full_dump(s) == expected_full
    with open_store(pg_url) as pg:  # the copy is a working deployment: ids continue
        assert pg.create_user("new@example.org", "newbie", None).id == 3
        assert pg.get_user_by_email("ada@example.org").is_admin
        assert pg.claimants("author 8") == ["ada"] and pg.claim_status(2, "author 7") == {
            "pending": 1}
        assert pg.count_author_papers("author 5") == 1 and pg.get_enrichments(["2601.00005"])
    status = _cli("db", "status", "--json")
    assert status.returncode == 0, status.stderr
    env_status = subprocess.run([sys.executable, "-m", "paperradar", "db", "status", "--json"],
                                capture_output=True, text=True, timeout=60,
                                env={**os.environ, "PAPERRADAR_DATABASE_URL": pg_url,
                                     "PAPERRADAR_ENV": "test"})
    info = json.loads(env_status.stdout)
    newest = max(f.name for f in (resources.files("paperradar.store.postgres") / "migrations")
                 .iterdir() if f.name.endswith(".sql")).removesuffix(".sql")
    assert info["backend"] == "postgresql" and info["schema"] == newest
    assert info["rows"]["papers"] == N and info["rows"]["users"] == 3


def test_interrupted_copy_run_again_is_equal(tmp_path, pg_url):
    src = f"sqlite:///{tmp_path / 'a.db'}"
    with open_store(src) as a:
        _fill(a)
        expected = full_dump(a)
        seen = []

        def stop_midway(table, n):
            seen.append(table)
            if table == "embeddings":
                raise KeyboardInterrupt  # as a ^C would, mid-copy
        with open_store(pg_url) as b, pytest.raises(KeyboardInterrupt):
            copy_database(a, b, batch=7, progress=stop_midway)
        with open_store(pg_url) as b:
            assert 0 < b.count_rows("papers") and b.count_rows("users") == 0
    done = _cli("db", "copy", src, pg_url, "--batch", "11")
    assert done.returncode == 0, done.stderr
    with open_store(pg_url) as b:
        assert full_dump(b) == expected


def test_copy_refuses_the_same_database_and_bad_urls(tmp_path):
    src = f"sqlite:///{tmp_path / 'a.db'}"
    same = _cli("db", "copy", src, src)
    assert same.returncode == 2 and "same database" in same.stderr
    bad = _cli("db", "copy", src, "postgresql://nobody@127.0.0.1:1/x")
    assert bad.returncode == 2 and "cannot connect to PostgreSQL" in bad.stderr
    assert "Traceback" not in bad.stderr
