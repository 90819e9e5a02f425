"""Train the recommender's learned re-ranker (``rank.learned``) on the TUNING half of the proxy
readers of ``eval_recommend.py`` and evaluate it, through the production code, on both halves.

Features come from the production path itself (``rank.recommend.components`` and ``fuse`` over
a ``CandidateIndex`` of the 6,422 April candidates with their categories and MiniLM vectors),
so training and serving cannot drift apart. Training rows per tuning reader: the top 300 of
the fusion and 300 random candidates (seeded), label = the reader's April paper; a sklearn
``HistGradientBoostingClassifier`` (150 trees, 15 leaves, fixed seed) is fitted once and
written to ``src/paperradar/rank/data/ranker.json`` (``--write``). ``--cv`` first prints a
4-fold cross-validation over the tuning half (readers split by position), the estimate used
to choose the method without reading the report half.

The table: nDCG@10 / Recall@50 of ``recommend()`` with the re-ranker, of the fusion alone
(``rerank=False``) and of arxiv-sanity's faithful SVM (cached per reader by
``eval_recommend_cache.py`` in $PAPERRADAR_BENCH_DIR/rec_cache), ratios with a paired bootstrap
95% CI over readers, and the time per reader of both (pure core, load average printed).

Usage: python bench/train_recommend_ranker.py [--cv] [--write]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_recommend as E  # noqa: E402
import eval_recommend_cache as C  # noqa: E402

from paperradar.rank import learned  # noqa: E402
from paperradar.rank.recommend import (DEFAULT_PARAMS, CandidateIndex, Positive,  # noqa: E402
                                       components, fuse, recommend)

SAMPLE = 300
FUSION = replace(DEFAULT_PARAMS, rerank=False)


def fit(readers_feats):
    """An HGB classifier on the sampled rows of these readers' (matrix, targets)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = [], []
    for g, (M, fused, mask) in enumerate(readers_feats):
        rng = np.random.default_rng(g)
        sel = np.union1d(np.argpartition(-fused, SAMPLE)[:SAMPLE],
                         rng.choice(len(fused), SAMPLE, replace=False))
        X.append(M[sel])
        y.append(mask[sel])
    clf = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=15,
                                         min_samples_leaf=50, l2_regularization=1.0,
                                         random_state=0)
    return clf.fit(np.concatenate(X), np.concatenate(y))


def ndcg_of(scores: np.ndarray, ids: list[str], targets: set[str]) -> tuple[float, float]:
    r = np.round(scores, 6)
    top = np.argpartition(-r, 60)[:60]
    top = sorted(top, key=lambda i: (-r[i], ids[i]))[:50]
    ranked = [ids[i] for i in top]
    return E.ndcg10(ranked, targets), E.recall50(ranked, targets)


def boot(a, b, n=10_000):
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(a), size=(n, len(a)))
    lo, hi = np.percentile(a[idx].mean(1) / np.maximum(b[idx].mean(1), 1e-12), [2.5, 97.5])
    return f"{a.mean() / b.mean():.2f}x [{lo:.2f}, {hi:.2f}]"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cv", action="store_true")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    rows, readers, vecs, _, cand = C.load_corpus()
    texts = [E.text(r) for r in rows]
    pos = {r["id"]: i for i, r in enumerate(rows)}
    t = time.perf_counter()
    index = CandidateIndex([rows[i]["id"] for i in cand], [texts[i] for i in cand], vecs[cand],
                           DEFAULT_PARAMS, [rows[i]["categories"] for i in cand])
    print(f"{len(index):,} candidates, index in {time.perf_counter() - t:.1f} s; "
          f"{len(readers)} proxy readers", flush=True)
    cpos = index.pos
    halves: dict[str, list] = {"tune": [], "report": []}
    for name, lib, targets in readers:
        ps = [Positive(p, rows[pos[p]]["title"], texts[pos[p]], "you saved", vecs[pos[p]],
                       tuple(rows[pos[p]]["categories"])) for p in lib]
        parts, _ = components(index, ps, (), DEFAULT_PARAMS)
        fused = fuse(parts, DEFAULT_PARAMS, len(index), index)
        M = learned.matrix({**parts, "fused": fused}, np.arange(len(index)))
        mask = np.zeros(len(index), bool)
        mask[[cpos[p] for p in targets]] = True
        with np.load(C.CACHE / f"{C.key(name)}.npz") as zf:
            svm = zf["as_svm"]
        halves["tune" if E.tune_half(name) else "report"].append(
            (name, ps, targets, M, fused, mask, svm))
    print(f"features of every reader: {time.perf_counter() - t:.0f} s", flush=True)
    tune = halves["tune"]
    if args.cv:
        res = np.zeros(len(tune))
        for k in range(4):
            clf = fit([(M, f, m) for i, (_, _, _, M, f, m, _) in enumerate(tune) if i % 4 != k])
            for i, (_, _, targets, M, fused, _, _) in enumerate(tune):
                if i % 4 == k:
                    s = fused - fused.max() - 1.0
                    top = np.argpartition(-fused, learned.DEPTH)[:learned.DEPTH]
                    s[top] = clf.decision_function(M[top]) + learned.BLEND * fused[top]
                    res[i] = ndcg_of(s, index.ids, targets)[0]
        ref = np.array([ndcg_of(x[6], index.ids, x[2])[0] for x in tune])
        fu = np.array([ndcg_of(x[4], index.ids, x[2])[0] for x in tune])
        print(f"4-fold CV on the tuning half: re-ranker nDCG@10 {res.mean():.4f} "
              f"({boot(res, ref)} arxiv-sanity, {boot(res, fu)} the fusion), fusion "
              f"{fu.mean():.4f} ({boot(fu, ref)})", flush=True)
    if args.write:
        clf = fit([(M, f, m) for _, _, _, M, f, m, _ in tune])
        learned.export(clf, learned.MODEL)
        learned.load.cache_clear()
        print(f"wrote {learned.MODEL} ({clf.n_iter_} trees)")
    for half, group in halves.items():
        out = {"re-ranker (shipped)": [], "fusion alone": [], "arxiv-sanity SVM": []}
        times = {"re-ranker (shipped)": [], "fusion alone": []}
        for _, ps, targets, _, _, _, svm in group:
            for label, params in (("re-ranker (shipped)", DEFAULT_PARAMS),
                                  ("fusion alone", FUSION)):
                t = time.perf_counter()
                recs = recommend(index, ps, limit=50, params=params)
                times[label].append(time.perf_counter() - t)
                ranked = [r.id for r in recs]
                out[label].append((E.ndcg10(ranked, targets), E.recall50(ranked, targets)))
            out["arxiv-sanity SVM"].append(ndcg_of(svm, index.ids, targets))
        ref = np.array([x[0] for x in out["arxiv-sanity SVM"]])
        fu = np.array([x[0] for x in out["fusion alone"]])
        print(f"\n{half} half ({len(group)} readers{', TRAINED ON: in-sample' if half == 'tune' else ''})"
              f"   nDCG@10  Recall@50  ratio to arxiv-sanity [95% CI]  to the fusion")
        for label, vals in out.items():
            a = np.array(vals)
            print(f"  {label:22s} {a[:, 0].mean():.4f}  {a[:, 1].mean():.4f}   "
                  f"{boot(a[:, 0], ref)}   {boot(a[:, 0], fu)}")
        for label, ts in times.items():
            print(f"  time per reader ({len(index):,} candidates), {label}: median "
                  f"{1000 * np.median(ts):.0f} ms, p90 {1000 * np.percentile(ts, 90):.0f} ms")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
