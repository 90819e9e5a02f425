"""Train the recommender's learned re-ranker (``rank.learned``) on the TUNING half of the proxy
readers of ``eval_recommend.py`` (plus, with ``--augment``, extra training readers that never
touch the report half) and evaluate it, through the production code.

Features come from the production path itself (``rank.recommend.scored``: components, fusion
and the fusion's near-top features, over
a ``CandidateIndex`` of the 6,422 April candidates with their categories and MiniLM vectors),
so training and serving cannot drift apart. Training rows per reader: the top 300 of the
fusion and 300 random candidates (seeded), label = the reader's target paper; a sklearn
``HistGradientBoostingClassifier`` (``HGB`` updated by ``--hp`` JSON, by default ``SHIPPED``:
500 trees of at most 31 leaves, >= 100 rows a leaf, learning rate 0.1, no early stopping) is
fitted once and written to ``src/paperradar/rank/data/ranker.json`` (``--write``).

``--augment march,april,reverse`` adds training readers built by the same rules (>= 3 library
and >= 2 target papers sharing a co-author) from other windows of the same data, for
tuning-half author names only (the report half's names, by the same hash, never appear), with
every April paper that is a report-half reader's target removed from their libraries,
targets and candidates: ``march`` (library 1-15 March, targets and candidates 16-31 March),
``april`` (the same within April), ``reverse`` (library April, targets and candidates March);
see ``augmented_readers``.

``--cv`` prints a 4-fold cross-validation over the tuning half (readers split by position;
each fold also trains on the augmented readers whose name is not in the held-out fold), the
estimate used to choose the method; ``--grid`` prints it for every setting of ``GRID`` and
stops. Neither reads the report half. The table (in-sample on the tuning half; the report
half only with ``--report``): nDCG@10 / Recall@50 of ``recommend()`` with the re-ranker, of
the fusion alone (``rerank=False``) and of arxiv-sanity's faithful SVM (cached per reader by
``eval_recommend_cache.py`` in $PAPERRADAR_BENCH_DIR/rec_cache), ratios with a paired
bootstrap 95% CI over readers, and the time per reader of both (pure core, load average).

Usage: python bench/train_recommend_ranker.py [--grid] [--cv] [--augment SETS] [--hp JSON]
       [--write] [--report]
"""

from __future__ import annotations

import argparse
import json
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
                                       recommend, scored)

SAMPLE = 300
FUSION = replace(DEFAULT_PARAMS, rerank=False)


HGB = dict(max_iter=150, learning_rate=0.05, max_leaf_nodes=31, min_samples_leaf=100,
           l2_regularization=1.0)  # sklearn's early stopping ("auto"): the 65 trees shipped before
SHIPPED = {"early_stopping": False, "max_iter": 500, "learning_rate": 0.1}  # over HGB: shipped
PREVIOUS_HGB = {"max_leaf_nodes": 15, "min_samples_leaf": 50}  # the re-ranker before those
AUG_SETS = ("march", "april", "reverse")


def training_rows(readers_feats, sample_seed: int = 0):
    """(X, y): per reader, the fusion's top SAMPLE and SAMPLE random candidates (seeded by
    the reader's position; ``sample_seed`` 0 gives the rows the shipped model was fitted on)."""
    X, y = [], []
    for g, (M, fused, mask) in enumerate(readers_feats):
        rng = np.random.default_rng(g + 1_000_003 * sample_seed)
        sel = np.union1d(np.argpartition(-fused, SAMPLE)[:SAMPLE],
                         rng.choice(len(fused), SAMPLE, replace=False))
        X.append(M[sel])
        y.append(mask[sel])
    return np.concatenate(X), np.concatenate(y)


