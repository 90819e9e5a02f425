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

Thirteenth session, ``--more --base all``: the signals of ``new_signal_candidates`` added to
the 16 shipped features (ratios paired against those 16, whose CV is 0.0995-0.1009):
  1 seed: url 1.01x, bigram 1.01x, rare20 0.98x, rare_sum 1.02x, coh_rare 1.01x,
  coh_tfidf 1.05x [0.99, 1.11], coh_minilm 1.05x [0.99, 1.12];
  3 seeds: coh_tfidf+coh_minilm (mean cosine to the fusion's top 10) 1.06x [1.01, 1.11];
  + coh_rare 1.06x, + rare_sum 1.05x, + url + bigram 1.04x; the same pair at top 5 / 20 / 50
  1.04x / 1.04x / 1.05x; cohmax (highest cosine to one of the top 10) 1.07x [1.02, 1.13].
  Other fold splits (``--shuffle 1`` / ``2``), 3 seeds: mean 1.03x / 1.04x, cohmax 1.03x
  [0.99, 1.07] / 1.09x [1.04, 1.14]. cohmax at 10 was shipped (``signals.near_top``: toplex,
  topemb; 18 features; see the README for its one report-half reading).

Fourteenth session, ``--full`` (the baseline is the 18 shipped features, CV 0.1067; seed
split 0 unless said), paired ratios, 3 seeds:
  second vector views of ``second_view`` (highest / top-2 mean cosine to the positives,
  highest to the fusion's top 10): MiniLM over the title alone 1.01x [0.97, 1.05] (top-2
  alone 1.01x, near-top alone 1.00x); MiniLM over the abstract's second half 1.01x [0.97,
  1.05]; a character 3-5-gram TF-IDF (the authorship-attribution representation) 1.01x
  [0.98, 1.05], its highest cosine alone 1.02x [0.99, 1.05], and on fold splits 1 / 2 1.01x
  / 0.99x; title + tail + char together 1.02x [0.99, 1.07], all nine columns 1.02x [0.96,
  1.08]; arxiv-sanity's own SVM score as a feature (``--only as_svm``) 1.01x [0.99, 1.04].
  None shipped: every new view lands at about 1.01x, within the noise of the fold split.
  (all-mpnet-base-v2 as a second model was not tried: ~2 papers/s here, over an hour for
  the dev data, and too slow to embed at ingest.)
  Priors (``--only nlib,alen``): log library size 1.01x; the candidate's log abstract length,
  z over the candidates, 1.04x [1.00, 1.08], on fold splits 1 / 2 1.05x [1.01, 1.09] / 1.02x
  [0.99, 1.06]: shipped as ``length`` (19 features; over title + abstract, as the index
  holds them), tuning CV 0.1091 through the production code.
  Against those 19 (CV 0.1078 here), more priors of the candidate alone: the number of its
  categories 1.03x [1.00, 1.06], the log size of its primary category 1.03x [1.00, 1.06], a
  comment present 1.02x [1.00, 1.05], all three 1.02x [1.00, 1.05]. Not shipped: they model
  which papers the proxy readers (prolific authors) write, not what a reader wants.

Usage: python bench/eval_recommend_new_signal.py [--only rare,title] [--seeds N] [--shuffle S]
       [--more] [--base all] [--full] [--view title,tail,char]
       (--base: signals in the baseline, e.g. all = the four shipped; --full: the baseline is
       every shipped feature; --view: the views of second_view.py; --only as_svm: arxiv-sanity's
       SVM score, from the rec_cache; nlib, alen, ncat, catsize, hascomment: the priors above)
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


def more_columns(rows, readers, vecs, cand, tune):
    """{signal: [column per tuning reader]} of ``new_signal_candidates`` (``tune``: the
    readers' (M, fused, mask), for the signals of the fusion's top)."""
    from new_signal_candidates import More

    crow = [rows[i] for i in cand]
    pos = {r["id"]: i for i, r in enumerate(rows)}
    texts = [E.text(r) for r in rows]
    X = T.candidate_index(rows, texts, vecs, cand).X
    V = vecs[cand] / np.maximum(np.linalg.norm(vecs[cand], axis=1, keepdims=True), 1e-12)
    more = More([E.text(r) for r in crow], [r.get("comment") or "" for r in crow], X, V)
    out, j = {}, 0
    for name, lib, _ in readers:
        if E.tune_half(name):
            lr = [rows[pos[p]] for p in lib]
            f = more.features([E.text(r) for r in lr], [r.get("comment") or "" for r in lr],
                              tune[j][1])
            j += 1
            for s, col in f.items():
                out.setdefault(s, []).append(col)
    return out


