"""Storage protocol for the paper page: everything the page shows about one paper, and the
facts of the cards it lists (similar papers), each in one call. The results equal what the
separate reads give (``get_paper``, ``get_embeddings``, ``latest_daily_entries``,
``local_upvote_counts``, ``local_comment_counts``, ``get_enrichments``, ``daily_rank``,
``list_comments``, ``confirmed_claimants_of``, ``get_papers``, ``voted_by``, ``upvotes_for``); PostgreSQL
sends them in one pipelined round trip, SQLite runs them one after another."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

from paperradar.models import DailyEntry, Paper
from paperradar.store.base.community import Comment
from paperradar.store.base.enrich import Enrichment
from paperradar.store.base.search import StoredEmbedding


@dataclass(slots=True)
class PaperCard:
    """One paper with its daily-list facts, as a card shows it."""

    paper: Paper
    entry: DailyEntry | None = None  # the latest daily entry
    local_upvotes: int = 0
    local_comments: int = 0
    enrichment: Enrichment | None = None
    voted: bool = False  # by the viewer (False without one)


@dataclass(slots=True)
class PaperPage:
    """The paper of a page, with what only the page itself needs."""

    card: PaperCard
    embedding: StoredEmbedding | None = None  # under the model asked for
    day_rank: tuple[str, int] | None = None
    comments: list[Comment] = field(default_factory=list)  # thread order
    claimants: set[int] = field(default_factory=set)  # confirmed, unbanned claimants


@dataclass(slots=True)
class ListFacts:
    """What a list (daily list, search results, a collection) shows beside papers it already
    holds, by paper id: ``local_upvote_counts``, ``local_comment_counts``,
    ``get_enrichments`` and (when asked) ``latest_daily_entries``, in one call."""

    upvotes: dict[str, int] = field(default_factory=dict)
    comments: dict[str, int] = field(default_factory=dict)
    enrichments: dict[str, Enrichment] = field(default_factory=dict)
    entries: dict[str, DailyEntry] = field(default_factory=dict)  # empty unless asked


class PageStore(Protocol):
    def paper_page(self, paper_id: str, *, model: str | None = None,
                   viewer_id: int | None = None) -> PaperPage | None:
        """The paper, its latest daily entry, local counts, enrichment, "#N of the day",
        comments and claimants, its stored embedding under ``model`` (none without one) and
        the viewer's vote; None when there is no such paper."""

    def paper_cards(self, paper_ids: Sequence[str], *,
                    viewer_id: int | None = None) -> dict[str, PaperCard]:
        """Cards of the papers that exist (ids not stored are left out)."""

    def hit_papers(self, paper_ids: Sequence[str]) -> tuple[dict[str, Paper], dict[str, int]]:
        """``get_papers`` and ``upvotes_for`` of search hits, in one call."""

    def hit_cards(self, paper_ids: Sequence[str]) -> tuple[dict[str, PaperCard], dict[str, int]]:
        """``paper_cards`` and ``upvotes_for`` of search hits, in one call (one round trip
        on PostgreSQL: a search page needs nothing else from the store)."""

    def list_facts(self, paper_ids: Sequence[str], *, entries: bool = False) -> ListFacts:
        """Local counts and enrichment of papers a list already holds (and their latest
        daily entries with ``entries``), equal to the separate reads."""
