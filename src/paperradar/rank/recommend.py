"""Personal recommendations (pure core: no store access; see ``rank/foryou.py`` for the edge).

A ``CandidateIndex`` holds the features of one candidate set (the papers of a period), built
once and shared by every reader: a TF-IDF matrix (1-2-grams, sublinear tf) and, when stored
embeddings exist, their MiniLM vectors. ``recommend`` ranks the candidates for one reader from
their positive papers (saved, upvoted, in their library) and negatives (hidden):

    score = w_roc * z(Rocchio) + w_lex * z(lexical max-sim) + w_emb * z(embedding max-sim)
            + w_bm25 * z(BM25 library-as-query) + w_rr * z(round robin) + w_svm * z(SVM)
            - w_neg * z(similarity to the negatives)   [+ w_prf * PRF from the top of that]

and the top 500 of that fusion are re-scored by a learned re-ranker (``rank.learned``: a small
tree ensemble trained offline on the bench's tuning half, over the components above plus a
category profile match, a fast SVM against 1,000 candidates and the shared rare words, name
tokens, titles and comments of ``rank.signals``; ``rerank=False`` turns it off, and a period
or reader without categories, embeddings or titles keeps the fusion's order);
where ``Rocchio`` is the TF-IDF dot product of a candidate with (mean of the positives - mean
of the candidates), ``BM25 library-as-query`` runs each positive as a BM25 query over the
candidates (each query's scores divided by its best, summed over the positives), the
max-sims are the cosine of a candidate to its closest positive, and ``z`` standardises a score
over the candidates. Off by default: round robin and PRF (they did not pay on the bench) and
the SVM (positives vs candidates on the TF-IDF, arxiv-sanity's idea: the strongest single
signal, but 0.26 s (load 3.7) to 2.5 s (load 9) a reader at 10k candidates: over budget).
The weights were chosen by ``bench/eval_recommend_ideas.py`` on the tuning half of its proxy
readers. Each result names the positive closest to it (the reason). Rankings are
deterministic (ties by id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from paperradar.rank import learned
from paperradar.rank.signals import Signals, near_top

MAX_POSITIVES = 500  # a larger library is cut to its most recent entries by the caller
REASONS = 2
RR_DEPTH = 100  # round robin: ranks below this under every positive count as this
PRF_K = 10


@dataclass(frozen=True, slots=True)
class Params:
    """Features and fusion weights (defaults: tuned on the bench's tuning half)."""

    ngram_max: int = 2
    min_df: int = 2
    max_df: float = 0.5
    max_features: int = 100_000
    svm_c: float = 0.1
    svm_negatives: int = 0  # 0: every candidate is a negative; else an evenly spaced sample
    w_svm: float = 0.0  # the SVM: 0.26-2.5 s a reader at 10k candidates (by load)
    w_lex: float = 0.25
    w_emb: float = 0.5
    w_roc: float = 1.5
    w_neg: float = 0.5
    w_bm25: float = 1.5  # each positive a BM25 query over the candidates (summed, per-query scaled)
    w_rr: float = 0.0  # round robin: a candidate's best rank under any one positive
    w_prf: float = 0.0  # pseudo relevance feedback from the top PRF_K of the fusion
    rerank: bool = True  # the learned re-ranking of the fusion's top (rank.learned)


DEFAULT_PARAMS = Params()


@dataclass(frozen=True, slots=True)
class Positive:
    """A paper the reader likes, with the words of the reason ("you saved", "you upvoted")."""

    id: str
    title: str
    text: str
    why: str = "you saved"
    vec: np.ndarray | None = None
    categories: tuple[str, ...] = ()
    comment: str = ""  # the arXiv comment field (venue, pages, project page)


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
                 params: Params = DEFAULT_PARAMS,
                 categories: Sequence[Sequence[str]] | None = None,
                 titles: Sequence[str] | None = None, comments: Sequence[str] | None = None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        if len(ids) != len(texts) or (vecs is not None and len(vecs) != len(ids)) or (
                categories is not None and len(categories) != len(ids)) or any(
                m is not None and len(m) != len(ids) for m in (titles, comments)):
            raise ValueError("ids, texts, vectors, categories, titles and comments must have "
                             "the same length")
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
        self.bm25 = bm25_matrix(texts) if params.w_bm25 and n else None
        self.cats = self.svm_negs = self.signals = self.Xc = self.length = None
        if params.rerank and n:
            self.length = learned.z(np.log1p([len(t.split()) for t in texts]))
            if titles is not None:
                notes = comments if comments is not None else [""] * n
                self.signals = Signals(texts, [titles[i] for i in order],
                                       [notes[i] or "" for i in order])
            if categories is not None and any(categories):
                self.cats = learned.Categories([categories[i] for i in order])
            if self.X is not None:
                self.Xc = self.X.tocsc()  # for signals.near_top
                k = min(n, learned.SVM_NEGATIVES)
                negs = self.X[np.linspace(0, n - 1, k).astype(int)].astype(np.float64)
                negs.sort_indices()
                self.svm_negs = negs

    def __len__(self) -> int:
        return len(self.ids)

    def features(self, texts: Sequence[str]):
        return self.vectorizer.transform(list(texts)).tocsr()


def bm25_matrix(texts: Sequence[str], k1: float = 1.2, b: float = 0.75):
    """(vectoriser, candidates x terms BM25 weights) over word unigrams of ``texts``."""
    from sklearn.feature_extraction.text import CountVectorizer

    n = len(texts)
    cv = CountVectorizer(strip_accents="unicode", stop_words="english",
                         min_df=min(2, max(1, n // 10)), max_df=0.5 if n >= 20 else 1.0)
    try:
        tf = cv.fit_transform(list(texts)).tocsr().astype(np.float32)
    except ValueError:  # no usable vocabulary
        return None
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    dl = np.asarray(tf.sum(axis=1)).ravel()
    norm = k1 * (1 - b + b * dl / max(float(dl.mean()), 1e-9))
    rows = np.repeat(np.arange(n), np.diff(tf.indptr))
    tf.data = idf[tf.indices] * tf.data * (k1 + 1) / (tf.data + norm[rows])
    return cv, tf


def bm25_pool(bm25, texts: Sequence[str], how: str = "sum") -> np.ndarray:
    """Each text a BM25 query (its distinct terms) over the candidates, each query's scores
    divided by its best, then summed (or the max) over the queries."""
    cv, W = bm25
    Q = cv.transform(list(texts))
    Q.data[:] = 1
    S = (W @ Q.T).toarray()
    S /= np.maximum(S.max(axis=0, keepdims=True), 1e-9)
    return S.max(axis=1) if how == "max" else S.sum(axis=1)


def round_robin(S: np.ndarray, depth: int = RR_DEPTH) -> np.ndarray:
    """1 / (10 + the best rank of each candidate under any one column of S), ranks capped at
    ``depth``: every positive brings its own best matches (readers have several topics)."""
    n, m = S.shape
    best = np.full(n, float(depth))
    k = min(depth, n)
    for j in range(m):
        col = -S[:, j]
        top = np.argpartition(col, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.lexsort((top, col[top]))]
        best[top] = np.minimum(best[top], np.arange(len(top)))
    return 1.0 / (10.0 + best)


def prf(index: "CandidateIndex", fused: np.ndarray, k: int = PRF_K) -> np.ndarray:
    """z(TF-IDF similarity to the centroid of the fusion's top k, minus the mean row)."""
    if index.X is None or len(index) <= k:
        return np.zeros(len(index))
    top = np.argpartition(-fused, k)[:k]
    c = np.asarray(index.X[top].mean(axis=0)).ravel() - index.mean_row
    return _z(np.asarray(index.X @ c).ravel())


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
    lex_all = emb_all = None
    sim = np.zeros((len(index), len(positives)))
    neg = np.zeros(len(index))
    if index.X is not None:
        P = index.features([p.text for p in positives])
        lex = (index.X @ P.T).toarray().astype(np.float64)
        sim += lex
        out["lex"] = _z(lex.max(axis=1))
        lex_all = lex
        out["roc"] = _z(np.asarray(index.X @ (np.asarray(P.mean(axis=0)).ravel()
                                             - index.mean_row)).ravel())
        N = index.features([p.text for p in negatives]) if negatives else None
        if params.w_svm and P.nnz:
            out["svm"] = _z(_svm_scores(index, P, N, params))
        if N is not None:
            neg += _z((index.X @ N.T).toarray().max(axis=1))
        if params.rerank and index.svm_negs is not None and P.nnz:
            out["svm1k"] = learned.svm_scores(index.X, index.svm_negs, P)
    with_vec = [j for j, p in enumerate(positives) if p.vec is not None]
    if index.E is not None and with_vec:
        E = _normalise(np.stack([positives[j].vec for j in with_vec]).astype(np.float32))
        emb = (index.E @ E.T).astype(np.float64)
        sim[:, with_vec] += emb
        out["emb"] = _z(emb.max(axis=1))
        emb_all = emb if len(with_vec) == len(positives) else None
        if params.rerank:
            out.update(learned.similarity_features(None, emb, index.E @ E.mean(axis=0)))
        nvecs = [p.vec for p in negatives if p.vec is not None]
        if nvecs:
            NE = _normalise(np.stack(nvecs).astype(np.float32))
            neg += _z((index.E @ NE.T).max(axis=1).astype(np.float64))
    if negatives:
        out["neg"] = neg
    if params.rerank:
        if lex_all is not None:
            out.update(learned.similarity_features(lex_all, None, None))
        if index.cats is not None:
            out.update(index.cats.features([p.categories for p in positives]) or {})
        if index.signals is not None:
            out.update(index.signals.features([p.text for p in positives],
                                              [p.title for p in positives],
                                              [p.comment for p in positives]))
    if params.w_bm25 and index.bm25 is not None:
        out["bm25"] = _z(bm25_pool(index.bm25, [p.text for p in positives]))
    if params.w_rr and lex_all is not None:
        S = _z(lex_all.ravel()).reshape(lex_all.shape)
        if emb_all is not None:
            S = S + _z(emb_all.ravel()).reshape(emb_all.shape)
        out["rr"] = _z(round_robin(S))
    return out, sim


def fuse(parts: dict[str, np.ndarray], params: Params, n: int,
         index: "CandidateIndex | None" = None) -> np.ndarray:
    """The weighted sum of the components (negatives subtract), then pseudo relevance
    feedback from its top (when ``w_prf`` and an index are given)."""
    total = np.zeros(n)
    for name, weight in (("svm", params.w_svm), ("lex", params.w_lex), ("emb", params.w_emb),
                         ("roc", params.w_roc), ("neg", -params.w_neg), ("bm25", params.w_bm25),
                         ("rr", params.w_rr)):
        if name in parts and weight:
            total += weight * parts[name]
    if params.w_prf and index is not None:
        total += params.w_prf * prf(index, total)
    return total


def scored(index: CandidateIndex, positives: Sequence[Positive],
           negatives: Sequence[Positive] = (), params: Params = DEFAULT_PARAMS):
    """(components, fused score, candidate x positive similarity); with ``params.rerank`` the
    components include the re-ranker's features of the fusion's top (``signals.near_top``)
    and the candidates' text length (z of log words: a prior correcting the cosines' bias
    to short or long texts)."""
    parts, sim = components(index, positives, negatives, params)
    total = fuse(parts, params, len(index), index)
    if params.rerank:
        parts.update(near_top(index.X, index.E, total, Xc=index.Xc))
        if index.length is not None:
            parts["length"] = index.length  # the same for every reader of the period
    return parts, total, sim


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
    parts, total, sim = scored(index, positives, negatives, params)
    if params.rerank:
        total = learned.rerank(parts, total)
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
