"""The recommender's edge: read candidates, positives and negatives from the store, rank them
with ``rank.recommend`` and return papers with reasons. One code path for the "For you" page,
``POST /api/v1/recommend``, ``paperradar recommend`` and the digests.

Candidates are the papers first published in [since, until]; their features (TF-IDF and stored
embeddings of the configured model) are built once per period and kept in a small in-process
cache, invalidated when papers or embeddings change. A reader with no positives gets the
trending list of the period (``ForYou.mode == "trending"``), and the result says so.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Sequence

from paperradar.config import Settings
from paperradar.models import Paper
from paperradar.rank.recommend import (DEFAULT_PARAMS, MAX_POSITIVES, CandidateIndex, Params,
                                       Positive, Reason, recommend)
from paperradar.search.embed import model_label, paper_text
from paperradar.search.vectors import decode

MAX_CANDIDATES = 100_000
MAX_LIMIT = 200
_CACHE_SIZE = 4
_cache: OrderedDict[tuple, CandidateIndex] = OrderedDict()
_lock = threading.Lock()


@dataclass(slots=True)
class ForYouItem:
    paper: Paper
    score: float
    reasons: list[Reason] = field(default_factory=list)


@dataclass(slots=True)
class ForYou:
    items: list[ForYouItem]
    mode: str  # "recommended" | "trending"
    since: str
    until: str
    unknown: list[str] = field(default_factory=list)  # asked-for ids not in the store
    positives: int = 0
    note: str = ""


def _vectors(store, settings: Settings, ids: Sequence[str]) -> dict:
    label = model_label(settings)
    try:
        stored = store.get_embeddings(label, list(ids))
    except Exception:  # noqa: BLE001 - a store without embeddings: lexical only
        return {}
    return {pid: decode(e) for pid, e in stored.items()}


def candidate_index(store, settings: Settings, since: str, until: str,
                    params: Params = DEFAULT_PARAMS) -> CandidateIndex:
    """The features of the papers of [since, until], cached until the store changes."""
    label = model_label(settings)
    key = (id(store), since, until, store.max_seq(), _embedding_seq(store, label), params)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        papers = store.papers_published_between(since, until, limit=MAX_CANDIDATES)
        ids = [p.id for p in papers]
        vecs = _vectors(store, settings, ids)
        matrix = None
        if vecs and len(vecs) >= 0.5 * len(ids):  # mostly embedded: missing rows are zero
            import numpy as np

            dim = len(next(iter(vecs.values())))
            matrix = np.zeros((len(ids), dim), dtype=np.float32)
            for i, pid in enumerate(ids):
                if pid in vecs and len(vecs[pid]) == dim:
                    matrix[i] = vecs[pid]
        index = CandidateIndex(ids, [paper_text(p) for p in papers], matrix, params,
                               [p.categories for p in papers],
                               [" ".join((p.title or "").split()) for p in papers],
                               [p.comments or "" for p in papers])
        _cache[key] = index
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
        return index


def _embedding_seq(store, label: str) -> int:
    try:
        return store.max_embedding_seq(label)
    except Exception:  # noqa: BLE001
        return 0


def positives_from_ids(store, settings: Settings, ids: Sequence[str],
                       why: str = "you saved") -> list[Positive]:
    """Positives (or negatives) for stored papers, in the given order; unknown ids skipped."""
    ids = list(dict.fromkeys(ids))[:MAX_POSITIVES]
    papers = store.get_papers(ids)
    vecs = _vectors(store, settings, list(papers))
    return [Positive(pid, " ".join(papers[pid].title.split()), paper_text(papers[pid]), why,
                     vecs.get(pid), tuple(papers[pid].categories or ()),
                     papers[pid].comments or "")
            for pid in ids if pid in papers]


def user_positives(store, settings: Settings, user_id: int) -> list[Positive]:
    """What a signed-in reader likes: their upvotes and the papers of their collections."""
    out = positives_from_ids(store, settings, store.papers_upvoted_by(user_id, limit=200),
                             "you upvoted")
    for c in store.list_collections(user_id):
        why = "you saved" if c.is_default else f"“{c.name}” has"
        ids = store.collection_paper_ids(c.id, limit=MAX_POSITIVES)
        out += positives_from_ids(store, settings, ids, why)
    return out[:MAX_POSITIVES]


def rank_index(index: CandidateIndex, positives: Sequence[Positive],
               negatives: Sequence[Positive] = (), *, limit: int = 20,
               exclude: frozenset[str] = frozenset()):
    return recommend(index, positives, negatives, limit=limit, exclude=exclude)


def _trending(store, since: str, until: str, limit: int, exclude: set[str]) -> list[ForYouItem]:
    from paperradar.rank.trending import rank as trending_rank

    now = datetime.combine(date.fromisoformat(until), time.max, timezone.utc)
    ranked = trending_rank(store.trending_candidates(since, until), "week", now)
    ids = [c.paper_id for _, c in ranked if c.paper_id not in exclude][:limit]
    scores = {c.paper_id: s for s, c in ranked}
    papers = store.get_papers(ids)
    return [ForYouItem(papers[i], round(scores[i], 6)) for i in ids if i in papers]


def recommend_for(store, settings: Settings, positives: Sequence[Positive],
                  negatives: Sequence[Positive] = (), *, since: str, until: str,
                  limit: int = 20, exclude: Sequence[str] = (),
                  unknown: Sequence[str] = ()) -> ForYou:
    """Rank the papers of [since, until] for these positives (trending when there are none)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    banned = set(exclude) | {n.id for n in negatives}
    if not positives:
        items = _trending(store, since, until, limit, banned)
        return ForYou(items, "trending", since, until, list(unknown), 0,
                      "Nothing to learn from yet: this is the trending list of the period. "
                      "Upvote or save papers (or import a library) for recommendations.")
    index = candidate_index(store, settings, since, until)
    recs = recommend(index, positives, negatives, limit=limit, exclude=frozenset(banned))
    papers = store.get_papers([r.id for r in recs])
    items = [ForYouItem(papers[r.id], r.score, r.reasons) for r in recs if r.id in papers]
    note = "" if items else "No papers of this period to recommend."
    return ForYou(items, "recommended", since, until, list(unknown), len(positives), note)


def recommend_ids(store, settings: Settings, ids: Sequence[str], *, since: str, until: str,
                  limit: int = 20) -> ForYou:
    """Anonymous use: positives given as paper ids; ids not in the store are reported."""
    ids = list(dict.fromkeys(ids))
    known = store.get_papers(ids[:MAX_POSITIVES])
    unknown = [i for i in ids[:MAX_POSITIVES] if i not in known]
    positives = positives_from_ids(store, settings, [i for i in ids if i in known])
    return recommend_for(store, settings, positives, since=since, until=until, limit=limit,
                         unknown=unknown)


def recommend_user(store, settings: Settings, user_id: int, *, since: str, until: str,
                   limit: int = 20) -> ForYou:
    """A signed-in reader: upvotes and collections are positives, dismissals negatives."""
    positives = user_positives(store, settings, user_id)
    negatives = positives_from_ids(store, settings, store.dismissed_by(user_id), "not interested")
    return recommend_for(store, settings, positives, negatives, since=since, until=until,
                         limit=limit)
