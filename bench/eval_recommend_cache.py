"""Per-reader score vectors of the expensive recommendation methods, computed once and cached,
so that every proxy reader of both halves can be evaluated and fusions grid-searched in
seconds (``bench/eval_recommend_ideas.py`` reads the cache).

For each proxy reader of ``eval_recommend.py`` (same readers, halves and April candidates, in
candidate-id order) it stores, in ``$PAPERRADAR_BENCH_DIR/rec_cache/<sha1 of the name>.npz``:

  as_svm     arxiv-sanity's SVM, faithful (TF-IDF fit on all papers, C=0.01, balanced,
             every non-library paper a negative)
  as_cen, as_max   MiniLM centroid / max-sim (baselines of eval_recommend.py)
  as_svm_e, as_svm_te   SVM on MiniLM, SVM on TF-IDF + MiniLM (slow: with --minilm-svms,
             into <key>.minilm.npz)
  svm_i_<C>  linear SVM (tol 1e-4, as a per-request SVM would run) on the production period
             index (the shipped recommender's TF-IDF of the candidates; candidates are the
             negatives), class_weight balanced
  svm_i_nb   the same with C=0.1 and no class weights
  svm_c_<C>  linear SVM on an arxiv-sanity-style TF-IDF (max_df 0.1, min_df 5, 20,000
             features) fit on the candidates only (what a period index could hold)

``--as-svm-only`` stores just ``as_svm`` (into <key>.as.npz; ``train_recommend_ranker.py``
reads either file). A reader already cached is skipped (the run can be stopped and resumed); ``--part i/n`` takes
every n-th reader, so two processes can share the work.

Usage: python bench/eval_recommend_cache.py [--part 0/2] [--limit N] [--as-svm-only]
       [--half tune|report|both]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_recommend as E  # noqa: E402

from paperradar.rank.recommend import DEFAULT_PARAMS, CandidateIndex  # noqa: E402

CACHE = E.WORK / "rec_cache"
INDEX_C = (0.01, 0.1, 1.0)
CAND_C = (0.01, 0.1)


def key(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()[:16]


def load_corpus():
    """Rows (sorted by id), proxy readers, MiniLM vectors and mask, candidate row indices."""
    rows = [json.loads(line) for line in open(E.FILE, encoding="utf-8")]
    rows.sort(key=lambda r: r["id"])
    readers = E.proxy_readers(rows)
    need = {p for _, lib, _ in readers for p in lib} | {
        r["id"] for r in rows if r["first_listing_date"] >= E.SINCE}
    vecs, mask = E.minilm(rows, need)
    cand = np.array([i for i, r in enumerate(rows) if r["first_listing_date"] >= E.SINCE])
    return rows, readers, vecs, mask, cand


def svm_on(X, P, C=0.01, balanced=True):
    """Decision values over the candidates X of a LinearSVC with the rows of X as negatives
    and the library features P as positives (what the production index can do)."""
    import scipy.sparse as sp
    from sklearn.svm import LinearSVC

    clf = LinearSVC(C=C, class_weight="balanced" if balanced else None, max_iter=2000,
                    tol=1e-4)  # the settings a per-request SVM would use
    clf.fit(sp.vstack([X, P]).tocsr(), np.concatenate([np.zeros(X.shape[0]), np.ones(P.shape[0])]))
    return clf.decision_function(X).astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", default="0/1")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--minilm-svms", action="store_true",
                    help="only the SVM-on-MiniLM baselines (slow), into <key>.minilm.npz")
    ap.add_argument("--as-svm-only", action="store_true",
                    help="only arxiv-sanity's SVM (the reference of every ratio), into "
                         "<key>.as.npz, for readers without a full cache file")
    ap.add_argument("--half", choices=("tune", "report", "both"), default="both",
                    help="only the readers of one half")
    args = ap.parse_args()
    part, nparts = (int(x) for x in args.part.split("/"))
    rows, readers, vecs, mask, cand = load_corpus()
    base = E.Baselines(rows, vecs, mask)
    texts = [E.text(r) for r in rows]
    cand_ids = [rows[i]["id"] for i in cand]
    index = CandidateIndex(cand_ids, [texts[i] for i in cand], vecs[cand], DEFAULT_PARAMS)
    assert index.ids == cand_ids  # the same candidate order as the baselines
    from sklearn.feature_extraction.text import TfidfVectorizer

    vc = TfidfVectorizer(strip_accents="unicode", lowercase=True, stop_words="english",
                         token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", ngram_range=(1, 2),
                         max_features=20000, sublinear_tf=True, max_df=0.1, min_df=5,
                         dtype=np.float32).fit([texts[i] for i in cand])
    XC = vc.transform([texts[i] for i in cand]).tocsr()
    CACHE.mkdir(parents=True, exist_ok=True)
    todo = [r for k, r in enumerate(readers) if k % nparts == part and (
        args.half == "both" or E.tune_half(r[0]) == (args.half == "tune"))]
    if args.limit:
        todo = todo[:args.limit]
    done = 0
    for name, lib, _ in todo:
        out = CACHE / f"{key(name)}.npz"
        t = time.perf_counter()
        if out.exists() and not args.minilm_svms:
            continue
        L = [base.pos[p] for p in lib]
        if args.as_svm_only:
            out = CACHE / f"{key(name)}.as.npz"
            if out.exists():
                continue
            np.savez(out.with_suffix(".tmp.npz"),
                     as_svm=base._svm(base.X, L)[base.cand].astype(np.float32))
            out.with_suffix(".tmp.npz").rename(out)
            done += 1
            print(f"{done}/{len(todo)} {name}: {time.perf_counter() - t:.2f} s", flush=True)
            continue
        if args.minilm_svms:  # the slow baselines (SVMs on MiniLM), in their own file
            out = CACHE / f"{key(name)}.minilm.npz"
            if out.exists():
                continue
            s = {k: v[base.cand].astype(np.float32) for k, v in base.scores(lib, True).items()}
            np.savez(out.with_suffix(".tmp.npz"), **s)
            out.with_suffix(".tmp.npz").rename(out)
            done += 1
            print(f"{done}/{len(todo)} {name}: {time.perf_counter() - t:.2f} s", flush=True)
            continue
        s = {k: v[base.cand].astype(np.float32) for k, v in base.scores(lib, False).items()}
        P = index.features([texts[i] for i in L])
        for C in INDEX_C:
            s[f"svm_i_{C}"] = svm_on(index.X, P, C)
        s["svm_i_nb"] = svm_on(index.X, P, 0.1, balanced=False)
        PC = vc.transform([texts[i] for i in L]).tocsr()
        for C in CAND_C:
            s[f"svm_c_{C}"] = svm_on(XC, PC, C)
        tmp = out.with_suffix(".tmp.npz")
        np.savez(tmp, **s)
        tmp.rename(out)
        done += 1
        print(f"{done}/{len(todo)} {name}: {time.perf_counter() - t:.2f} s", flush=True)


if __name__ == "__main__":
    main()
