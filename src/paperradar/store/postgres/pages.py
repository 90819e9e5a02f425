"""PostgreSQL paper-page reads (see ``store.base.pages``): the same queries as the separate
reads (shared SQL constants and row builders), sent together in one pipelined round trip.
A page on PostgreSQL pays a round trip and a pool checkout per query, which made it the one
page much slower than on SQLite; now it pays two (the paper, then its similar papers)."""

from __future__ import annotations

from typing import Any, Sequence

from paperradar.store.base.pages import ListFacts, PaperCard, PaperPage
from paperradar.store.postgres.catalog import LATEST_DAILY_SQL
from paperradar.store.postgres.claims import CLAIMANTS_OF_SQL
from paperradar.store.postgres.community import (COMMENTS_OF_SQL, LOCAL_COMMENTS_SQL,
                                                 LOCAL_UPVOTES_SQL, VOTED_SQL)
from paperradar.store.postgres.db import Database
from paperradar.store.postgres.enrich import DAILY_RANK_SQL, ENRICHMENTS_SQL, enrichment_row
from paperradar.store.postgres.search import EMBEDDINGS_SQL, UPVOTES_FOR_SQL, embedding_row
from paperradar.store.sqlite.community_rows import comment_row
from paperradar.store.sqlite.papers import _daily_from_row, paper_from_json

_PAPERS_SQL = "SELECT id, data FROM papers WHERE id = ANY(%s::text[])"


def _card_queries(ids: list[str], viewer_id: int | None) -> list[tuple[str, Any]]:
    """papers, latest entries, local upvotes, local comments, enrichment, viewer's votes."""
    queries = [(_PAPERS_SQL, (ids,)), (LATEST_DAILY_SQL, (ids,)), (LOCAL_UPVOTES_SQL, (ids,)),
               (LOCAL_COMMENTS_SQL, (ids,)), (ENRICHMENTS_SQL, (ids,))]
    if viewer_id is not None:
        queries.append((VOTED_SQL, (viewer_id, ids)))
    return queries


def _cards(ids: list[str], results: list[list[tuple]]) -> dict[str, PaperCard]:
    papers, entries, up, com, enriched = results[:5]
    voted = {r[0] for r in results[5]} if len(results) > 5 else set()
    found = {pid: paper_from_json(text) for pid, text in papers}
    latest = {r[1]: _daily_from_row(r) for r in entries}
    up_of, com_of = dict(up), dict(com)
    enrichment = {r[0]: enrichment_row(r) for r in enriched}
    return {pid: PaperCard(found[pid], latest.get(pid), up_of.get(pid, 0), com_of.get(pid, 0),
                           enrichment.get(pid), pid in voted) for pid in ids if pid in found}


class PagesMixin:
    db: Database

    def paper_page(self, paper_id: str, *, model: str | None = None,
                   viewer_id: int | None = None) -> PaperPage | None:
        ids = [paper_id]
        queries = _card_queries(ids, viewer_id)
        queries += [(DAILY_RANK_SQL, {"id": paper_id}), (COMMENTS_OF_SQL, (paper_id,)),
                    (CLAIMANTS_OF_SQL, (paper_id,))]
        if model:
            queries.append((EMBEDDINGS_SQL, (model, ids)))
        results = self.db.pipelined(queries)
        n = len(queries) - 3 - bool(model)
        card = _cards(ids, results[:n]).get(paper_id)
        if card is None:
            return None
        rank, comments, claimants = results[n:n + 3]
        embedding = embedding_row(results[-1][0]) if model and results[-1] else None
        return PaperPage(card, embedding, (rank[0][0], rank[0][1]) if rank else None,
                         [comment_row(r) for r in comments], {r[0] for r in claimants})

    def paper_cards(self, paper_ids: Sequence[str], *,
                    viewer_id: int | None = None) -> dict[str, PaperCard]:
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return {}
        return _cards(ids, self.db.pipelined(_card_queries(ids, viewer_id)))

    def hit_papers(self, paper_ids: Sequence[str]) -> tuple[dict, dict[str, int]]:
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return {}, {}
        papers, votes = self.db.pipelined([(_PAPERS_SQL, (ids,)), (UPVOTES_FOR_SQL, (ids,))])
        return {pid: paper_from_json(text) for pid, text in papers}, dict(votes)

    def hit_cards(self, paper_ids: Sequence[str]) -> tuple[dict[str, PaperCard], dict[str, int]]:
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return {}, {}
        *cards, votes = self.db.pipelined(_card_queries(ids, None) + [(UPVOTES_FOR_SQL, (ids,))])
        return _cards(ids, cards), dict(votes)

    def list_facts(self, paper_ids: Sequence[str], *, entries: bool = False) -> ListFacts:
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return ListFacts()
        queries = [(LOCAL_UPVOTES_SQL, (ids,)), (LOCAL_COMMENTS_SQL, (ids,)),
                   (ENRICHMENTS_SQL, (ids,))]
        if entries:
            queries.append((LATEST_DAILY_SQL, (ids,)))
        up, com, enriched, *latest = self.db.pipelined(queries)
        up_of, com_of = dict(up), dict(com)
        return ListFacts({i: up_of.get(i, 0) for i in ids}, {i: com_of.get(i, 0) for i in ids},
                         {r[0]: enrichment_row(r) for r in enriched},
                         {r[1]: _daily_from_row(r) for r in latest[0]} if latest else {})
