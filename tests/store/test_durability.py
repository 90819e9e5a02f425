"""Durability per table: writes users would notice missing (votes, comments, submissions,
the digest ledger) commit with synchronous=FULL; the rest stays NORMAL. Checked on a real
SQLite file through the statements the connection runs."""

from __future__ import annotations

import pytest

from paperradar.models import Author, Paper, Record
from paperradar.store import open_store


@pytest.fixture
def store(tmp_path):
    """SQLite only: ``synchronous`` is a SQLite setting. PostgreSQL commits are durable by
    default (``synchronous_commit = on`` flushes the WAL at every commit)."""
    s = open_store(f"sqlite:///{tmp_path / 'durable.db'}")
    yield s
    s.close()


def _traced(store):
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    return seen


def _full_commits(seen: list[str]) -> list[str]:
    """The first write statement of each transaction that ran with synchronous=FULL."""
    out = []
    for i, sql in enumerate(seen):
        if sql.strip().upper() == "PRAGMA SYNCHRONOUS = FULL":
            out.append(next(s for s in seen[i + 2:] if not s.upper().startswith("SELECT")))
    return out


def test_votes_and_comments_are_durable_rate_events_are_not(store):
    store.upsert_records([Record(Paper(id="2401.00001", title="t", abstract="a",
                                       authors=[Author("A")], categories=["cs.LG"]))])
    user = store.create_user("d@example.org", "durable", None, verified=True)
    seen = _traced(store)
    store.set_vote(user.id, "2401.00001", True)
    store.add_comment("2401.00001", user.id, "hello")
    store.rate_limit_hit("login:ip:x", 10, 60.0, 1000.0)
    full = _full_commits(seen)
    assert len(full) == 2
    assert "INTO votes" in full[0] and "INTO comments" in full[1]
    assert not any("rate_events" in s for s in full)
    # Back to NORMAL (1) after each durable commit.
    assert store.db.conn.execute("PRAGMA synchronous").fetchone()[0] == 1


def test_a_failed_durable_transaction_restores_normal(store):
    user = store.create_user("e@example.org", "failing", None, verified=True)
    try:
        store.add_comment("no-such-paper", user.id, "x", parent_id=999)
    except ValueError:
        pass
    assert store.db.conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    assert store.list_comments("no-such-paper") == []
