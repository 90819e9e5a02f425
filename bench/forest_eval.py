"""Time the re-ranker's tree evaluator (``rank.forest``, leaf bitmasks) against a node-by-node
walk of the same trees (the evaluator shipped before, kept here as the reference), on the
shipped ``ranker.json`` (or ``--model``) over ``--rows`` random feature rows (the re-ranker
scores the fusion's top 500). Prints the median of ``--repeat`` runs of each, interleaved,
their ratio, the largest difference between the two predictions, and the load average.

Usage: python bench/forest_eval.py [--model PATH] [--rows 500] [--repeat 50]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

from paperradar.rank import learned


class NodeWalk:
    """The trees as flat node arrays, every (tree, row) pair walked down one level a step."""

    def __init__(self, spec: dict):
        trees = spec["trees"]
        width = max(len(t["feature"]) for t in trees)

        def pad(key, fill, dtype):
            out = np.full((len(trees), width), fill, dtype=dtype)
            for i, t in enumerate(trees):
                out[i, :len(t[key])] = t[key]
            return out

        offset = (np.arange(len(trees)) * width)[:, None]
        self.feature = pad("feature", -1, np.int64).ravel()  # -1: a leaf
        self.threshold = pad("threshold", 0.0, np.float64).ravel()
        self.left = (pad("left", 0, np.int64) + offset).ravel()
        self.right = (pad("right", 0, np.int64) + offset).ravel()
        self.value = pad("value", 0.0, np.float64).ravel()
        self.roots = offset.ravel()
        self.baseline = float(spec["baseline"])

    def predict(self, M: np.ndarray) -> np.ndarray:
        M = np.ascontiguousarray(M, dtype=np.float64)
        n, width = M.shape
        node = np.repeat(self.roots, n)
        base = np.tile(np.arange(n) * width, len(self.roots))
        active = np.flatnonzero(self.feature[node] >= 0)
        flat = M.ravel()
        while len(active):
            at = node[active]
            nxt = np.where(flat[base[active] + self.feature[at]] <= self.threshold[at],
                           self.left[at], self.right[at])
            node[active] = nxt
            active = active[self.feature[nxt] >= 0]
        return self.baseline + self.value[node].reshape(len(self.roots), n).sum(axis=0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(learned.MODEL))
    ap.add_argument("--rows", type=int, default=learned.DEPTH)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    spec = json.loads(Path(args.model).read_text(encoding="utf-8"))
    walk, bits = NodeWalk(spec), learned.load(args.model)
    M = np.random.default_rng(0).normal(size=(args.rows, len(learned.FEATURES)))
    times: dict[str, list[float]] = {"node walk": [], "bitmasks": []}
    for _ in range(args.repeat):
        for name, model in (("node walk", walk), ("bitmasks", bits)):
            t = time.perf_counter()
            model.predict(M)
            times[name].append(time.perf_counter() - t)
    med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    diff = float(np.abs(walk.predict(M) - bits.predict(M)).max())
    print(f"{len(spec['trees'])} trees x {args.rows} rows: node walk {med['node walk']:.2f} ms, "
          f"bitmasks {med['bitmasks']:.2f} ms (median of {args.repeat}; "
          f"{med['node walk'] / med['bitmasks']:.1f}x); largest difference {diff:.1e}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
