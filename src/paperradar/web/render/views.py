"""``PaperView``: a paper with its daily-list facts (upvotes, comments, submitter, code),
built in one place so every page, feed and API shows the same numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from paperradar.models import DailyEntry, Paper
from paperradar.web.render.text import link_of


@dataclass(slots=True)
class PaperView:
    paper: Paper
    entry: DailyEntry | None = None
    local_upvotes: int = 0  # cast on this site (community layer)
    local_comments: int = 0
    keyphrases: list[str] = field(default_factory=list)  # computed here (paperradar.enrich)
    extracted_summary: str | None = None  # an abstract sentence, picked here
    day_rank: tuple[str, int] | None = None  # (date, N): "#N paper of the day" (paper pages)

    @property
    def id(self) -> str:
        return self.paper.id

    @property
    def upvotes(self) -> int:
        """Imported upvotes plus upvotes cast here."""
        return (self.entry.upvotes if self.entry else 0) + self.local_upvotes

    @property
    def num_comments(self) -> int:
        return (self.entry.num_comments if self.entry else 0) + self.local_comments

    @property
    def imported_comments(self) -> int:
        """Comments counted on the source (Hugging Face); they are not shown here."""
        return self.entry.num_comments if self.entry else 0

    @property
    def source_discussion_url(self) -> str | None:
        """Where the imported comments are (Hugging Face's page of the paper)."""
        if not self.imported_comments or self.entry.source != "hf":
            return None
        return f"https://huggingface.co/papers/{self.paper.id}#community"

    @property
    def submitted_by(self) -> str | None:
        return self.entry.submitted_by if self.entry else None

    @property
    def submitter_url(self) -> str | None:
        """The submitter's profile: here for local submissions, else on Hugging Face."""
        name = self.submitted_by
        if not name:
            return None
        if self.entry.source == "local":
            return f"/users/{name}"
        return f"https://huggingface.co/{name}" if self.entry.source == "hf" else None

    @property
    def code_url(self) -> str | None:
        return (self.entry.github_repo if self.entry else None) or link_of(self.paper, "code")

    @property
    def github_stars(self) -> int | None:
        return self.entry.github_stars if self.entry else None

    @property
    def project_url(self) -> str | None:
        return (self.entry.project_page if self.entry else None) or link_of(self.paper, "project")

    @property
    def ai_summary(self) -> str | None:
        return self.entry.ai_summary if self.entry else None

    @property
    def ai_keywords(self) -> list[str]:
        return list(self.entry.ai_keywords) if self.entry else []


def latest_entry(entries: Iterable[DailyEntry]) -> DailyEntry | None:
    """The most recent daily entry of a paper (entries come oldest first)."""
    found = None
    for e in entries:
        found = e
    return found


def with_local_counts(store, views: list[PaperView], facts=None) -> list[PaperView]:
    """Add this site's upvotes and comments and our enrichment (one batched read:
    ``store.list_facts``, unless the caller already made it)."""
    if not views:
        return views
    facts = facts or store.list_facts([v.id for v in views])
    for v in views:
        v.local_upvotes = facts.upvotes.get(v.id, 0)
        v.local_comments = facts.comments.get(v.id, 0)
        e = facts.enrichments.get(v.id)
        if e is not None:
            v.keyphrases = list(e.keyphrases)
            v.extracted_summary = e.summary
    return views


def view_of(store, paper: Paper) -> PaperView:
    view = with_local_counts(store, [PaperView(paper, latest_entry(store.daily_entries_for(paper.id)))])[0]
    rank = getattr(store, "daily_rank", None)
    view.day_rank = rank(paper.id) if rank else None
    return view


def card_view(card) -> PaperView:
    """The view of a store card (``store.paper_cards``, ``paper_page``): the same facts
    ``views_of`` reads separately."""
    view = PaperView(card.paper, card.entry, card.local_upvotes, card.local_comments)
    if card.enrichment is not None:
        view.keyphrases = list(card.enrichment.keyphrases)
        view.extracted_summary = card.enrichment.summary
    return view


def views_of(store, papers: Iterable[Paper]) -> list[PaperView]:
    """Views for several papers: their daily entries, counts and enrichment in one read."""
    papers = list(papers)
    if not papers:
        return []
    facts = store.list_facts([p.id for p in papers], entries=True)
    return with_local_counts(store, [PaperView(p, facts.entries.get(p.id)) for p in papers], facts)
