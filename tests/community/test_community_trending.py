"""Trending: the pure score (a table of cases), the ranking, and ``top_trending`` on a real
store (periods, local votes and comments, banned users, fallback to the latest list)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from paperradar.models import DailyEntry
from paperradar.rank.trending import (COMMENT_WEIGHT, featured_at, period_window, rank,
                                      top_trending, trending_score)
from paperradar.store.base.community import TrendingCandidate

from community_fixtures import add_papers, make_user

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("local, imported, comments, age, half_life, expected", [
    (0, 0, 0, 0, 24, 0.0),                 # nothing, nothing
    (1, 0, 0, 0, 24, 1.0),                 # one fresh local upvote
    (0, 1, 0, 0, 24, 1.0),                 # imported upvotes count the same
    (3, 7, 0, 0, 24, 10.0),                # local + imported add up
    (0, 0, 1, 0, 24, COMMENT_WEIGHT),      # a comment weighs 2 upvotes
    (10, 0, 0, 24, 24, 5.0),               # one half-life halves it
    (10, 0, 0, 48, 24, 2.5),               # two half-lives quarter it
    (10, 0, 0, 72, 72, 5.0),               # the week's half-life is 72 h
    (10, 0, 0, -5, 24, 10.0),              # featured "in the future": no bonus
    (-3, 2, -1, 0, 24, 2.0),               # negative counts are ignored
    (4, 4, 2, 12, 24, 12 * 2 ** -0.5),     # everything together
])
def test_score_table(local, imported, comments, age, half_life, expected):
    assert trending_score(local, imported, comments, age, half_life) == pytest.approx(expected)


def test_score_properties():
    assert trending_score(5, 0, 0, 1, 24) > trending_score(5, 0, 0, 2, 24)  # newer wins
    assert trending_score(6, 0, 0, 1, 24) > trending_score(5, 0, 0, 1, 24)  # more wins
    with pytest.raises(ValueError):
        trending_score(1, 1, 1, 1, 0)
    # order of two papers is stable as time passes (exponential decay)
    a = lambda t: trending_score(10, 0, 0, t, 24)  # noqa: E731
    b = lambda t: trending_score(4, 0, 0, t - 20, 24)  # noqa: E731
    assert all((a(t) > b(t)) == (a(30) > b(30)) for t in (20, 30, 100, 500))


def test_featured_at_and_windows():
    e = DailyEntry(paper_id="x", date="2026-11-09")
    assert featured_at(e) == datetime(2026, 11, 9, tzinfo=timezone.utc)
    e.submitted_at = "2026-11-09T15:30:00Z"
    assert featured_at(e) == datetime(2026, 11, 9, 15, 30, tzinfo=timezone.utc)
    assert period_window("day", NOW) == ("2026-11-09", "2026-11-10")
    assert period_window("week", NOW) == ("2026-11-04", "2026-11-10")
    assert period_window("month", NOW) == ("2026-10-12", "2026-11-10")
    with pytest.raises(ValueError):
        period_window("year", NOW)


def test_rank_orders_and_breaks_ties():
    def cand(pid, date, up, local=0, comments=0):
        return TrendingCandidate(pid, DailyEntry(paper_id=pid, date=date, upvotes=up), local,
                                 comments)

    ranked = rank([cand("old-big", "2026-11-09", 30), cand("new-small", "2026-11-10", 12),
                   cand("tie-b", "2026-11-10", 5), cand("tie-a", "2026-11-10", 5),
                   cand("talked", "2026-11-10", 0, comments=4)], "day", NOW)
    assert [c.paper_id for _, c in ranked] == ["old-big", "new-small", "talked", "tie-a", "tie-b"]


def test_top_trending_on_store(store):
    add_papers(store, 3, date="2026-11-10", upvotes=2, prefix="2611")
    add_papers(store, 2, date="2026-11-01", upvotes=50, prefix="2610")
    add_papers(store, 1, date="2026-09-01", upvotes=500, prefix="2609")
    u1 = make_user(store, "v1@example.org")
    u2 = make_user(store, "v2@example.org")
    for u in (u1, u2):
        store.set_vote(u.id, "2611.00003", True)
    store.add_comment("2611.00003", u1.id, "nice")
    day = top_trending(store, period="day", now=NOW)
    assert [i.paper.id for i in day][:1] == ["2611.00003"]
    top = day[0]
    assert (top.upvotes, top.comments) == (4, 1) and top.entry.date == "2026-11-10"
    assert {i.paper.id for i in day} == {"2611.00001", "2611.00002", "2611.00003"}
    week = top_trending(store, period="week", now=NOW)
    assert {i.paper.id for i in week} == {"2611.00001", "2611.00002", "2611.00003"}
    month = [i.paper.id for i in top_trending(store, period="month", now=NOW)]
    assert month[:2] == ["2610.00001", "2610.00002"] and "2609.00001" not in month
    assert len(top_trending(store, period="month", now=NOW, limit=2, offset=4)) == 1
    # a banned voter no longer counts
    store.update_user(u2.id, banned=True)
    assert top_trending(store, period="day", now=NOW)[0].upvotes == 3


def test_top_trending_fallback_to_latest(store):
    add_papers(store, 2, date="2025-06-30", upvotes=9)
    later = datetime(2026, 11, 10, tzinfo=timezone.utc)
    assert top_trending(store, period="day", now=later) == []
    items = top_trending(store, period="day", now=later, fallback_to_latest=True)
    assert [i.paper.id for i in items] == ["2611.00001", "2611.00002"]
