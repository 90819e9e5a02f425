"""SQLite paper-page reads (see ``store.base.pages``): the separate reads one after another
(each is a fraction of a millisecond on a local file; nothing to gain from combining them)."""

from __future__ import annotations

from typing import Sequence

from paperradar.store.base.pages import ListFacts, PaperCard, PaperPage


class PagesMixin:
    def paper_page(self, paper_id: str, *, model: str | None = None,
                   viewer_id: int | None = None) -> PaperPage | None:
        paper = self.get_paper(paper_id)
        if paper is None:
            return None
        card = self._cards([paper], viewer_id)[paper.id]
        embedding = self.get_embeddings(model, [paper.id]).get(paper.id) if model else None
        return PaperPage(card, embedding, self.daily_rank(paper.id),
                         self.list_comments(paper.id), self.confirmed_claimants_of(paper.id))

    def paper_cards(self, paper_ids: Sequence[str], *,
                    viewer_id: int | None = None) -> dict[str, PaperCard]:
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return {}
        found = self.get_papers(ids)
        return self._cards([found[i] for i in ids if i in found], viewer_id)

    def hit_papers(self, paper_ids: Sequence[str]) -> tuple[dict, dict[str, int]]:
        return self.get_papers(paper_ids), self.upvotes_for(paper_ids)

    def hit_cards(self, paper_ids: Sequence[str]) -> tuple[dict[str, PaperCard], dict[str, int]]:
        return self.paper_cards(paper_ids), self.upvotes_for(paper_ids)

    def list_facts(self, paper_ids: Sequence[str], *, entries: bool = False) -> ListFacts:
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return ListFacts()
        return ListFacts(self.local_upvote_counts(ids), self.local_comment_counts(ids),
                         self.get_enrichments(ids),
                         self.latest_daily_entries(ids) if entries else {})

    def _cards(self, papers, viewer_id: int | None) -> dict[str, PaperCard]:
        if not papers:
            return {}
        ids = [p.id for p in papers]
        entries = self.latest_daily_entries(ids)
        up, com = self.local_upvote_counts(ids), self.local_comment_counts(ids)
        enriched = self.get_enrichments(ids)
        voted = self.voted_by(viewer_id, ids) if viewer_id is not None else set()
        return {p.id: PaperCard(p, entries.get(p.id), up.get(p.id, 0), com.get(p.id, 0),
                                enriched.get(p.id), p.id in voted) for p in papers}
