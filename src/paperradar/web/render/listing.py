"""Listing logic shared by pages, feeds and APIs: daily periods, pagination, trending."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from paperradar.web.render.periods import Period, parse_day
from paperradar.web.render.views import PaperView, with_local_counts

MAX_PAGE_SIZE = 100
TRENDING_WINDOWS = {"day": 2, "week": 7, "month": 30}  # as paperradar.rank.trending counts them


@dataclass(slots=True)
class Pager:
    page: int
    pages: int | None
    prev_url: str | None
    next_url: str | None


def pager(base: str, params: dict, page: int, per_page: int, total: int | None,
          shown: int) -> Pager:
    """Links to the neighbouring pages (``page`` is 1-based)."""
    pages = max(1, math.ceil(total / per_page)) if total is not None else None
    has_next = page < pages if pages is not None else shown == per_page

    def url(n: int) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "", False)}
        if n > 1:
            query["page"] = n
        return base + ("?" + urlencode(query) if query else "")

    return Pager(page, pages, url(page - 1) if page > 1 else None, url(page + 1) if has_next else None)


def latest_period(store, today: date | None = None) -> Period | None:
    """Today's list when it has papers, else the latest earlier day that has some (else the
    latest day at all, if every list is dated in the future)."""
    tomorrow = ((today or date.today()) + timedelta(days=1)).isoformat()
    day, _, later = store.daily_dates_around(tomorrow, tomorrow)
    if day is None and later is not None:  # only future-dated lists
        day = store.daily_dates_around("9999-12-31", "9999-12-31")[0] or later
    return parse_day(day) if day else None


def daily_views(store, period: Period, *, sort: str = "upvotes", limit: int = 50,
                offset: int = 0, submitter: str | None = None) -> list[PaperView]:
    rows = store.list_daily(period.start.isoformat(), period.end.isoformat(), submitter=submitter,
                            sort=sort, limit=limit, offset=offset)
    return with_local_counts(store, [PaperView(paper, entry) for entry, paper in rows])


def trending_views(store, window: str = "week", limit: int = 30) -> list[PaperView]:
    """The community module's trending ranking (``paperradar.rank.trending``), measured from
    the latest daily list when the period itself is empty (an archive, the demo)."""
    from paperradar.rank.trending import top_trending

    items = top_trending(store, period=window, limit=limit, fallback_to_latest=True)
    return with_local_counts(store, [PaperView(i.paper, i.entry) for i in items])
