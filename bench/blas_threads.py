"""What one BLAS thread (``paperradar.blas``, the web app's setting) does to query latency:
a 1,400 x 384 matrix-vector product (the exact vector set of Cranfield) and the real hybrid
search path (query embedding inside the timing, a page of 10 with snippets) on the
Cranfield dev set of ``eval_search.py``, with numpy's BLAS at its default thread count and
capped at one, interleaved in blocks in one run. Prints median and p90 ms of each.

Usage: python bench/blas_threads.py [--rounds 5]   (the load average is printed: the
difference shows when other work keeps the cores busy; on an idle machine both are close)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from eval_search import cranfield, prepare  # noqa: E402


def _blas_threads() -> int:
    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


def _times(fn, items) -> list[float]:
    out = []
    for x in items:
        t = time.perf_counter()
        fn(x)
        out.append(1000 * (time.perf_counter() - t))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    docs, queries, _ = cranfield()
    s = prepare("cranfield", docs, 256, "all-MiniLM-L6-v2")
    s.warm()
    model = s.model_name()
    mat = s.vectors()._state(model).exact.mat
    texts = list(queries.values())[:40]
    vecs = [v for v in s.query_embedder().embed(texts)]
    default = _blas_threads()

    def search(t):
        s.clear_query_cache()
        s.search(t, mode="hybrid", limit=10)

    got: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for label, limit in ((f"default ({default} threads)", None), ("one thread", 1)):
            ctx = threadpool_limits(limit, user_api="blas")
            with ctx:
                got.setdefault(f"product, {label}", []).extend(_times(lambda v: mat @ v, vecs * 5))
                got.setdefault(f"hybrid search, {label}", []).extend(_times(search, texts))
    print(f"load average {os.getloadavg()[0]:.1f}; vectors {mat.shape[0]:,} x {mat.shape[1]}; "
          f"{args.rounds} rounds")
    for name, ts in got.items():
        print(f"  {name:34s} median {statistics.median(ts):7.3f} ms   p90 "
              f"{float(np.percentile(ts, 90)):7.3f} ms   (n={len(ts)})")


if __name__ == "__main__":
    main()
