"""Trending: a time-decayed score over upvotes, comments and recency.

The score of a paper featured on a daily list is

    points = upvotes_local + upvotes_imported + COMMENT_WEIGHT * (comments_local + comments_imported)
    score  = points * 2 ** (-age_hours / half_life_hours)

where ``age_hours`` is the time since the paper was featured (its local submission time, or
midnight UTC of its daily-list date), clamped at 0, and the half-life depends on the period
(24 h for the day, 72 h for the week, 240 h for the month). Exponential decay keeps the order
of two papers stable as time passes, so a page and a digest built minutes apart agree. Only
papers featured inside the period are candidates (the day: today and yesterday, UTC; the week:
7 days; the month: 30 days); ties go to more upvotes, then the newer entry, then the id.

``trending_score`` is pure; ``top_trending`` reads the store and ranks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Literal

from paperradar.models import DailyEntry, Paper

Period = Literal["day", "week", "month"]

COMMENT_WEIGHT = 2.0
HALF_LIFE_HOURS: dict[str, float] = {"day": 24.0, "week": 72.0, "month": 240.0}
WINDOW_DAYS: dict[str, int] = {"day": 1, "week": 6, "month": 29}  # days before today included


def trending_score(upvotes_local: int, upvotes_imported: int, comments: int, age_hours: float,
                   half_life_hours: float) -> float:
    """The documented formula; negative inputs are treated as 0."""
    if half_life_hours <= 0:
        raise ValueError("half_life_hours must be positive")
    points = max(0, upvotes_local) + max(0, upvotes_imported) + COMMENT_WEIGHT * max(0, comments)
    return points * 2.0 ** (-max(0.0, age_hours) / half_life_hours)


@dataclass(slots=True)
class TrendingItem:
    paper: Paper
    entry: DailyEntry | None
    upvotes: int  # local + imported
    comments: int  # local visible + imported
    score: float


def featured_at(entry: DailyEntry) -> datetime:
    """When an entry joined its daily list: the submission time, else midnight UTC of its date."""
    if entry.submitted_at and entry.submitted_at[:10] == entry.date:
        try:
            return datetime.fromisoformat(entry.submitted_at.replace("Z", "+00:00")).astimezone(
                timezone.utc)
        except ValueError:
            pass
    return datetime.combine(date.fromisoformat(entry.date), datetime.min.time(), timezone.utc)


def period_window(period: str, now: datetime) -> tuple[str, str]:
    """The inclusive range of daily-list dates a period covers, ending on ``now``'s UTC date."""
    if period not in WINDOW_DAYS:
        raise ValueError(f"unknown period {period!r} (day, week or month)")
    today = _utc(now).date()
    return (today - timedelta(days=WINDOW_DAYS[period])).isoformat(), today.isoformat()


def _utc(now: datetime) -> datetime:
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now.astimezone(timezone.utc)


def rank(candidates, period: str, now: datetime) -> list[tuple[float, object]]:
    """Score and sort ``TrendingCandidate``s (pure: no store access)."""
    now = _utc(now)
    half_life = HALF_LIFE_HOURS[period]
    scored = []
    for c in candidates:
        e = c.entry
        age = (now - featured_at(e)).total_seconds() / 3600
        s = trending_score(c.local_upvotes, e.upvotes, c.local_comments + e.num_comments, age,
                           half_life)
        scored.append((s, c))
    scored.sort(key=lambda sc: (-sc[0], -(sc[1].local_upvotes + sc[1].entry.upvotes),
                                _neg_date(sc[1].entry.date), sc[1].paper_id))
    return scored


def _neg_date(d: str) -> int:
    return -date.fromisoformat(d).toordinal()


def top_trending(store, *, period: Period = "day", now: datetime | None = None, limit: int = 20,
                 offset: int = 0, fallback_to_latest: bool = False) -> list[TrendingItem]:
    """The top papers of the period ending at ``now``.

    With ``fallback_to_latest``, an empty period (e.g. an archive that stopped being updated)
    is measured from the latest daily-list date instead, like the home page's fallback.
    """
    now = _utc(now or datetime.now(timezone.utc))
    date_from, date_to = period_window(period, now)
    candidates = store.trending_candidates(date_from, date_to)
    if not candidates and fallback_to_latest:
        dates = store.daily_dates()
        if dates and dates[-1] < date_from:
            now = datetime.combine(date.fromisoformat(dates[-1]), datetime.max.time(), timezone.utc)
            date_from, date_to = period_window(period, now)
            candidates = store.trending_candidates(date_from, date_to)
    page = rank(candidates, period, now)[offset:offset + limit]
    papers = store.get_papers([c.paper_id for _, c in page])
    return [TrendingItem(paper=papers[c.paper_id], entry=c.entry,
                         upvotes=c.local_upvotes + c.entry.upvotes,
                         comments=c.local_comments + c.entry.num_comments, score=s)
            for s, c in page if c.paper_id in papers]
