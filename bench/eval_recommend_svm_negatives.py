"""Which negatives should the re-ranker's fast SVM feature train against? A tuning-half-only
experiment for ``rank.learned`` (the report half is never featurised).

The shipped feature ``svm1k`` is a linear SVM (C=1, balanced) of the reader's positives against
1,000 evenly spaced candidates: ~25 ms, where the SVM against every candidate (the strongest
single signal, but ~260 ms at 10,000 candidates) is over the 200 ms budget. Most of the full
SVM's support vectors are the candidates nearest the positives, so this tries "hard" negatives:
the fusion's top K plus the evenly spaced ones. For each variant it swaps the ``svm1k`` column
(or adds the variant as a 13th column), re-runs the 4-fold tuning-half CV of
``train_recommend_ranker.py`` and prints nDCG@10 with paired bootstrap CIs against the shipped
feature, and the SVM's median time per reader.

Measured in the eleventh session (320 tuning readers, the 500-tree recipe, sample seed 0;
paired against the shipped svm1k's CV 0.0942; SVM median per reader at 6,422 candidates,
load ~1.5): no variant helps, as a swap or as a 13th column, not even the SVM against every
candidate. top500 swap 0.98x / add 0.99x (50 ms); top1000 0.95x [0.90, 1.00] / 1.00x
(62 ms); even2000 0.99x / 1.00x (62 ms); all 0.99x / 1.00x (202 ms). The shipped feature stays.

Usage: python bench/eval_recommend_svm_negatives.py [--variants top500,top1000,all] [--limit N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_recommend as E  # noqa: E402
import eval_recommend_cache as C  # noqa: E402
import train_recommend_ranker as T  # noqa: E402

from paperradar.rank import learned  # noqa: E402

COL = learned.FEATURES.index("svm1k")


def hard_svm(index, P, fused, top: int, even: int, C: float = learned.SVM_C,
             tol: float = 1e-4) -> np.ndarray:
    """z(decision values) of an SVM of P against the fusion's top ``top`` candidates and
    ``even`` evenly spaced ones (``top`` < 0: every candidate)."""
    import scipy.sparse as sp
    from sklearn.svm import LinearSVC

    n = len(index)
    if top < 0:
        rows = np.arange(n)
    else:
        rows = np.union1d(np.argpartition(-fused, top)[:top] if top else [],
                          np.linspace(0, n - 1, min(n, even)).astype(int)).astype(int)
    negs = index.X[rows].astype(np.float64)
    train = sp.vstack([negs, P.astype(np.float64)], format="csr")
    y = np.concatenate([np.zeros(negs.shape[0]), np.ones(P.shape[0])])
    clf = LinearSVC(C=C, class_weight="balanced", max_iter=2000, tol=tol, random_state=0,
                    dual=True).fit(train, y)
    return learned.z(np.asarray(index.X @ clf.coef_.ravel()).ravel() + float(clf.intercept_[0]))


VARIANTS = {  # name: (top, even, C, tol)
    "top250": (250, 1000, 1.0, 1e-4),
    "top500": (500, 1000, 1.0, 1e-4),
    "top1000": (1000, 1000, 1.0, 1e-4),
    "top2000": (2000, 1000, 1.0, 1e-4),
    "top500c.3": (500, 1000, 0.3, 1e-4),
    "even2000": (0, 2000, 1.0, 1e-4),
    "all": (-1, 0, 1.0, 1e-4),
    "all_tol.01": (-1, 0, 1.0, 1e-2),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", default="top500,top1000,all")
    ap.add_argument("--limit", type=int, default=0, help="only the first N tuning readers")
    args = ap.parse_args()
    names = [v for v in args.variants.split(",") if v]
    rows, readers, vecs, _, cand = C.load_corpus()
    texts = [E.text(r) for r in rows]
    pos = {r["id"]: i for i, r in enumerate(rows)}
    index = T.candidate_index(rows, texts, vecs, cand)
    tune, extra, secs = [], {v: [] for v in names}, {v: [] for v in names}
    for name, lib, targets in readers:
        if not E.tune_half(name):
            continue  # the report half is not read
        ps = T.positives(rows, pos, texts, vecs, lib)
        M, fused, mask = T.features(index, ps, targets)
        P = index.features([p.text for p in ps])
        for v in names:
            top, even, c, tol = VARIANTS[v]
            t = time.perf_counter()
            extra[v].append(hard_svm(index, P, fused, top, even, c, tol))
            secs[v].append(time.perf_counter() - t)
        tune.append((name, ps, targets, M, fused, mask, T.arxiv_sanity(name)))
        if args.limit and len(tune) >= args.limit:
            break
    ref = (np.array([T.ndcg_of(x[6], index.ids, x[2])[0] for x in tune])
           if all(x[6] is not None for x in tune) else None)
    base = T.cv(tune, [], index.ids, **T.SHIPPED)
    print(f"{len(tune)} tuning readers; shipped svm1k: CV nDCG@10 {base.mean():.4f} "
          f"({T.boot(base, ref)} arxiv-sanity)", flush=True)
    for v in names:
        for how in ("swap", "add"):
            alt = []
            for x, col in zip(tune, extra[v]):
                M = x[3].copy()
                if how == "swap":
                    M[:, COL] = col
                else:
                    M = np.concatenate([M, col[:, None]], axis=1)
                alt.append((*x[:3], M, *x[4:]))
            res = T.cv(alt, [], index.ids, **T.SHIPPED)
            print(f"  {v:11s} {how}: CV nDCG@10 {res.mean():.4f}  {T.boot(res, base)} shipped  "
                  f"{T.boot(res, ref)} arxiv-sanity; SVM median "
                  f"{statistics.median(secs[v]) * 1e3:.0f} ms", flush=True)


if __name__ == "__main__":
    main()
