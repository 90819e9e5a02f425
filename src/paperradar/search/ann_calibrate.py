"""Calibrating the HNSW search breadth of a freshly built (or extended) index: HNSW graphs
differ from build to build, and on clustered corpora a fixed ``expansion_search`` can leave
whole clusters unreached. So every build measures recall@10 against exact search on a
sample of queries and keeps the smallest breadth that reaches the target (stored with the
index meta, used at search time).

Sample queries are drawn from the corpus itself: random convex mixtures of three stored
vectors plus noise, which (like short text queries) lie between clusters rather than on
a stored paper. The exact top 10 comes from one streamed pass over the stored (f16)
vectors, in bounded memory. Recall is measured on what the search path rescores: the
true top 10 found among the ``candidates`` HNSW returns (rescoring is exact).
"""

from __future__ import annotations

import time
from typing import Iterable

import numpy as np

from paperradar.store.base.search import StoredEmbedding

CALIBRATION_QUERIES = 200
RECALL_GOAL = 0.95
RECALL_MARGIN = 0.03  # the sample's recall must reach goal + margin (its queries are
# easier than real ones: at 20k papers, 0.976 on the sample came with 0.958 on real queries)
BREADTHS = (128, 256, 512, 1024, 2048, 4096, 8192, 16384)
K = 10


def sample_queries(index, n: int, seed: int = 0) -> np.ndarray:
    """``n`` unit query vectors near the corpus: mixtures of three random indexed vectors
    (Dirichlet weights) plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    keys = np.asarray(index.keys, dtype=np.uint64)
    pick = keys[rng.integers(0, len(keys), 3 * n)]
    vecs = np.asarray(index.get(pick, dtype=np.float32), np.float32).reshape(3, n, -1)
    w = rng.dirichlet(np.ones(3), n).astype(np.float32)
    q = np.einsum("in,ind->nd", w.T, vecs)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    q += rng.standard_normal(q.shape).astype(np.float32) * (0.5 / np.sqrt(q.shape[1]))
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def exact_top(rows: Iterable[StoredEmbedding], queries: np.ndarray, k: int = K,
              chunk: int = 50_000) -> np.ndarray:
    """Keys (n_queries, k) of the exact top ``k`` by cosine among ``rows`` (unit vectors),
    streaming ``chunk`` rows at a time."""
    nq = queries.shape[0]
    best_s = np.full((nq, 0), -np.inf, np.float32)
    best_k = np.zeros((nq, 0), np.int64)
    keys: list[int] = []
    vecs: list[np.ndarray] = []

    def flush() -> None:
        nonlocal best_s, best_k
        if not keys:
            return
        mat = np.vstack(vecs).astype(np.float32)
        s = np.concatenate([best_s, queries @ mat.T], axis=1)
        kk = np.concatenate([best_k, np.broadcast_to(np.array(keys, np.int64), (nq, len(keys)))],
                            axis=1)
        top = np.argpartition(-s, min(k, s.shape[1]) - 1, axis=1)[:, :k]
        best_s = np.take_along_axis(s, top, 1)
        best_k = np.take_along_axis(kk, top, 1)
        keys.clear()
        vecs.clear()

    for e in rows:
        vecs.append(np.frombuffer(e.vec, np.float16 if e.dtype == "f16" else np.float32))
        keys.append(e.key)
        if len(keys) >= chunk:
            flush()
    flush()
    return best_k


def recall(index, queries: np.ndarray, truth: np.ndarray, breadth: int,
           candidates: int) -> tuple[float, float]:
    """(recall@10 of the true top 10 among the HNSW candidates, median ms per query)."""
    index.expansion_search = breadth
    hits, times = 0, []
    for q, want in zip(queries, truth):
        t = time.perf_counter()
        got = index.search(q, min(candidates, len(index))).keys
        times.append((time.perf_counter() - t) * 1000)
        hits += len(set(want.tolist()) & set(int(x) for x in got))
    return hits / truth.size, float(np.median(times))


def calibrate(index, rows: Iterable[StoredEmbedding], *, candidates: int,
              queries: np.ndarray | None = None, target: float = RECALL_GOAL + RECALL_MARGIN,
              breadths: tuple[int, ...] = BREADTHS) -> dict:
    """The smallest breadth whose sample recall@10 reaches ``target`` (else the largest
    tried), with the measured recall; ``rows`` are the indexed vectors (for exact search)."""
    t0 = time.perf_counter()
    if queries is None:
        queries = sample_queries(index, CALIBRATION_QUERIES)
    truth = exact_top(rows, queries)
    tried: dict[int, float] = {}
    chosen, got, ms = breadths[-1], 0.0, 0.0
    for b in breadths:
        got, ms = recall(index, queries, truth, b, candidates)
        tried[b] = round(got, 4)
        chosen = b
        if got >= target:
            break
    index.expansion_search = chosen
    return {"breadth": chosen, "recall": round(got, 4), "recall_target": target,
            "calibration_queries": int(queries.shape[0]), "search_ms": round(ms, 2),
            "tried": tried, "calibration_seconds": round(time.perf_counter() - t0, 2)}
