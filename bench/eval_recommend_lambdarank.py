"""Does a ranking objective train a better re-ranker than the shipped classifier? A
tuning-half-only experiment for ``rank.learned`` (the report half is never featurised).

The shipped re-ranker is a ``HistGradientBoostingClassifier`` (log-loss) fitted on the top 300
of the fusion plus 300 random candidates per reader, then applied to the fusion's top
``DEPTH``. nDCG@10 only cares about the order within the top, so this compares, under the same
4-fold tuning-half CV as ``train_recommend_ranker.py --cv`` (same folds, same features from the
production code, same scoring: model score + ``BLEND`` * fused over the top ``DEPTH``):

  hgb           the recipe shipped until 2026-12-03 (early-stopped at 65 trees; the baseline
                the others are compared with, paired; hgb_lr.1_500 is the one shipped since)
  hgb_bag5      the mean of 5 hgb classifiers (other seeds and random rows)
  hgb_top       the same classifier fitted on the top DEPTH rows only (the rows it re-ranks)
  hgb_noes      hgb without sklearn's early stopping (all 150 trees, all rows)
  lgb_bin*      LightGBM, binary log-loss, on the shipped sample (LightGBM against sklearn;
                31 leaves, 150 trees, or as named)
  lgb_rank_*    LightGBM LambdaMART (``lambdarank``, one query per reader, its top DEPTH rows,
                label = target), with a few tree sizes, truncation levels and blends
  lgb_xendcg    LightGBM's ``rank_xendcg`` objective, same groups
  shipped*      the recipe shipped since 2026-12-03 (hgb_lr.1_500) and settings around it;
                shipped_pct / _topz add per-reader percentiles / top-DEPTH z-scores of
                every feature as 12 more columns (see ``with_features``)

and prints CV nDCG@10 with paired bootstrap CIs against the baseline and arxiv-sanity's SVM
(from the ``eval_recommend_cache.py --as-svm-only --half tune`` cache), and fit times. The
per-reader feature matrices are cached in $PAPERRADAR_BENCH_DIR/rec_tune_features.npz.

Needs ``lightgbm`` (``pip install lightgbm``; bench only, not in the extras).

Measured in the tenth session (320 tuning readers, 3 seeds where the recipe has randomness;
ratios paired against hgb's 0.0848):
  LambdaMART gains nothing: lgb_rank_15 0.99x, _31 1.04x [0.99, 1.10], xendcg 0.95x.
  Capacity does: hgb stops early at 65 trees. Without early stopping,
  hgb_300 1.04x [0.98, 1.10], hgb_500 1.09x [1.01, 1.18], hgb_1000 1.12x [1.00, 1.25],
  hgb_lr.1_300 1.09x [1.00, 1.20], hgb_lr.1_500 1.13x [1.02, 1.26] (0.0960 = 1.42x
  arxiv-sanity on the tuning half); lgb_bin_500 1.10x, lgb_bin_300_lr.1 1.13x.
  hgb_lr.1_500 was then shipped (eleventh session; see train_recommend_ranker.SHIPPED and
  the README for its one report-half reading). Around it (``--base shipped --seeds 3``,
  paired against its 0.0960), capacity has levelled off: shipped_1000 1.00x, shipped_lr.2
  0.99x, shipped_msl50 1.00x, shipped_msl300 0.98x, shipped_l63 1.00x [0.96, 1.05],
  shipped_l2_0 0.95x [0.90, 1.00]; bagging 3 (other random rows each) 0.98x [0.96, 1.00].
  Nor do features or the blend: 12 more columns of per-reader percentiles 0.97x [0.91, 1.02]
  or of z-scores over the top DEPTH 0.99x [0.94, 1.04]; blend 0 0.80x, 1 0.98x, 2 0.93x
  (0.5 kept). (hgb_bag's members draw rows by seed * 100 + member since then; at seed 0 as
  before.)

Usage: python bench/eval_recommend_lambdarank.py [--variants hgb_top,lgb_rank_31] [--seeds N]
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
import train_recommend_ranker as T  # noqa: E402

from paperradar.rank import learned  # noqa: E402

FEATS = E.WORK / "rec_tune_features.npz"
RANK = dict(objective="lambdarank", n_estimators=200, learning_rate=0.05, num_leaves=15,
            min_child_samples=100, reg_lambda=1.0, lambdarank_truncation_level=20,
            verbose=-1, deterministic=True, force_row_wise=True, n_jobs=2)
VARIANTS = {  # name: (kind, params, blend)
    "hgb": ("hgb", {}, learned.BLEND),
    "hgb_top": ("hgb_top", {}, learned.BLEND),
    "hgb_bag5": ("hgb_bag", {"n": 5}, learned.BLEND),
    "hgb_noes": ("hgb", {"early_stopping": False}, learned.BLEND),
    "lgb_bin": ("lgb_bin", {}, learned.BLEND),
    "lgb_bin_100": ("lgb_bin", {"n_estimators": 100}, learned.BLEND),
    "lgb_bin_300": ("lgb_bin", {"n_estimators": 300}, learned.BLEND),
    "lgb_bin_500": ("lgb_bin", {"n_estimators": 500}, learned.BLEND),
    "lgb_bin_1000": ("lgb_bin", {"n_estimators": 1000}, learned.BLEND),
    "lgb_bin_300_lr.1": ("lgb_bin", {"n_estimators": 300, "learning_rate": 0.1}, learned.BLEND),
    "hgb_300": ("hgb", {"early_stopping": False, "max_iter": 300}, learned.BLEND),
    "hgb_500": ("hgb", {"early_stopping": False, "max_iter": 500}, learned.BLEND),
    "hgb_lr.1_300": ("hgb", {"early_stopping": False, "max_iter": 300, "learning_rate": 0.1},
                     learned.BLEND),
    "hgb_lr.1_500": ("hgb", T.SHIPPED, learned.BLEND),  # shipped since 2026-12-03
    "hgb_1000": ("hgb", {"early_stopping": False, "max_iter": 1000}, learned.BLEND),
    "shipped": ("hgb", T.SHIPPED, learned.BLEND),  # the same as hgb_lr.1_500, by its role
    "shipped_bag3": ("hgb_bag", {"n": 3, **T.SHIPPED}, learned.BLEND),
    "shipped_1000": ("hgb", {**T.SHIPPED, "max_iter": 1000}, learned.BLEND),
    "shipped_lr.2": ("hgb", {**T.SHIPPED, "learning_rate": 0.2}, learned.BLEND),
    "shipped_msl50": ("hgb", {**T.SHIPPED, "min_samples_leaf": 50}, learned.BLEND),
    "shipped_msl300": ("hgb", {**T.SHIPPED, "min_samples_leaf": 300}, learned.BLEND),
    "shipped_l63": ("hgb", {**T.SHIPPED, "max_leaf_nodes": 63, "min_samples_leaf": 50},
                    learned.BLEND),
    "shipped_l2_0": ("hgb", {**T.SHIPPED, "l2_regularization": 0.0}, learned.BLEND),
    "shipped_b0": ("hgb", T.SHIPPED, 0.0),
    "shipped_b1": ("hgb", T.SHIPPED, 1.0),
    "shipped_b2": ("hgb", T.SHIPPED, 2.0),
    "shipped_pct": ("hgb", {**T.SHIPPED, "feat": "pct"}, learned.BLEND),
    "shipped_topz": ("hgb", {**T.SHIPPED, "feat": "topz"}, learned.BLEND),
    "lgb_bin_15": ("lgb_bin", {"num_leaves": 15, "min_child_samples": 50}, learned.BLEND),
    "lgb_rank_15": ("rank", {}, learned.BLEND),
    "lgb_rank_15_b0": ("rank", {}, 0.0),
    "lgb_rank_15_b1": ("rank", {}, 1.0),
    "lgb_rank_31": ("rank", {"num_leaves": 31}, learned.BLEND),
    "lgb_rank_7": ("rank", {"num_leaves": 7, "n_estimators": 300}, learned.BLEND),
    "lgb_rank_t10": ("rank", {"lambdarank_truncation_level": 10}, learned.BLEND),
    "lgb_rank_t50": ("rank", {"lambdarank_truncation_level": 50}, learned.BLEND),
    "lgb_rank_lr02": ("rank", {"learning_rate": 0.02, "n_estimators": 500}, learned.BLEND),
    "lgb_xendcg": ("rank", {"objective": "rank_xendcg"}, learned.BLEND),
}


def tuning_features():
    """[(M, fused, mask)] of every tuning-half reader and arxiv-sanity's nDCG@10 of each
    (cached: the featurisation takes minutes), plus the candidate ids."""
    if FEATS.exists():
        z = np.load(FEATS, allow_pickle=False)
        n = int(z["n"])
        tune = [(z[f"M{i}"], z[f"f{i}"], z[f"m{i}"]) for i in range(n)]
        if n and tune[0][0].shape[1] == len(learned.FEATURES):  # else: features changed
            return tune, z["ref"], z["ids"].tolist()
    rows, readers, vecs, _, cand = C.load_corpus()
    texts = [E.text(r) for r in rows]
    pos = {r["id"]: i for i, r in enumerate(rows)}
    index = T.candidate_index(rows, texts, vecs, cand)
    tune, ref = [], []
    for name, lib, targets in readers:
        if not E.tune_half(name):
            continue  # the report half is not read
        tune.append(T.features(index, T.positives(rows, pos, texts, vecs, lib), targets))
        svm = T.arxiv_sanity(name)
        ref.append(T.ndcg_of(svm, index.ids, targets)[0] if svm is not None else np.nan)
    arrays = {"n": len(tune), "ref": np.array(ref), "ids": np.array(index.ids)}
    for i, (M, f, m) in enumerate(tune):
        arrays.update({f"M{i}": M, f"f{i}": f, f"m{i}": m})
    np.savez(FEATS, **arrays)
    return tune, np.array(ref), index.ids


def top_rows(fused: np.ndarray) -> np.ndarray:
    return np.argpartition(-fused, learned.DEPTH)[:learned.DEPTH]


def fit(kind: str, params: dict, train: list, seed: int):
    """The scoring function (raw model output of a feature matrix) of a model trained on
    these readers' (M, fused, mask)."""
    if kind == "hgb":
        clf = T.fit(train, sample_seed=seed, random_state=seed, **params)
        return clf.decision_function
    if kind == "hgb_bag":  # mean of n classifiers, each with its own seed and random rows
        hp = {k: v for k, v in params.items() if k != "n"}
        fns = [T.fit(train, random_state=seed * 100 + j, sample_seed=seed * 100 + j, **hp)
               for j in range(params["n"])]
        return lambda M: np.mean([fn.decision_function(M) for fn in fns], axis=0)
    if kind == "hgb_top":
        from sklearn.ensemble import HistGradientBoostingClassifier

        tops = [top_rows(f) for _, f, _ in train]
        X = np.concatenate([M[t] for (M, _, _), t in zip(train, tops)])
        y = np.concatenate([m[t] for (_, _, m), t in zip(train, tops)])
        clf = HistGradientBoostingClassifier(**{**T.HGB, "random_state": seed}).fit(X, y)
        return clf.decision_function
    import lightgbm as lgb

    if kind == "lgb_bin":
        p = {**RANK, "objective": "binary", "min_child_samples": 100, "num_leaves": 31,
             "n_estimators": 150, "random_state": seed, **params}
        p.pop("lambdarank_truncation_level")
        clf = lgb.LGBMClassifier(**p).fit(*T.training_rows(train, seed))
        return lambda M: clf.predict(M, raw_score=True)
    groups = [(M[t], m[t]) for M, f, m in train for t in (top_rows(f),)]
    groups = [g for g in groups if g[1].any()]  # a query without a relevant row teaches nothing
    p = {**RANK, **params, "random_state": seed}
    if p["objective"] != "lambdarank":
        p.pop("lambdarank_truncation_level")
    clf = lgb.LGBMRanker(**p).fit(np.concatenate([g[0] for g in groups]),
                                  np.concatenate([g[1] for g in groups]).astype(int),
                                  group=[len(g[1]) for g in groups])
    return lambda M: clf.predict(M, raw_score=True)


