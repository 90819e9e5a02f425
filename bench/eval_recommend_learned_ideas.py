"""What else was tried before the learned re-ranker was shipped, on the TUNING half only
(4-fold cross-validation over its readers, split by position; the report half is not read).

Per reader, the production components (``rank.recommend.components``, the re-ranker's
features included) plus lexical ones the shipped index does not hold:
  lex1 / roc1        TF-IDF max-sim / Rocchio with min_df 1 (1-2-grams, English stop words)
  b1max, b2max, b2sum  BM25 library-as-query with min_df 1: unigrams (max), 1-2-grams (max, sum)
  rare               how many of the library's terms a candidate shares that <= 3 candidates have
Methods, each scored by CV nDCG@10 (ratio to arxiv-sanity's SVM from the rec_cache, and to the
shipped fusion alone):
  greedy     a greedy linear fusion from the shipped weights (+-0.25 .. +1 steps, 5 steps)
  logreg     pointwise logistic regression over every component
  knn        the fused score smoothed over a k-NN graph of the candidates (TF-IDF / MiniLM)
  gb -X      the shipped re-ranker's recipe without feature group X (svm1k, categories)
and a few single components alone (the SVM against 1,000 candidates, categories, ...).

Usage: python bench/eval_recommend_learned_ideas.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_recommend as E  # noqa: E402
import eval_recommend_cache as C  # noqa: E402
import train_recommend_ranker as T  # noqa: E402

from paperradar.rank import learned  # noqa: E402
from paperradar.rank.recommend import (DEFAULT_PARAMS, CandidateIndex, Positive,  # noqa: E402
                                       components, fuse)

SHIPPED = {"roc": 1.5, "lex": 0.25, "emb": 0.5, "bm25": 1.5}


def bm25(texts, ngram):
    from sklearn.feature_extraction.text import CountVectorizer

    n = len(texts)
    cv = CountVectorizer(strip_accents="unicode", stop_words="english", min_df=1, max_df=0.5,
                         ngram_range=ngram)
    tf = cv.fit_transform(texts).tocsr().astype(np.float64)
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    dl = np.asarray(tf.sum(axis=1)).ravel()
    norm = 1.2 * (0.25 + 0.75 * dl / dl.mean())
    rows = np.repeat(np.arange(n), np.diff(tf.indptr))
    tf.data = idf[tf.indices] * tf.data * 2.2 / (tf.data + norm[rows])
    return cv, tf, df


class Extra:
    """The lexical components the shipped index does not hold."""

    def __init__(self, ctexts):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.tv = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_df=0.5,
                                  strip_accents="unicode", stop_words="english")
        self.X = self.tv.fit_transform(ctexts).tocsr()
        self.b1, self.b2 = bm25(ctexts, (1, 1)), bm25(ctexts, (1, 2))

    def features(self, lib_texts):
        z = learned.z
        P = self.tv.transform(lib_texts)
        lex = (self.X @ P.T).toarray()
        out = {"lex1": z(lex.max(1)), "roc1": z(self.X @ np.asarray(P.mean(0)).ravel())}
        for name, (cv, B, df) in (("b1", self.b1), ("b2", self.b2)):
            Q = cv.transform(lib_texts)
            Q.data[:] = 1
            S = (B @ Q.T).toarray()
            S /= np.maximum(S.max(0, keepdims=True), 1e-9)
            out[name + "max"], out[name + "sum"] = z(S.max(1)), z(S.sum(1))
            if name == "b1":
                q = (np.asarray(Q.sum(0)).ravel() > 0) & (df <= 3)
                out["rare"] = z((B > 0).astype(np.float64) @ q.astype(np.float64))
        return out


def ndcg(scores, mask):
    return T.ndcg_of(scores, IDS, set(np.flatnonzero(mask)))[0]


def linear(group, w):
    return np.array([ndcg(sum(v * f[k] for k, v in w.items() if v), m) for f, m, _ in group])


def greedy(group, keys, steps=5):
    w, best = dict(SHIPPED), linear(group, SHIPPED).mean()
    for _ in range(steps):
        found = None
        for k in keys:
            for d in (-0.5, -0.25, 0.25, 0.5, 1.0):
                w2 = {**w, k: w.get(k, 0) + d}
                score = linear(group, w2).mean()
                if score > best + 1e-5:
                    best, found = score, w2
        if found is None:
            break
        w = found
    return w


def cv(group, method) -> np.ndarray:
    """Per-reader CV nDCG@10: ``method(train readers)`` returns a scorer of one reader."""
    res = np.zeros(len(group))
    for k in range(4):
        score = method([g for i, g in enumerate(group) if i % 4 != k])
        for i, g in enumerate(group):
            if i % 4 == k:
                res[i] = ndcg(score(g), g[1])
    return res


def main() -> None:
    global IDS
    rows, readers, vecs, _, cand = C.load_corpus()
    texts = [E.text(r) for r in rows]
    pos = {r["id"]: i for i, r in enumerate(rows)}
    ctexts = [texts[i] for i in cand]
    index = CandidateIndex([rows[i]["id"] for i in cand], ctexts, vecs[cand], DEFAULT_PARAMS,
                           [rows[i]["categories"] for i in cand])
    IDS = list(range(len(index)))  # ties by position = ties by id (ids are sorted)
    extra = Extra(ctexts)
    group, ref = [], []
    t = time.perf_counter()
    for name, lib, targets in readers:
        if not E.tune_half(name):
            continue
        ps = [Positive(p, rows[pos[p]]["title"], texts[pos[p]], "you saved", vecs[pos[p]],
                       tuple(rows[pos[p]]["categories"])) for p in lib]
        parts, _ = components(index, ps, (), DEFAULT_PARAMS)
        parts["fused"] = fuse(parts, DEFAULT_PARAMS, len(index), index)
        parts.update(extra.features([p.text for p in ps]))
        mask = np.zeros(len(index), bool)
        mask[[index.pos[p] for p in targets]] = True
        group.append((parts, mask, ps))
        with np.load(C.CACHE / f"{C.key(name)}.npz") as zf:
            ref.append(ndcg(zf["as_svm"], mask))
    ref = np.array(ref)
    fusion = linear(group, SHIPPED)
    print(f"{len(group)} tuning readers, components in {time.perf_counter() - t:.0f} s; "
          f"fusion alone {fusion.mean():.4f} ({T.boot(fusion, ref)} arxiv-sanity)", flush=True)

    def show(label, res):
        print(f"  {label:44s} CV nDCG@10 {res.mean():.4f}  {T.boot(res, ref)} arxiv-sanity  "
              f"{T.boot(res, fusion)} the fusion", flush=True)

    for k in ("svm1k", "cat", "lex2", "b2max"):  # single components, no fitting
        show(f"{k} alone", linear(group, {k: 1}))
    keys = [k for k in group[0][0] if k != "fused"]
    show("greedy linear fusion", cv(group, lambda tr: (
        lambda w: (lambda g: sum(v * g[0][k] for k, v in w.items() if v)))(greedy(tr, keys))))
    show("logistic regression", cv(group, lambda tr: logreg(tr, keys)))
    for gname in ("tfidf", "minilm"):
        S = (index.X @ index.X.T).toarray() if gname == "tfidf" else index.E @ index.E.T
        np.fill_diagonal(S, 0)
        nb = np.argpartition(-S, 30, axis=1)[:, :30]
        sims = np.take_along_axis(S, nb, 1)
        del S
        order = np.argsort(-sims, axis=1)  # neighbours best first
        nb, sims = np.take_along_axis(nb, order, 1), np.take_along_axis(sims, order, 1)
        for k in (5, 30):
            for alpha in (0.25, 0.5):
                res = np.array([ndcg(smooth(f["fused"], nb[:, :k], sims[:, :k], alpha), m)
                                for f, m, _ in group])
                show(f"k-NN smoothing ({gname}, k {k}, alpha {alpha})", res)
    for drop in ((), ("svm1k",), ("cat", "catmax")):
        feats = [f for f in learned.FEATURES if f not in drop]
        show(f"re-ranker recipe{' without ' + '+'.join(drop) if drop else ''}",
             cv(group, lambda tr, feats=feats: boosted(tr, feats)))


def training_rows(train, keys) -> tuple[np.ndarray, np.ndarray]:
    """Features ``keys`` and labels of each training reader's sampled candidates, stacked."""
    X, y = [], []
    for g, (f, m, _) in enumerate(train):
        sel = sample(f["fused"], g)
        X.append(np.stack([f[k][sel] for k in keys], 1))
        y.append(m[sel])
    return np.concatenate(X), np.concatenate(y)


