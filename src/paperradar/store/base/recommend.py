"""Storage protocol for recommendations: candidate papers of a date range, a reader's
"not interested" marks (negatives) and bulk additions to a collection (library imports)."""

from __future__ import annotations

from typing import Protocol, Sequence

from paperradar.models import Paper


class RecommendStore(Protocol):
    def papers_published_between(self, date_from: str, date_to: str,
                                 limit: int = 100_000) -> list[Paper]:
        """Papers whose first version is dated in [date_from, date_to] (YYYY-MM-DD,
        inclusive), in id order, at most ``limit``."""

    def latest_published_date(self) -> str | None:
        """The first-version date (YYYY-MM-DD) of the most recently published paper."""

    def set_dismissed(self, user_id: int, paper_id: str, on: bool) -> bool:
        """Mark (or unmark) a paper "not interested" for a user; True when something changed.
        Raises ``KeyError`` for a paper that is not stored."""

    def dismissed_by(self, user_id: int, limit: int = 500) -> list[str]:
        """The user's "not interested" papers, newest first."""

    def add_many_to_collection(self, collection_id: int, paper_ids: Sequence[str]) -> int:
        """Add stored papers to a collection in one transaction (unknown ids skipped);
        returns how many were new."""
