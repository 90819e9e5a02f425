"""Ideas for the recommender measured in eval_recommend.py's protocol (the same proxy readers,
halves and candidates; methods are selected on the tuning half only, the report half printed
beside it to show whether the choice generalises).

Per reader it computes arxiv-sanity's SVM (faithful, over the whole corpus), an SVM over a
TF-IDF fit on the candidates (stop words, max_df 0.1), TF-IDF kNN (max and sum of the
similarities to the library papers, three TF-IDF set-ups: arxiv-sanity's, 1-2-grams with
min_df 2 / max_df 0.5, and candidate-fit), MiniLM max-sim, per-library-paper round robin
(each library paper contributes its best matches in turn: readers have several topics), RRF
(k=60) of SVM + TF-IDF kNN + MiniLM, and z-score fusions on a grid. Prints the 25 best by
nDCG@10 on the tuning half, with both halves and the ratio to arxiv-sanity's SVM.

Usage: python bench/eval_recommend_ideas.py [--readers 60]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_recommend as E  # noqa: E402


def tfidf(texts, fit_on=None, **kw):
    from sklearn.feature_extraction.text import TfidfVectorizer

    v = TfidfVectorizer(strip_accents="unicode", sublinear_tf=True, ngram_range=(1, 2),
                        dtype=np.float32, **kw)
    v.fit(texts if fit_on is None else fit_on)
    return v.transform(texts).tocsr()


def svm(X, lib, cand, train=None, C=0.01):
    from sklearn.svm import LinearSVC

    y = np.zeros(X.shape[0])
    y[lib] = 1
    tr = np.arange(X.shape[0]) if train is None else train
    clf = LinearSVC(C=C, class_weight="balanced", max_iter=10000, tol=1e-6).fit(X[tr], y[tr])
    return clf.decision_function(X[cand])


def z(v):
    s = v.std()
    return (v - v.mean()) / s if s > 1e-12 else v * 0


def ranks(s):
    o = np.argsort(-s, kind="stable")
    rk = np.empty(len(s))
    rk[o] = np.arange(len(s))
    return rk


def rrf(scores, k=60):
    return sum(1 / (k + ranks(s) + 1) for s in scores)


def round_robin(S):
    """A candidate's best rank under any one library paper (ties by its best similarity)."""
    rk = np.argsort(np.argsort(-S, axis=0, kind="stable"), axis=0)
    return -rk.min(1) + 1e-3 * S.max(1)


def methods():
    m = {"arxiv-sanity SVM": lambda c: c["svm"], "SVM, candidate TF-IDF": lambda c: c["svmC"],
         "MiniLM max-sim": lambda c: c["embS"].max(1)}
    for nm in "SBC":
        m[f"kNN max {nm}"] = lambda c, nm=nm: c["lex" + nm].max(1)
        m[f"kNN sum {nm}"] = lambda c, nm=nm: c["lex" + nm].sum(1)
        m[f"round robin {nm}"] = lambda c, nm=nm: round_robin(c["lex" + nm])
        m[f"round robin {nm}+MiniLM"] = lambda c, nm=nm: round_robin(c["lex" + nm] + c["embS"])
        m[f"RRF(SVM, kNN {nm}, MiniLM)"] = lambda c, nm=nm: rrf(
            [c["svm"], c["lex" + nm].max(1), c["embS"].max(1)])
    for a, b, e in itertools.product((0, .5, 1, 2), (0, .5, 1), (0, .5, 1)):
        for s, nm in (("svm", "S"), ("svmC", "C")):
            m[f"z {s}*{a} kNN{nm}*{b} MiniLM*{e}"] = (
                lambda c, a=a, b=b, e=e, s=s, nm=nm: a * z(c[s]) + b * z(c["lex" + nm].max(1))
                + e * z(c["embS"].max(1)))
    return m


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--readers", type=int, default=60, help="the first N of each half")
    args = ap.parse_args()
    rows = [json.loads(line) for line in open(E.FILE, encoding="utf-8")]
    rows.sort(key=lambda r: r["id"])
    readers = E.proxy_readers(rows)
    halves = {"tune": [r for r in readers if E.tune_half(r[0])][:args.readers],
              "report": [r for r in readers if not E.tune_half(r[0])][:args.readers]}
    need = {p for _, lib, _ in readers for p in lib} | {
        r["id"] for r in rows if r["first_listing_date"] >= E.SINCE}
    vecs, _ = E.minilm(rows, need)
    ids = [r["id"] for r in rows]
    pos = {p: i for i, p in enumerate(ids)}
    cand = np.array([i for i, r in enumerate(rows) if r["first_listing_date"] >= E.SINCE])
    cids = np.array([ids[i] for i in cand])
    texts = [E.text(r) for r in rows]
    X = {"S": tfidf(texts, stop_words="english", max_features=20000, max_df=0.1, min_df=5,
                    token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b"),
         "B": tfidf(texts, min_df=2, max_df=0.5, max_features=100000),
         "C": tfidf(texts, [texts[i] for i in cand], min_df=2, max_df=0.1, stop_words="english")}
    En = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
    comps = {}
    for half, group in halves.items():
        comps[half] = []
        for _, lib, targets in group:
            L = [pos[p] for p in lib]
            c = {"svm": svm(X["S"], L, cand),
                 "svmC": svm(X["C"], L, cand, np.concatenate([cand, L])),
                 "embS": En[cand] @ En[L].T}
            for nm, M in X.items():
                c["lex" + nm] = (M[cand] @ M[L].T).toarray()
            comps[half].append((c, targets))
    res = {}
    for name, f in methods().items():
        res[name] = {h: np.array([metrics(f(c), t, cids) for c, t in comps[h]]) for h in comps}
    ref = res["arxiv-sanity SVM"]
    print(f"{len(halves['tune'])} tuning / {len(halves['report'])} report readers; "
          "nDCG@10 Recall@50 (ratio to arxiv-sanity), sorted by the tuning half")
    best = sorted(res, key=lambda n: -res[n]["tune"][:, 0].mean())
    for n in best[:25] + [x for x in ("arxiv-sanity SVM", "MiniLM max-sim") if x not in best[:25]]:
        cells = [f"{res[n][h][:, 0].mean():.4f} {res[n][h][:, 1].mean():.4f} "
                 f"({res[n][h][:, 0].mean() / max(ref[h][:, 0].mean(), 1e-12):.2f}x)" for h in comps]
        print(f"  {n:36s} tune {cells[0]} | report {cells[1]}")


def metrics(scores, targets, cids):
    order = np.lexsort((cids, -np.round(scores, 6)))[:50]
    top = cids[order]
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(top[:10]) if d in targets)
    idcg = sum(1 / math.log2(i + 2) for i in range(min(10, len(targets))))
    return dcg / idcg, len(targets & set(top)) / len(targets)


if __name__ == "__main__":
    main()
