"""Learned re-ranking of the recommender's fusion (at request time: numpy, scipy, and a
sklearn LinearSVC, the one model fitted per request).

The top ``DEPTH`` candidates of the z-score fusion of ``rank.recommend`` are re-scored by a
gradient-boosted ensemble of 500 trees over per-candidate features (``FEATURES``: the fusion's
components, top-2 mean and sum of the TF-IDF and MiniLM similarities to the positives, the
MiniLM centroid, an arXiv-category profile match, a fast linear SVM against 1,000 evenly
spaced candidates, the fused score, and the shared rare words, name tokens, titles and
comment fields of ``rank.signals``, and the closeness to the fusion's own top 10,
``signals.near_top``, and the candidate's own text length, z of its log word count over the
period's candidates). The ensemble was trained once, offline, on the tuning
half of the proxy readers of ``bench/eval_recommend.py`` by ``bench/train_recommend_ranker.py``;
it ships as a constant table (``data/ranker.json``: per tree, each node's feature, threshold,
children and leaf value) evaluated with numpy by ``rank.forest``. Readers or periods without a
feature (no embeddings, no categories, no titles) keep the fusion's order.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from paperradar.rank.forest import Ensemble

FEATURES = ("roc", "lex", "emb", "bm25", "lex2", "lexsum", "emb2", "embcen", "cat", "catmax",
            "svm1k", "fused", "rare", "caps", "title", "comment", "toplex", "topemb",
            "length")
DEPTH = 500  # candidates re-scored (the rest keep the fusion's order, below them)
SVM_NEGATIVES = 1000
SVM_C = 1.0
BLEND = 0.5  # final = ensemble log-odds + BLEND * fused (steadier than either; breaks ties)
MODEL = Path(__file__).parent / "data" / "ranker.json"


def z(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    sd = float(v.std())
    return (v - float(v.mean())) / sd if sd > 1e-12 else np.zeros_like(v)


class Categories:
    """Binary candidate x category matrix with the categories' IDF over the candidates."""

    def __init__(self, cats: Sequence[Sequence[str]]):
        import scipy.sparse as sp

        self.vocab: dict[str, int] = {}
        rows, cols = [], []
        for i, cs in enumerate(cats):
            for c in dict.fromkeys(cs or ()):
                rows.append(i)
                cols.append(self.vocab.setdefault(c, len(self.vocab)))
        n = len(cats)
        self.M = sp.csr_matrix((np.ones(len(rows), np.float64), (rows, cols)),
                               shape=(n, len(self.vocab)))
        df = np.asarray(self.M.sum(axis=0)).ravel()
        self.idf = np.log(max(n, 1) / (1.0 + df))

    def features(self, libs: Sequence[Sequence[str]]) -> dict[str, np.ndarray] | None:
        """``cat``: the candidate's categories against the library's category profile (IDF
        weighted); ``catmax``: most categories shared with one positive. None when the
        library has no category the candidates know."""
        L = np.zeros((len(libs), len(self.vocab)))
        for j, cs in enumerate(libs):
            for c in cs or ():
                if c in self.vocab:
                    L[j, self.vocab[c]] = 1.0
        if not len(libs) or not L.any():
            return None
        cat = self.M @ (L.mean(axis=0) * self.idf)
        return {"cat": z(cat), "catmax": z(np.asarray(self.M @ L.T).max(axis=1))}


def similarity_features(lex: np.ndarray | None, emb: np.ndarray | None,
                        centroid: np.ndarray | None) -> dict[str, np.ndarray]:
    """Top-2 mean and sum of the (candidate x positive) TF-IDF cosines, top-2 mean of the
    MiniLM cosines and the cosine to the MiniLM centroid (``centroid``: index.E @ mean)."""
    out = {}
    if lex is not None and lex.shape[1]:
        top = -np.sort(-lex, axis=1)[:, :2]
        out.update(lex2=z(top.mean(axis=1)), lexsum=z(lex.sum(axis=1)))
    if emb is not None and emb.shape[1]:
        out["emb2"] = z((-np.sort(-emb, axis=1)[:, :2]).mean(axis=1))
    if centroid is not None:
        out["embcen"] = z(centroid)
    return out


def svm_scores(X, negatives, P) -> np.ndarray:
    """z(decision values over X) of a linear SVM: the positives P against ``negatives``
    (evenly spaced candidates, float64 CSR), balanced classes; deterministic (fixed seed)."""
    import scipy.sparse as sp
    from sklearn.svm import LinearSVC

    train = sp.vstack([negatives, P.astype(np.float64)], format="csr")
    y = np.concatenate([np.zeros(negatives.shape[0]), np.ones(P.shape[0])])
    clf = LinearSVC(C=SVM_C, class_weight="balanced", max_iter=2000, tol=1e-4,
                    random_state=0, dual=True)
    clf.fit(train, y)
    # decision values without sklearn's validation copy of X (float64, as it computes them)
    return z(np.asarray(X @ clf.coef_.ravel()).ravel() + float(clf.intercept_[0]))


@lru_cache(maxsize=2)
def load(path: str = str(MODEL)) -> Ensemble:
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    if tuple(spec["features"]) != FEATURES:
        raise ValueError(f"ranker features {spec['features']} differ from {FEATURES}")
    return Ensemble(spec, len(FEATURES))


def export(clf, path: Path) -> None:
    """Write a fitted sklearn HistGradientBoostingClassifier as the constant table."""
    trees = []
    for (pred,) in clf._predictors:
        nodes = pred.nodes
        trees.append({"feature": [-1 if n["is_leaf"] else int(n["feature_idx"]) for n in nodes],
                      "threshold": [float(n["num_threshold"]) for n in nodes],
                      "left": [int(n["left"]) for n in nodes],
                      "right": [int(n["right"]) for n in nodes],
                      "value": [float(n["value"]) if n["is_leaf"] else 0.0 for n in nodes]})
    spec = {"features": list(FEATURES), "baseline": float(np.ravel(clf._baseline_prediction)[0]),
            "trees": trees,
            "note": "trained by bench/train_recommend_ranker.py on the tuning half"}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(spec, separators=(",", ":")), encoding="utf-8")


def matrix(parts: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray | None:
    """The FEATURES of the candidates ``rows`` (None when one is missing)."""
    if any(name not in parts for name in FEATURES):
        return None
    return np.stack([parts[name][rows] for name in FEATURES], axis=1)


def rerank(parts: dict[str, np.ndarray], fused: np.ndarray,
           model: Ensemble | None = None) -> np.ndarray:
    """Final scores: the top DEPTH of ``fused`` by the ensemble's log-odds + BLEND * fused,
    the rest in the fusion's order below them; ``fused`` itself when a feature is missing."""
    n = len(fused)
    k = min(DEPTH, n)
    top = np.argpartition(-fused, k - 1)[:k] if k < n else np.arange(n)
    M = matrix({**parts, "fused": fused}, top)
    if M is None or not n:
        return fused
    model = model or load()
    score = model.predict(M) + BLEND * fused[top]
    out = fused - float(fused.max()) + float(score.min()) - 1.0
    out[top] = score
    return out
