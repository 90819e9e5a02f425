"""Storage protocol for enrichment: keyphrases, extracted summaries, and the keyphrase and
author rows that topic and author pages read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence


@dataclass(slots=True)
class Enrichment:
    paper_id: str
    text_hash: str
    keyphrases: list[str] = field(default_factory=list)  # surface forms, best first
    summary: str | None = None
    topics: list[str] = field(default_factory=list)  # topic keys, one per keyphrase
    authors: list[tuple[str, str]] = field(default_factory=list)  # (name_key, name), in order
    published: str | None = None


class EnrichStore(Protocol):
    def enrichment_hashes(self, paper_ids: Sequence[str]) -> dict[str, str]:
        """``paper_id -> text_hash`` of the stored enrichments."""

    def put_enrichments(self, rows: Sequence[Enrichment],
                        checkpoint: tuple[str, str] | None = None) -> None:
        """Insert or replace these papers' enrichment, keyphrase rows and author rows in one
        transaction, with an optional checkpoint written atomically with them."""

    def get_enrichments(self, paper_ids: Sequence[str]) -> dict[str, Enrichment]:
        """Stored keyphrases and summaries (``topics``/``authors`` left empty)."""

    def topic_paper_ids(self, topic: str, *, limit: int, offset: int = 0) -> list[str]:
        """Papers having this topic key, most upvoted (imported + local) first, then newest."""

    def count_topic(self, topic: str) -> int: ...

    def author_paper_ids(self, name_key: str, *, limit: int, offset: int = 0) -> list[str]:
        """Papers by this author key, newest first."""

    def count_author_papers(self, name_key: str) -> int: ...

    def author_names(self, name_key: str) -> list[str]:
        """How this author key is written on papers, most used first."""

    def coauthors(self, name_key: str, limit: int = 10) -> list[tuple[str, str, int]]:
        """(name_key, name, shared papers), most shared first."""

    def author_categories(self, name_key: str, limit: int = 10) -> list[tuple[str, int]]: ...

    def daily_rank(self, paper_id: str) -> tuple[str, int] | None:
        """(date, 1-based rank) of the paper on its latest daily list, as that list sorts."""


class ClaimStore(Protocol):
    def request_claim(self, user_id: int, name_key: str) -> int:
        """Pending claims on every paper under ``name_key`` (decided ones kept); new count."""

    def pending_claims(self, limit: int = 50, offset: int = 0) -> list[tuple[int, str, str, int]]:
        """(user_id, user name, name_key, papers) awaiting an administrator."""

    def decide_claims(self, user_id: int, name_key: str, *, confirm: bool, admin_id: int) -> int:
        """Confirm or reject that user's pending claims under that key; rows changed."""

    def claim_status(self, user_id: int, name_key: str) -> dict[str, int]: ...

    def claimed_paper_ids(self, user_id: int, limit: int = 50) -> list[str]: ...

    def claimants(self, name_key: str) -> list[str]: ...

    def confirmed_claimants_of(self, paper_id: str) -> set[int]:
        """Ids of (unbanned) users whose confirmed claim covers this paper: its authors here."""
