"""Per-reader latency of the recommender's pure core over ~10,000 candidates (2026-03-17 to
04-30 of the dev data), the shipped recommender (fusion + learned re-ranker of its top 500,
``rank.learned``) against the fusion alone (the previous shipped method) in the same run,
interleaved reader by reader, with the load average.
Store lookups are left out (the same for both; eval_recommend.py times the full path).

Usage: python bench/recommend_latency.py [--readers 60]
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
import train_recommend_ranker as T  # noqa: E402

from paperradar.blas import one_blas_thread  # noqa: E402
from paperradar.rank.recommend import DEFAULT_PARAMS, recommend  # noqa: E402

PREVIOUS = replace(DEFAULT_PARAMS, rerank=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--readers", type=int, default=60)
    args = ap.parse_args()
    rows, readers, vecs, _, _ = C.load_corpus()
    sel = [i for i, r in enumerate(rows) if r["first_listing_date"] >= "2026-03-17"]
    texts = [E.text(r) for r in rows]
    t = time.perf_counter()
    index = T.candidate_index(rows, texts, vecs, np.array(sel))
    print(f"{len(index):,} candidates: index (TF-IDF, BM25, MiniLM, categories, signals) built in "
          f"{time.perf_counter() - t:.1f} s")
    one_blas_thread()  # as the web app (the index build above keeps every core)
    pos = {r["id"]: i for i, r in enumerate(rows)}
    times: dict[str, list[float]] = {"shipped": [], "fusion alone": []}
    for _, lib, _ in readers[:args.readers]:
        ps = T.positives(rows, pos, texts, vecs, lib)
        for name, params in (("shipped", DEFAULT_PARAMS), ("fusion alone", PREVIOUS)):
            t = time.perf_counter()
            recommend(index, ps, limit=50, params=params)
            times[name].append(time.perf_counter() - t)
    for name, ts in times.items():
        print(f"  {name:16s} median {1000 * np.median(ts):.0f} ms, p90 "
              f"{1000 * np.percentile(ts, 90):.0f} ms ({len(ts)} readers)")
    ratio = np.median(times["shipped"]) / np.median(times["fusion alone"])
    print(f"  ratio of medians {ratio:.2f}"
          f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