def logreg(train, keys):
    from sklearn.linear_model import LogisticRegression

    w = LogisticRegression(C=0.01, max_iter=2000).fit(*training_rows(train, keys)).coef_[0]
    return lambda g: np.stack([g[0][k] for k in keys], 1) @ w


def boosted(train, feats):
    from sklearn.ensemble import HistGradientBoostingClassifier

    clf = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=15,
                                         min_samples_leaf=50, l2_regularization=1.0,
                                         random_state=0).fit(*training_rows(train, feats))

    def score(g):
        fused = g[0]["fused"]
        top = np.argpartition(-fused, learned.DEPTH)[:learned.DEPTH]
        s = fused - fused.max() - 1.0
        s[top] = clf.decision_function(np.stack([g[0][k][top] for k in feats], 1)) + \
            learned.BLEND * fused[top]
        return s
    return score


def sample(fused, g):
    rng = np.random.default_rng(g)
    return np.union1d(np.argpartition(-fused, T.SAMPLE)[:T.SAMPLE],
                      rng.choice(len(fused), T.SAMPLE, replace=False))


def smooth(fused, idx, w, alpha):
    """The fused score plus alpha x the similarity-weighted mean of its positive part over
    each candidate's nearest neighbours (both standardised)."""
    w = w / np.maximum(w.sum(1, keepdims=True), 1e-12)
    s = fused / max(fused.std(), 1e-12)
    lift = np.maximum(s, 0)
    return s + alpha * (w * lift[idx]).sum(1) / max(lift.std(), 1e-12)


IDS: list = []

if __name__ == "__main__":
    main()