def fit(readers_feats, sample_seed: int = 0, **hp):
    """An HGB classifier on the sampled rows of these readers' (matrix, targets)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    clf = HistGradientBoostingClassifier(**{**HGB, "random_state": 0, **hp})
    return clf.fit(*training_rows(readers_feats, sample_seed))


def augmented_readers(rows, readers, which=AUG_SETS):
    """Extra TRAINING readers from the same data that never touch the report half: no
    report-half author (by the same name hash) and no April paper that is a report-half
    reader's target (dropped from libraries, targets and candidates alike).
      march    library = papers first listed 1-15 March, targets = 16-31 March,
               candidates = every paper first listed 16-31 March
      april    the same within April (1-15 / 16-30)
      reverse  library = April, targets = March, candidates = every March paper
    Returns {set: (candidate row indices, [(name, library ids, target ids)])}."""
    held = set().union(*(t for n, _, t in readers if not E.tune_half(n)))
    month = lambda r: r["first_listing_date"][5:7]  # noqa: E731
    early = lambda r: r["first_listing_date"][8:10] < "16"  # noqa: E731
    ok = [r for r in rows if r["id"] not in held]
    spec = {"march": (lambda r: month(r) == "03" and early(r),
                      lambda r: month(r) == "03" and not early(r)),
            "april": (lambda r: month(r) == "04" and early(r),
                      lambda r: month(r) == "04" and not early(r)),
            "reverse": (lambda r: month(r) == "04", lambda r: month(r) == "03")}
    pos = {r["id"]: i for i, r in enumerate(rows)}
    out = {}
    for w in which:
        lib_of, tgt_of = spec[w]
        cand = np.array(sorted(pos[r["id"]] for r in ok if tgt_of(r)))
        out[w] = (cand, E.window_readers(ok, lib_of, tgt_of, E.tune_half))
    return out


def ndcg_of(scores: np.ndarray, ids: list[str], targets: set[str]) -> tuple[float, float]:
    r = np.round(scores, 6)
    top = np.argpartition(-r, 60)[:60]
    top = sorted(top, key=lambda i: (-r[i], ids[i]))[:50]
    ranked = [ids[i] for i in top]
    return E.ndcg10(ranked, targets), E.recall50(ranked, targets)


def boot(a, b, n=10_000):
    if b is None:
        return "(no arxiv-sanity cache)"
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(a), size=(n, len(a)))
    lo, hi = np.percentile(a[idx].mean(1) / np.maximum(b[idx].mean(1), 1e-12), [2.5, 97.5])
    return f"{a.mean() / b.mean():.2f}x [{lo:.2f}, {hi:.2f}]"


GRID = [(aug, hp) for aug in ((), ("march",), ("march", "april"), ("reverse",), AUG_SETS)
        for hp in (PREVIOUS_HGB, {})]  # the first: the previous re-ranker's recipe


def arxiv_sanity(name):
    """arxiv-sanity's SVM scores of the reader from the rec_cache (the full cache of
    ``eval_recommend_cache.py`` or its ``--as-svm-only`` files); None when not cached."""
    for f in (C.CACHE / f"{C.key(name)}.npz", C.CACHE / f"{C.key(name)}.as.npz"):
        if f.exists():
            with np.load(f) as zf:
                return zf["as_svm"]
    return None


def positives(rows, pos, texts, vecs, lib):
    return [Positive(p, rows[pos[p]]["title"], texts[pos[p]], "you saved", vecs[pos[p]],
                     tuple(rows[pos[p]]["categories"]), rows[pos[p]].get("comment") or "")
            for p in lib]


def candidate_index(rows, texts, vecs, idx) -> CandidateIndex:
    """The production index of the rows ``idx`` (texts, MiniLM, categories, titles, comments)."""
    return CandidateIndex([rows[i]["id"] for i in idx], [texts[i] for i in idx], vecs[idx],
                          DEFAULT_PARAMS, [rows[i]["categories"] for i in idx],
                          [" ".join((rows[i]["title"] or "").split()) for i in idx],
                          [rows[i].get("comment") or "" for i in idx])


def features(index, ps, targets):
    """(feature matrix of every candidate, fused score, target mask) by the production code."""
    parts, fused, _ = scored(index, ps, (), DEFAULT_PARAMS)
    M = learned.matrix({**parts, "fused": fused}, np.arange(len(index)))
    mask = np.zeros(len(index), bool)
    mask[[index.pos[p] for p in targets]] = True
    return M, fused, mask


def cv(tune, aug, ids, **hp):
    """Per-reader 4-fold CV nDCG@10 over the tuning readers (split by position); each fold
    trains on the other folds' readers plus the augmented readers of other names."""
    res = np.zeros(len(tune))
    for k in range(4):
        held = {x[0] for i, x in enumerate(tune) if i % 4 == k}
        clf = fit([x[3:6] for i, x in enumerate(tune) if i % 4 != k]
                  + [a[1:4] for a in aug if a[0] not in held], **hp)
        for i, (_, _, targets, M, fused, _, _) in enumerate(tune):
            if i % 4 == k:
                res[i] = ndcg_of(reranked(clf.decision_function, M, fused), ids, targets)[0]
    return res


