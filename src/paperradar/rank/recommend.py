"""Personal recommendations (pure core: no store access; see ``rank/foryou.py`` for the edge).

A ``CandidateIndex`` holds the features of one candidate set (the papers of a period), built
once and shared by every reader: a TF-IDF matrix (1-2-grams, sublinear tf) and, when stored
embeddings exist, their MiniLM vectors. ``recommend`` ranks the candidates for one reader from
their positive papers (saved, upvoted, in their library) and negatives (hidden):

    score = w_roc * z(Rocchio) + w_lex * z(lexical max-sim) + w_emb * z(embedding max-sim)
            + w_svm * z(SVM) - w_neg * z(similarity to the negatives)

where ``Rocchio`` is the TF-IDF dot product of a candidate with (mean of the positives - mean
of the candidates), ``SVM`` (off by default: it costs ~0.3 s a reader for no gain over Rocchio
here) is a linear SVM over the TF-IDF features with the positives as one class and the
candidates as the other (arxiv-sanity's idea), the max-sims are the cosine of a candidate to
its closest positive, and ``z`` standardises a score over the candidates. The
weights were tuned by ``bench/eval_recommend.py`` on one half of its proxy readers. Each result
names the positive closest to it (the reason). Rankings are deterministic (ties by id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

MAX_POSITIVES = 500  # a larger library is cut to its most recent entries by the caller
REASONS = 2


@dataclass(frozen=True, slots=True)
class Params:
    """Features and fusion weights (defaults: tuned on the bench's tuning half)."""

    ngram_max: int = 2
    min_df: int = 2
    max_df: float = 0.5
    max_features: int = 100_000
    svm_c: float = 0.1
    svm_negatives: int = 0  # 0: every candidate is a negative; else an evenly spaced sample
    w_svm: float = 0.0  # the SVM costs ~0.3 s a reader; Rocchio matched it on the tuning half
    w_lex: float = 0.5
    w_emb: float = 1.0
    w_roc: float = 1.0
    w_neg: float = 0.5


DEFAULT_PARAMS = Params()


@dataclass(frozen=True, slots=True)
class Positive:
    """A paper the reader likes, with the words of the reason ("you saved", "you upvoted")."""

    id: str
    title: str
    text: str
    why: str = "you saved"
    vec: np.ndarray | None = None


@dataclass(slots=True)
class Reason:
    paper_id: str
    title: str
    why: str

    def sentence(self) -> str:
        return f"because {self.why} “{self.title}”"


@dataclass(slots=True)
class Recommendation:
    id: str
    score: float
    reasons: list[Reason] = field(default_factory=list)


class CandidateIndex:
    """TF-IDF (and optional embedding) features of a candidate set, ids in a fixed order."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str], vecs: np.ndarray | None = None,
                 params: Params = DEFAULT_PARAMS):
        from sklearn.feature_extraction.text import TfidfVectorizer

        if len(ids) != len(texts) or (vecs is not None and len(vecs) != len(ids)):
            raise ValueError("ids, texts and vectors must have the same length")
        order = sorted(range(len(ids)), key=lambda i: ids[i])  # input order cannot matter
        self.ids = [ids[i] for i in order]
        texts = [texts[i] for i in order]
        if vecs is not None:
            vecs = np.asarray(vecs)[order] if len(order) else vecs
        self.pos = {pid: i for i, pid in enumerate(self.ids)}
        self.params = params
        n = len(self.ids)
        self.vectorizer = TfidfVectorizer(
            ngram_range=(1, params.ngram_max), sublinear_tf=True, strip_accents="unicode",
            min_df=min(params.min_df, max(1, n // 10)), max_df=params.max_df if n >= 20 else 1.0,
            max_features=params.max_features, dtype=np.float32)
        try:
            self.X = self.vectorizer.fit_transform(list(texts)).tocsr() if n else None
        except ValueError:  # no usable vocabulary (empty or stop-word-only texts)
            self.X = None
        self.mean_row = (np.asarray(self.X.mean(axis=0)).ravel() if self.X is not None
                         else np.zeros(0))
        self.E = None if vecs is None else _normalise(np.asarray(vecs, dtype=np.float32))

    def __len__(self) -> int:
        return len(self.ids)

    def features(self, texts: Sequence[str]):
        return self.vectorizer.transform(list(texts)).tocsr()


def _normalise(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms > 0, norms, 1.0)


def _z(v: np.ndarray) -> np.ndarray:
    sd = float(v.std())
    return (v - float(v.mean())) / sd if sd > 1e-12 else np.zeros_like(v)


def _svm_scores(index: CandidateIndex, P, N, params: Params) -> np.ndarray:
    """Decision values of a linear SVM: positives vs candidates (and negatives)."""
    import scipy.sparse as sp
    from sklearn.svm import LinearSVC

    negs = index.X
    if params.svm_negatives and len(index) > params.svm_negatives:
        negs = index.X[np.linspace(0, len(index) - 1, params.svm_negatives).astype(int)]
    parts, labels = [negs, P], [np.zeros(negs.shape[0]), np.ones(P.shape[0])]
    if N is not None and N.shape[0]:
        parts.append(N)
        labels.append(np.zeros(N.shape[0]))
    X = sp.vstack(parts).tocsr()
    y = np.concatenate(labels)
    clf = LinearSVC(C=params.svm_c, class_weight="balanced", max_iter=2000, tol=1e-4,
                    random_state=0, dual=True)
    clf.fit(X, y)
    return clf.decision_function(index.X).astype(np.float64)


def components(index: CandidateIndex, positives: Sequence[Positive],
               negatives: Sequence[Positive] = (), params: Params = DEFAULT_PARAMS):
    """Standardised per-candidate scores by name ("svm", "lex", "emb", "neg") and the
    (candidate x positive) similarity that names the reasons. Components with no input
    (no vocabulary, no vectors, no negatives) are left out."""
    out: dict[str, np.ndarray] = {}
    sim = np.zeros((len(index), len(positives)))
    neg = np.zeros(len(index))
    if index.X is not None:
        P = index.features([p.text for p in positives])
        lex = (index.X @ P.T).toarray().astype(np.float64)
        sim += lex
        out["lex"] = _z(lex.max(axis=1))
        out["roc"] = _z(np.asarray(index.X @ (np.asarray(P.mean(axis=0)).ravel()
                                             - index.mean_row)).ravel())
        N = index.features([p.text for p in negatives]) if negatives else None
        if params.w_svm and P.nnz:
            out["svm"] = _z(_svm_scores(index, P, N, params))
        if N is not None:
            neg += _z((index.X @ N.T).toarray().max(axis=1))
    with_vec = [j for j, p in enumerate(positives) if p.vec is not None]
    if index.E is not None and with_vec:
        E = _normalise(np.stack([positives[j].vec for j in with_vec]).astype(np.float32))
        emb = (index.E @ E.T).astype(np.float64)
        sim[:, with_vec] += emb
        out["emb"] = _z(emb.max(axis=1))
        nvecs = [p.vec for p in negatives if p.vec is not None]
        if nvecs:
            NE = _normalise(np.stack(nvecs).astype(np.float32))
            neg += _z((index.E @ NE.T).max(axis=1).astype(np.float64))
    if negatives:
        out["neg"] = neg
    return out, sim


def fuse(parts: dict[str, np.ndarray], params: Params, n: int) -> np.ndarray:
    """The weighted sum of the components (negatives subtract)."""
    total = np.zeros(n)
    for name, weight in (("svm", params.w_svm), ("lex", params.w_lex), ("emb", params.w_emb),
                         ("roc", params.w_roc), ("neg", -params.w_neg)):
        if name in parts and weight:
            total += weight * parts[name]
    return total


def recommend(index: CandidateIndex, positives: Sequence[Positive],
              negatives: Sequence[Positive] = (), *, limit: int = 20,
              exclude: set[str] | frozenset[str] = frozenset(),
              params: Params | None = None) -> list[Recommendation]:
    """The top ``limit`` candidates for a reader, best first, each with its reasons.

    Candidates that are positives, negatives or in ``exclude`` are never returned. With no
    positives the result is empty (the caller shows the trending list instead).
    """
    params = params or index.params
    positives = _dedupe(positives)[:MAX_POSITIVES]
    negatives = _dedupe(negatives)[:MAX_POSITIVES]
    if not positives or not len(index) or limit <= 0:
        return []
    parts, sim = components(index, positives, negatives, params)
    total = fuse(parts, params, len(index))
    banned = set(exclude) | {p.id for p in positives} | {p.id for p in negatives}
    order = _order(index.ids, total, banned, limit)
    out = []
    for i in order:
        best = np.argsort(-sim[i], kind="stable")[:REASONS]
        reasons = [Reason(positives[j].id, positives[j].title, positives[j].why) for j in best
                   if sim[i, j] > 0][:REASONS]
        out.append(Recommendation(index.ids[i], round(float(total[i]), 6), reasons))
    return out


def _dedupe(items: Sequence[Positive]) -> list[Positive]:
    seen: set[str] = set()
    out = []
    for p in items:
        if p.id not in seen:
            seen.add(p.id)
            out.append(p)
    return out


def _order(ids: list[str], scores: np.ndarray, banned: set[str], limit: int) -> list[int]:
    """Indices of the best scores, ties by id; scores are rounded so that float noise
    between runs cannot swap two papers."""
    rounded = np.round(scores, 6)
    keep = [i for i in range(len(ids)) if ids[i] not in banned]
    if len(keep) > 4 * limit:  # pre-select, then sort the few exactly
        arr = np.array(keep)
        k = min(len(arr) - 1, 4 * limit)
        cut = np.partition(-rounded[arr], k)[k]
        keep = [i for i in keep if -rounded[i] <= cut]
    keep.sort(key=lambda i: (-rounded[i], ids[i]))
    return keep[:limit]


def rank_all(index: CandidateIndex, positives: Sequence[Positive],
             negatives: Sequence[Positive] = (), params: Params | None = None) -> list[str]:
    """Every candidate id in rank order (for evaluation)."""
    return [r.id for r in recommend(index, positives, negatives, limit=len(index), params=params)]