def cv(kind: str, params: dict, blend: float, tune: list, ids: list, seed: int = 0):
    """Per-reader 4-fold CV nDCG@10 (the folds of ``train_recommend_ranker.cv``)."""
    res = np.zeros(len(tune))
    targets = [{ids[j] for j in np.flatnonzero(m)} for _, _, m in tune]
    for k in range(4):
        score = fit(kind, params, [x for i, x in enumerate(tune) if i % 4 != k], seed)
        for i, (M, fused, _) in enumerate(tune):
            if i % 4 == k:
                res[i] = T.ndcg_of(T.reranked(score, M, fused, blend), ids, targets[i])[0]
    return res


def with_features(tune: list, how: str) -> list:
    """The readers' matrices with 12 more columns per reader: ``pct`` each feature's percentile
    among the reader's candidates, ``topz`` its z-score over the fusion's top DEPTH (the rows
    the re-ranker orders) instead of over every candidate."""
    from scipy.stats import rankdata

    out = []
    for M, fused, mask in tune:
        if how == "pct":
            extra = rankdata(M, axis=0) / len(M)
        else:
            top = M[top_rows(fused)]
            extra = (M - top.mean(axis=0)) / np.maximum(top.std(axis=0), 1e-12)
        out.append((np.concatenate([M, extra], axis=1), fused, mask))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--seeds", type=int, default=1, help="mean over this many model seeds")
    ap.add_argument("--base", default="hgb", help="the variant the others are paired with")
    args = ap.parse_args()
    t = time.perf_counter()
    tune, ref, ids = tuning_features()
    ref = None if np.isnan(ref).any() else ref
    fu = np.array([T.ndcg_of(f, ids, {ids[j] for j in np.flatnonzero(m)})[0]
                   for _, f, m in tune])
    print(f"{len(tune)} tuning readers ({time.perf_counter() - t:.0f} s); fusion alone "
          f"{fu.mean():.4f} ({T.boot(fu, ref)} arxiv-sanity)", flush=True)
    base = None
    for name in [args.base] + [v for v in args.variants.split(",") if v and v != args.base]:
        kind, params, blend = VARIANTS[name]
        t = time.perf_counter()
        params = dict(params)
        feats = with_features(tune, params.pop("feat")) if "feat" in params else tune
        res = np.mean([cv(kind, params, blend, feats, ids, s) for s in range(args.seeds)], axis=0)
        base = res if base is None else base
        print(f"  {name:15s} CV nDCG@10 {res.mean():.4f}  {T.boot(res, base)} {args.base}  "
              f"{T.boot(res, ref)} arxiv-sanity  ({time.perf_counter() - t:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
