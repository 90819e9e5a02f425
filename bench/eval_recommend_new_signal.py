"""Is there signal the shipped re-ranker does not see yet? A tuning-half-only experiment for
``rank.learned`` (the report half is never featurised).

The re-ranker's 12 features are similarities over the title + abstract (TF-IDF with
df >= 2, BM25, MiniLM) and the arXiv categories. This adds, one at a time and all together,
candidate features computed from the same dev data (authors still withheld), each z-scored
over the candidates like the others, and reruns the shipped recipe's 4-fold tuning-half CV
(``eval_recommend_lambdarank.cv``), paired against the 12 features alone:

  rare    the IDF mass of the words a candidate shares with its closest positive, counting
          only words in at most 10 candidates (df 1 included, which the TF-IDF drops): the
          idiosyncratic vocabulary (method, dataset, project names) a group reuses
  title   TF-IDF (1-2-grams) cosine of the candidate's title to its closest positive title
  caps    the IDF mass of case-sensitive "name" tokens shared with the closest positive:
          tokens with two capitals or letters and digits mixed (GRPO, LLaMA-3, ViT-B/16)
  comment TF-IDF cosine of the arXiv comment fields (venue, pages, project URLs)

Measured in the twelfth session (320 tuning readers; ratios paired against the 12 features):
  one at a time, 1 seed: rare 0.98x, title 0.97x, caps 0.98x, comment 1.02x [0.97, 1.08];
  3 seeds: comment 0.99x, caps+comment 1.00x, rare+comment 1.02x, title+comment 0.96x;
  5 seeds: rare+caps+comment 1.02x [0.97, 1.07], rare+title+caps 0.98x [0.93, 1.03],
  all four 1.05x [0.99, 1.11] (0.1006 against 0.0959). The four together, 3 seeds, on two
  other fold splits (``--shuffle 1`` / ``2``): 1.04x [0.98, 1.11] and 1.08x [1.02, 1.16].
  No one signal helps alone and dropping any one loses the gain, but all four together are
  ahead on three fold splits. All four were then shipped (``rank.signals``, 16 features;
  report half 1.23x arxiv-sanity against 1.21x: see the README).

Usage: python bench/eval_recommend_new_signal.py [--only rare,title] [--seeds N] [--shuffle S]
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
from paperradar.rank.signals import Signals  # noqa: E402

SIGNALS = ("rare", "title", "caps", "comment")
BASE = learned.FEATURES.index("fused") + 1  # the 12 features before these were shipped


def extra_columns(rows, readers, cand):
    """{signal: [column per tuning reader]} in the order of the lambdarank cache, computed by
    ``rank.signals`` (these features as shipped)."""
    crow = [rows[i] for i in cand]
    pos = {r["id"]: i for i, r in enumerate(rows)}
    fields = lambda rs: ([E.text(r) for r in rs],  # noqa: E731
                         [" ".join((r["title"] or "").split()) for r in rs],
                         [r.get("comment") or "" for r in rs])
    signals = Signals(*fields(crow))
    out = {s: [] for s in SIGNALS}
    for name, lib, _ in readers:
        if E.tune_half(name):
            f = signals.features(*fields([rows[pos[p]] for p in lib]))
            for s in SIGNALS:
                out[s].append(f[s])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=",".join(SIGNALS) + ",all")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--shuffle", type=int, default=0,
                    help="other CV folds: the readers permuted by this seed first (0: none)")
    args = ap.parse_args()
    t = time.perf_counter()
    tune, ref, ids = L.tuning_features()
    ref = None if np.isnan(ref).any() else ref
    tune = [(M[:, :BASE], f, m) for M, f, m in tune]  # the first 12: without rank.signals
    rows, readers, _, _, cand = C.load_corpus()
    assert [rows[i]["id"] for i in cand] == ids
    extra = extra_columns(rows, readers, cand)
    if args.shuffle:
        perm = np.random.default_rng(args.shuffle).permutation(len(tune))
        tune = [tune[i] for i in perm]
        extra = {s: [col[i] for i in perm] for s, col in extra.items()}
        ref = None if ref is None else ref[perm]
    print(f"{len(tune)} tuning readers, features in {time.perf_counter() - t:.0f} s", flush=True)

    def run(label, signals):
        t = time.perf_counter()
        feats = [(np.column_stack([M] + [extra[s][i] for s in signals]), f, m)
                 for i, (M, f, m) in enumerate(tune)]
        res = np.mean([L.cv("hgb", T.SHIPPED, learned.BLEND, feats, ids, s)
                       for s in range(args.seeds)], axis=0)
        return res, time.perf_counter() - t

    base, dt = run("shipped", [])
    print(f"  shipped (12)   CV nDCG@10 {base.mean():.4f}  {T.boot(base, ref)} arxiv-sanity "
          f"({dt:.0f} s)", flush=True)
    for label in args.only.split(","):
        signals = list(SIGNALS) if label == "all" else label.split("+")
        res, dt = run(label, signals)
        print(f"  +{label:13s} CV nDCG@10 {res.mean():.4f}  {T.boot(res, base)} shipped  "
              f"{T.boot(res, ref)} arxiv-sanity ({dt:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