PRIORS = ("nlib", "alen", "ncat", "catsize", "hascomment")


def prior_columns(rows, readers, cand):
    """{prior: [column per tuning reader]}: the log library size, and the candidate's own log
    abstract length, number of categories, log size of its primary category, comment present."""
    from collections import Counter

    libs = [lib for name, lib, _ in readers if E.tune_half(name)]
    cats = [rows[i]["categories"] or [] for i in cand]
    size = Counter(c[0] for c in cats if c)
    same = {"alen": learned.z(np.log1p([len((rows[i]["abstract"] or "").split())
                                        for i in cand])),
            "ncat": learned.z([len(c) for c in cats]),
            "catsize": learned.z(np.log([size[c[0]] if c else 1 for c in cats])),
            "hascomment": np.array([float(bool(rows[i].get("comment"))) for i in cand])}
    out = {k: [v] * len(libs) for k, v in same.items()}
    out["nlib"] = [np.full(len(cand), np.log(len(lib))) for lib in libs]
    return out


def view_columns(rows, readers, cand, tune, views):
    """{signal: [column per tuning reader]} of ``second_view`` for each view in ``views``."""
    import second_view as SV

    pos = {r["id"]: i for i, r in enumerate(rows)}
    need = SV.need_rows(rows, readers, cand)
    out = {}
    for view in views:
        if view == "adapt":
            import coauthor_adapter
            V = coauthor_adapter.vectors(rows, readers, cand)
        else:
            V = SV.char_rows(rows, need, cand) if view == "char" else SV.vectors(view, rows,
                                                                                   need)
        j = 0
        for name, lib, _ in readers:
            if E.tune_half(name):
                cols = SV.columns(view, V, cand, [pos[p] for p in lib], tune[j][1])
                j += 1
                for s, col in cols.items():
                    out.setdefault(s, []).append(col)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=",".join(SIGNALS) + ",all")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--more", action="store_true")
    ap.add_argument("--full", action="store_true",
                    help="the baseline is all shipped features (learned.FEATURES)")
    ap.add_argument("--view", default="", help="second_view views, e.g. title,tail,char")
    ap.add_argument("--base", default="", help="signals in the baseline (default: none)")
    ap.add_argument("--shuffle", type=int, default=0,
                    help="other CV folds: the readers permuted by this seed first (0: none)")
    args = ap.parse_args()
    t = time.perf_counter()
    tune, ref, ids = L.tuning_features()
    ref = None if np.isnan(ref).any() else ref
    if not args.full:
        tune = [(M[:, :BASE], f, m) for M, f, m in tune]  # the first 12: without rank.signals
    rows, readers, vecs, _, cand = C.load_corpus()
    assert [rows[i]["id"] for i in cand] == ids
    extra = extra_columns(rows, readers, cand)
    if args.more:
        extra.update(more_columns(rows, readers, vecs, cand, tune))
    if "as_svm" in args.only:  # arxiv-sanity's own SVM (cached) as a feature
        extra["as_svm"] = [learned.z(T.arxiv_sanity(name)) for name, _, _ in readers
                           if E.tune_half(name)]
    if any(k in args.only for k in PRIORS):
        extra.update(prior_columns(rows, readers, cand))
    if args.view:
        extra.update(view_columns(rows, readers, cand, tune, args.view.split(",")))
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

    def expand(label):
        return [s for part in label.split("+") if part
                for s in (SIGNALS if part == "all" else (part,))]

    basesig = expand(args.base)
    base, dt = run("shipped", basesig)
    first = "all" if args.full else "12"
    print(f"  {first}+{args.base or 'none':10s} CV nDCG@10 {base.mean():.4f}  "
          f"{T.boot(base, ref)} arxiv-sanity ({dt:.0f} s)", flush=True)
    for label in args.only.split(","):
        signals = list(dict.fromkeys(basesig + expand(label)))
        res, dt = run(label, signals)
        print(f"  +{label:13s} CV nDCG@10 {res.mean():.4f}  {T.boot(res, base)} shipped  "
              f"{T.boot(res, ref)} arxiv-sanity ({dt:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