def reranked(score, M, fused, blend: float = learned.BLEND) -> np.ndarray:
    """The re-ranker's final scores as ``rank.learned.rerank`` forms them: ``score`` (a model's
    raw output) + ``blend`` * fused over the fusion's top DEPTH, the rest below them."""
    s = fused - fused.max() - 1.0
    top = np.argpartition(-fused, learned.DEPTH)[:learned.DEPTH]
    s[top] = score(M[top]) + blend * fused[top]
    return s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cv", action="store_true")
    ap.add_argument("--grid", action="store_true",
                    help="4-fold tuning-half CV of every setting of GRID (report half unread)")
    ap.add_argument("--grid-json", default="",
                    help='another grid for --grid: [[["reverse"], {"random_state": 1}], ...]')
    ap.add_argument("--augment", default="",
                    help="comma-separated extra training reader sets: " + ",".join(AUG_SETS))
    ap.add_argument("--hp", default=json.dumps(SHIPPED),
                    help="JSON overrides of the HGB settings (default: the shipped ones)")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--report", action="store_true",
                    help="also evaluate on the REPORT half (read it once, for the final model)")
    args = ap.parse_args()
    hp = json.loads(args.hp)
    which = tuple(w for w in args.augment.split(",") if w)
    grid = [(tuple(a), h) for a, h in json.loads(args.grid_json)] if args.grid_json else GRID
    rows, readers, vecs, _, cand = C.load_corpus()
    texts = [E.text(r) for r in rows]
    pos = {r["id"]: i for i, r in enumerate(rows)}
    t = time.perf_counter()
    index = candidate_index(rows, texts, vecs, cand)
    print(f"{len(index):,} candidates, index in {time.perf_counter() - t:.1f} s; "
          f"{len(readers)} proxy readers", flush=True)
    halves: dict[str, list] = {"tune": [], "report": []}
    for name, lib, targets in readers:
        half = "tune" if E.tune_half(name) else "report"
        if half == "report" and not args.report:
            continue  # the report half is not even featurised unless asked for
        ps = positives(rows, pos, texts, vecs, lib)
        M, fused, mask = features(index, ps, targets)
        svm = arxiv_sanity(name)
        halves[half].append((name, ps, targets, M, fused, mask, svm))
    print(f"features of every reader: {time.perf_counter() - t:.0f} s", flush=True)
    tune = halves["tune"]
    aug_sets = set(which) | ({w for a, _ in grid for w in a} if args.grid else set())
    aug: dict[str, list] = {}
    for w, (acand, areaders) in augmented_readers(rows, readers, sorted(aug_sets)).items():
        t = time.perf_counter()
        aindex = candidate_index(rows, texts, vecs, acand)
        aug[w] = [(name, *features(aindex, positives(rows, pos, texts, vecs, lib), targets))
                  for name, lib, targets in areaders]
        print(f"augmented set {w}: {len(aindex):,} candidates, {len(areaders)} readers "
              f"({time.perf_counter() - t:.0f} s)", flush=True)
    ref = (np.array([ndcg_of(x[6], index.ids, x[2])[0] for x in tune])
           if all(x[6] is not None for x in tune) else None)
    fu = np.array([ndcg_of(x[4], index.ids, x[2])[0] for x in tune])
    if args.grid:
        base = None
        print(f"tuning half, {len(tune)} readers: fusion {fu.mean():.4f} ({boot(fu, ref)} "
              f"arxiv-sanity)", flush=True)
        for a, h in grid:
            res = cv(tune, [x for w in a for x in aug[w]], index.ids, **h)
            base = res if base is None else base
            print(f"  CV augment={'+'.join(a) or '-':20s} hp={json.dumps(h):45s} nDCG@10 "
                  f"{res.mean():.4f}  {boot(res, ref)} arxiv-sanity  {boot(res, fu)} fusion  "
                  f"{boot(res, base)} the first setting", flush=True)
        return
    extra = [x for w in which for x in aug[w]]
    if args.cv:
        res = cv(tune, extra, index.ids, **hp)
        print(f"4-fold CV on the tuning half (augment={'+'.join(which) or '-'}, hp={hp}): "
              f"re-ranker nDCG@10 {res.mean():.4f} ({boot(res, ref)} arxiv-sanity, "
              f"{boot(res, fu)} the fusion), fusion {fu.mean():.4f} ({boot(fu, ref)})",
              flush=True)
    if args.write:
        clf = fit([x[3:6] for x in tune] + [a[1:4] for a in extra], **hp)
        learned.export(clf, learned.MODEL)
        learned.load.cache_clear()
        print(f"wrote {learned.MODEL} ({clf.n_iter_} trees; {len(tune)} tuning + "
              f"{len(extra)} augmented readers)")
    for half, group in halves.items():
        if not group:
            continue
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
