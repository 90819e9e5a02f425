"""Fusion of a lexical and a semantic ranked list: reciprocal rank fusion (tunable k and
per-list weights) and a convex combination of normalised scores. Pure functions; the
defaults are the values tuned by ``bench/eval_search.py`` (see the README's Search section).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True, slots=True)
class FusionParams:
    method: str = "convex"  # "convex" | "rrf"
    k: float = 60.0  # RRF constant
    alpha: float = 0.45  # convex: weight of the lexical list (1 - alpha for semantic)
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
        w_lexical: float = 1.0, w_semantic: float = 1.0) -> dict[str, float]:
    """Reciprocal rank fusion: sum of w / (k + rank) over the lists (rank from 1)."""
    out: dict[str, float] = {}
    for ids, w in ((lexical, w_lexical), (semantic, w_semantic)):
        for rank, pid in enumerate(ids, 1):
            out[pid] = out.get(pid, 0.0) + w / (k + rank)
    return out


def _minmax(scores: Sequence[float]) -> list[float]:
    if not scores:
        return []
    lo, hi = min(scores), max(scores)
    if hi - lo < 1e-12:
        return [1.0] * len(scores)
    return [(s - lo) / (hi - lo) for s in scores]


def convex(lexical: Sequence[tuple[str, float]], semantic: Sequence[tuple[str, float]], *,
           alpha: float = 0.5) -> dict[str, float]:
    """alpha * minmax(lexical score) + (1 - alpha) * minmax(semantic score); a paper absent
    from a list gets 0 from it."""
    out: dict[str, float] = {}
    for pairs, w in ((lexical, alpha), (semantic, 1.0 - alpha)):
        norm = _minmax([s for _, s in pairs])
        for (pid, _), s in zip(pairs, norm):
            out[pid] = out.get(pid, 0.0) + w * s
    return out


def fuse(lexical: Sequence[tuple[str, float]], semantic: Sequence[tuple[str, float]],
         params: FusionParams = DEFAULT_FUSION) -> list[tuple[str, float]]:
    """Fused ranking, best first (ties broken by id for determinism)."""
    lex = list(lexical)[:params.depth]
    sem = list(semantic)[:params.depth]
    if params.method == "rrf":
        scores = rrf([p for p, _ in lex], [p for p, _ in sem], k=params.k,
                     w_lexical=params.w_lexical, w_semantic=params.w_semantic)
    elif params.method == "convex":
        scores = convex(lex, sem, alpha=params.alpha)
    else:
        raise ValueError(f"unknown fusion method {params.method!r}")
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
