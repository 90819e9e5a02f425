"""``PaperView``: a paper with its daily-list facts (upvotes, comments, submitter, code),
built in one place so every page, feed and API shows the same numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from paperradar.models import DailyEntry, Paper
from paperradar.web.render.text import link_of


@dataclass(slots=True)
class PaperView:
    paper: Paper
    entry: DailyEntry | None = None

    @property
    def id(self) -> str:
        return self.paper.id

    @property
    def upvotes(self) -> int:
        return self.entry.upvotes if self.entry else 0

    @property
    def num_comments(self) -> int:
        return self.entry.num_comments if self.entry else 0

    @property
    def submitted_by(self) -> str | None:
        return self.entry.submitted_by if self.entry else None

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


def view_of(store, paper: Paper) -> PaperView:
    return PaperView(paper, latest_entry(store.daily_entries_for(paper.id)))


def views_of(store, papers: Iterable[Paper]) -> list[PaperView]:
    """Views for several papers with one batched query for their daily entries."""
    papers = list(papers)
    entries = store.latest_daily_entries([p.id for p in papers]) if papers else {}
    return [PaperView(p, entries.get(p.id)) for p in papers]
