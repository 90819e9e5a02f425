"""Would a second pass of the re-ranker help? A tuning-half-only experiment for
``rank.learned`` (the report half is never featurised).

``signals.near_top`` (shipped) scores how close each candidate is to the fusion's top 10. The
re-ranker's own top 10 holds more of a reader's targets than the fusion's, so this computes the
same two features (``toplex``, ``topemb``) again from the re-ranker's scores and trains a
second ensemble on the 18 features + these 2, under the 4-fold tuning-half CV of
``eval_recommend_lambdarank.cv`` (same folds and recipe). The second stage's training
features come from first-stage models that never saw those readers (3 inner folds inside each
outer training set), so that the second model learns from first-stage scores as good as the
ones it meets on held-out readers. Paired against the one-stage CV with the same seeds.

Measured in the thirteenth session (320 tuning readers, 3 seeds): one stage 0.1067, two
stages 0.1063, 1.00x [0.97, 1.03]: the fusion's top 10 already carries what the second pass
would add. Not shipped.

Usage: python bench/eval_recommend_two_stage.py [--seeds N] [--shuffle S]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_recommend as E  # noqa: E402
import eval_recommend_cache as C  # noqa: E402
import eval_recommend_lambdarank as L  # noqa: E402
import train_recommend_ranker as T  # noqa: E402

from paperradar.rank import learned  # noqa: E402
from paperradar.rank.signals import near_top  # noqa: E402


def second_stage(index, score, readers):
    """The readers' (M + 2 columns of near_top over the first stage's scores, fused, mask)."""
    out = []
    for M, fused, mask in readers:
        s1 = T.reranked(score, M, fused)
        f = near_top(index.X, index.E, s1, Xc=index.Xc)
        out.append((np.column_stack([M, f["toplex"], f["topemb"]]), fused, mask))
    return out


def fit_two_stage(index, train, seed):
    """(first-stage score, second-stage score) fitted on these readers, the second on
    out-of-fold first-stage features."""
    oof = [None] * len(train)
    for j in range(3):
        inner = [x for i, x in enumerate(train) if i % 3 != j]
        score = L.fit("hgb", T.SHIPPED, inner, seed)
        held = [i for i in range(len(train)) if i % 3 == j]
        for i, x in zip(held, second_stage(index, score, [train[i] for i in held])):
            oof[i] = x
    return L.fit("hgb", T.SHIPPED, train, seed), L.fit("hgb", T.SHIPPED, oof, seed)


def cv(index, tune, ids, seed):
    """Per-reader 4-fold CV nDCG@10 of one stage and of two, on the same folds."""
    one, two = np.zeros(len(tune)), np.zeros(len(tune))
    targets = [{ids[j] for j in np.flatnonzero(m)} for _, _, m in tune]
    for k in range(4):
        train = [x for i, x in enumerate(tune) if i % 4 != k]
        s1, s2 = fit_two_stage(index, train, seed)
        held = [i for i in range(len(tune)) if i % 4 == k]
        for i, (M2, fused, _) in zip(held, second_stage(index, s1, [tune[i] for i in held])):
            M = tune[i][0]
            one[i] = T.ndcg_of(T.reranked(s1, M, fused), ids, targets[i])[0]
            two[i] = T.ndcg_of(T.reranked(s2, M2, fused), ids, targets[i])[0]
    return one, two


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--shuffle", type=int, default=0,
                    help="other CV folds: the readers permuted by this seed first (0: none)")
    args = ap.parse_args()
    t = time.perf_counter()
    tune, ref, ids = L.tuning_features()
    assert tune[0][0].shape[1] == len(learned.FEATURES)
    ref = None if np.isnan(ref).any() else ref
    rows, _, vecs, _, cand = C.load_corpus()
    index = T.candidate_index(rows, [E.text(r) for r in rows], vecs, cand)
    assert index.ids == ids
    if args.shuffle:
        perm = np.random.default_rng(args.shuffle).permutation(len(tune))
        tune = [tune[i] for i in perm]
        ref = None if ref is None else ref[perm]
    print(f"{len(tune)} tuning readers ({time.perf_counter() - t:.0f} s)", flush=True)
    runs = [cv(index, tune, ids, s) for s in range(args.seeds)]
    one = np.mean([r[0] for r in runs], axis=0)
    two = np.mean([r[1] for r in runs], axis=0)
    print(f"  one stage  CV nDCG@10 {one.mean():.4f}  {T.boot(one, ref)} arxiv-sanity")
    print(f"  two stages CV nDCG@10 {two.mean():.4f}  {T.boot(two, one)} one stage  "
          f"{T.boot(two, ref)} arxiv-sanity ({time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
