"""Storage protocol for the read paths of the web catalog: counts, category listings,
batched daily-entry lookups (pagination and feeds)."""

from __future__ import annotations

from typing import Protocol, Sequence

from paperradar.models import DailyEntry, Paper


class CatalogStore(Protocol):
    def count_daily(self, date_from: str, date_to: str, *, submitter: str | None = None) -> int:
        """How many entries ``list_daily`` would return without a limit."""

    def daily_dates_around(self, start: str, end: str) -> tuple[str | None, str | None, str | None]:
        """(last date with entries before ``start``, last date with entries inside
        [start, end], first date with entries after ``end``): index lookups, for navigation."""

    def daily_date_span(self) -> tuple[str | None, str | None]:
        """(first, last) date with daily entries, (None, None) without any: two index lookups
        in one query, for the date picker."""

    def latest_daily_entries(self, paper_ids: Sequence[str]) -> dict[str, DailyEntry]:
        """The most recent daily entry of each paper that has one."""

    def list_papers(self, *, category: str | None = None, sort: str = "published",
                    descending: bool = True, limit: int = 50, offset: int = 0) -> list[Paper]:
        """Papers (optionally of one category) by ``published`` or ``updated`` date."""

    def count_papers_in(self, category: str | None = None) -> int: ...
