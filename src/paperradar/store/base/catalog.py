"""Storage protocol for the read paths of the web catalog: counts, category listings,
batched daily-entry lookups (pagination and feeds)."""

from __future__ import annotations

from typing import NamedTuple, Protocol, Sequence

from paperradar.models import DailyEntry, Paper


class DailyNav(NamedTuple):
    """A daily list's navigation facts (see ``CatalogStore.daily_nav``)."""

    total: int  # entries in [start, end] (of the submitter, when given)
    before: str | None  # last date with entries before start
    last_in: str | None  # last date with entries inside [start, end]
    after: str | None  # first date with entries after end
    first: str | None  # first and last date with entries at all
    last: str | None


class CatalogStore(Protocol):
    def count_daily(self, date_from: str, date_to: str, *, submitter: str | None = None) -> int:
        """How many entries ``list_daily`` would return without a limit."""

    def daily_dates_around(self, start: str, end: str) -> tuple[str | None, str | None, str | None]:
        """(last date with entries before ``start``, last date with entries inside
        [start, end], first date with entries after ``end``): index lookups, for navigation."""

    def daily_nav(self, start: str, end: str, *, submitter: str | None = None) -> DailyNav:
        """What a daily list's navigation shows, in one query: ``count_daily(start, end,
        submitter=...)``, ``daily_dates_around(start, end)`` and the first and last date
        with entries at all (the date picker's bounds)."""

    def latest_daily_entries(self, paper_ids: Sequence[str]) -> dict[str, DailyEntry]:
        """The most recent daily entry of each paper that has one."""

    def list_papers(self, *, category: str | None = None, sort: str = "published",
                    descending: bool = True, limit: int = 50, offset: int = 0) -> list[Paper]:
        """Papers (optionally of one category) by ``published`` or ``updated`` date."""

    def count_papers_in(self, category: str | None = None) -> int: ...
