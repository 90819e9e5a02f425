"""Fusion of a lexical and a semantic ranked list: reciprocal rank fusion (tunable k and
per-list weights) and a convex combination of normalised scores. Pure functions; the
defaults are the values chosen by leave-one-set-out cross-validation in
``bench/eval_search.py`` (see the README's Search section).

A paper that has no vector yet (imported, not embedded) is not given a zero on the semantic
side: it takes its lexical standing there too (``no_vector``), so it neither loses to
semantic-only hits nor gains from being unembedded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import AbstractSet, Sequence


@dataclass(frozen=True, slots=True)
class FusionParams:
    method: str = "convex"  # "convex" | "rrf"
    k: float = 60.0  # RRF constant
    alpha: float = 0.6  # convex: weight of the lexical list (1 - alpha for semantic)
    w_lexical: float = 1.0  # RRF: per-list weights
    w_semantic: float = 1.0
    depth: int = 100  # how many of each list are fused


DEFAULT_FUSION = FusionParams()
SHORT_EMBEDDING_FUSION = FusionParams(alpha=0.65)  # tuned for MiniLM at 64 tokens
STATIC_FUSION = FusionParams(alpha=0.8)  # tuned for the distilled static model


def fusion_for(settings) -> FusionParams:
    """The tuned fusion for the configured embeddings (weaker embeddings, more lexical)."""
    if settings.embed_model.startswith("static:"):
        return STATIC_FUSION
    if settings.embed_max_tokens <= 64:
        return SHORT_EMBEDDING_FUSION
    return DEFAULT_FUSION


def rrf(lexical: Sequence[str], semantic: Sequence[str], *, k: float = 60.0,
        w_lexical: float = 1.0, w_semantic: float = 1.0,
        no_vector: AbstractSet[str] = frozenset()) -> dict[str, float]:
    """Reciprocal rank fusion: sum of w / (k + rank) over the lists (rank from 1); a paper
    in ``no_vector`` counts its lexical rank on the semantic side too."""
    out: dict[str, float] = {}
    for ids, w in ((lexical, w_lexical), (semantic, w_semantic)):
        for rank, pid in enumerate(ids, 1):
            out[pid] = out.get(pid, 0.0) + w / (k + rank)
    for rank, pid in enumerate(lexical, 1):
        if pid in no_vector:
            out[pid] += w_semantic / (k + rank)
    return out


def _minmax(scores: Sequence[float]) -> list[float]:
    if not scores:
        return []
    lo, hi = min(scores), max(scores)
    if hi - lo < 1e-12:
        return [1.0] * len(scores)
    return [(s - lo) / (hi - lo) for s in scores]


def convex(lexical: Sequence[tuple[str, float]], semantic: Sequence[tuple[str, float]], *,
           alpha: float = 0.5, no_vector: AbstractSet[str] = frozenset()) -> dict[str, float]:
    """alpha * minmax(lexical score) + (1 - alpha) * minmax(semantic score); a paper absent
    from a list gets 0 from it, except that one in ``no_vector`` takes its normalised
    lexical score on the semantic side."""
    out: dict[str, float] = {}
    for pairs, w in ((lexical, alpha), (semantic, 1.0 - alpha)):
        norm = _minmax([s for _, s in pairs])
        for (pid, _), s in zip(pairs, norm):
            out[pid] = out.get(pid, 0.0) + w * s
            if pairs is lexical and pid in no_vector:
                out[pid] += (1.0 - alpha) * s
    return out


def fuse(lexical: Sequence[tuple[str, float]], semantic: Sequence[tuple[str, float]],
         params: FusionParams = DEFAULT_FUSION,
         no_vector: AbstractSet[str] = frozenset()) -> list[tuple[str, float]]:
    """Fused ranking, best first (ties broken by id for determinism)."""
    lex = list(lexical)[:params.depth]
    sem = list(semantic)[:params.depth]
    if params.method == "rrf":
        scores = rrf([p for p, _ in lex], [p for p, _ in sem], k=params.k,
                     w_lexical=params.w_lexical, w_semantic=params.w_semantic,
                     no_vector=no_vector)
    elif params.method == "convex":
        scores = convex(lex, sem, alpha=params.alpha, no_vector=no_vector)
    else:
        raise ValueError(f"unknown fusion method {params.method!r}")
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def fused_head(lexical: Sequence[tuple[str, float]], semantic: Sequence[tuple[str, float]],
               params: FusionParams = DEFAULT_FUSION, *, no_vector: AbstractSet[str] = frozenset(),
               min_similarity: float | None = None, keep: int = 10) -> list[tuple[str, float]]:
    """``fuse``, then drop the semantic-only hits (papers no keyword matched) whose cosine is
    below ``min_similarity``, past the first ``keep``: the semantic tail has no natural end,
    so without a cut-off every query would "match" the whole depth; the first results stay
    as fused (a query may have no close match and still deserve its nearest papers)."""
    fused = fuse(lexical, semantic, params, no_vector)
    if min_similarity is None:
        return fused
    lex = {pid for pid, _ in list(lexical)[:params.depth]}
    weak = {pid for pid, s in semantic if s < min_similarity and pid not in lex}
    return fused[:keep] + [(pid, s) for pid, s in fused[keep:] if pid not in weak]
