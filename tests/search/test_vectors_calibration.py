"""The HNSW search breadth calibrated at build time: on a clustered corpus where the
size-based default breadth misses neighbours, the calibrated one reaches recall@10 >= 0.95
on queries the calibration never saw; the choice is stored with the index and used."""

from __future__ import annotations

import numpy as np

from paperradar.search.lexical import paper_key
from paperradar.search.ann_calibrate import calibrate, exact_top, recall, sample_queries
from paperradar.search.vectors import (ANN_CONNECTIVITY, ANN_DTYPE, ANN_EXPANSION_ADD,
                                       VectorIndex, encode, search_breadth, usearch_index)
from paperradar.store.base.search import StoredEmbedding

from .conftest import arxiv_records

CANDIDATES = 50  # what VectorIndex.search rescores for k=10


def clustered(n: int, clusters: int, sigma: float, dim: int = 64, seed: int = 1) -> np.ndarray:
    """Tight clusters of near-duplicates: HNSW links stay inside a cluster, so a narrow
    search does not reach every cluster holding a neighbour."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    x = centres[rng.integers(0, clusters, n)] + \
        rng.standard_normal((n, dim)).astype(np.float32) * sigma
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def rows_of(x: np.ndarray, dtype: str = "f32") -> list[StoredEmbedding]:
    """(f32: the near-duplicates differ by less than f16 resolves)"""
    return [StoredEmbedding(f"p{i}", i, "h", x.shape[1], dtype, encode(v, dtype), eseq=i + 1)
            for i, v in enumerate(x)]


def test_exact_top_streams_chunks_like_a_full_scan():
    x = clustered(3000, 7, 0.2, dim=16)
    q = sample_queries_from(x, 20)
    x16 = x.astype(np.float16).astype(np.float32)
    full = np.sort(np.argsort(-(q @ x16.T), axis=1)[:, :10], axis=1)
    assert (np.sort(exact_top(rows_of(x, "f16"), q, chunk=256), axis=1) == full).all()


def sample_queries_from(x: np.ndarray, n: int) -> np.ndarray:
    q = x[np.random.default_rng(9).integers(0, len(x), n)] + 0.3
    return (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)


def test_calibrated_breadth_reaches_recall_where_the_default_does_not():
    x = clustered(20_000, 20, 0.01)
    index = usearch_index()(ndim=x.shape[1], metric="cos", dtype=ANN_DTYPE, multi=False,
                            connectivity=ANN_CONNECTIVITY, expansion_add=ANN_EXPANSION_ADD)
    index.add(np.arange(len(x), dtype=np.uint64), x)
    rows = rows_of(x)
    cal = calibrate(index, rows, candidates=CANDIDATES)  # its own 200 sampled queries
    assert cal["recall"] >= 0.98 and cal["calibration_queries"] == 200
    # held-out queries (another seed): the default breadth misses, the calibrated one holds
    held = sample_queries(index, 200, seed=123)
    truth = exact_top(rows, held)
    default, _ = recall(index, held, truth, search_breadth(len(x)), CANDIDATES)
    chosen, _ = recall(index, held, truth, cal["breadth"], CANDIDATES)
    assert default < 0.95 <= chosen, (default, chosen, cal)
    assert cal["breadth"] > search_breadth(len(x))
    assert cal["tried"][search_breadth(len(x))] < cal["recall_target"]


def test_sync_stores_the_breadth_and_search_uses_it(settings, store):
    ids = [r.paper.id for r in arxiv_records(150)]
    store.upsert_records(arxiv_records(150))
    x = clustered(len(ids), 5, 0.3, dim=32)
    model = "test-model"
    store.put_embeddings(model, [StoredEmbedding(pid, paper_key(pid), "h", 32, "f16", encode(v))
                                 for pid, v in zip(ids, x)])
    vi = VectorIndex(settings.data_dir / "idx", store)
    out = vi.sync(model, ann_min=0)
    meta = vi.read_meta(model)
    assert out["vector_index"] == "hnsw" and out["breadth"] == meta["breadth"]
    # what calibrate measured is what is stored: the recall at the chosen breadth, which is
    # the first to reach the target or else the largest tried (a 150-vector graph can leave a
    # node unreachable at any breadth: recall quality is the test above, on 20k vectors)
    assert meta["calibration_queries"] == 200 and meta["recall"] == meta["tried"][str(meta["breadth"])]
    tried = sorted(int(b) for b in meta["tried"])
    assert meta["recall"] >= meta["recall_target"] or meta["breadth"] == tried[-1]
    assert all(meta["tried"][str(b)] < meta["recall_target"] for b in tried[:-1])
    assert vi._state(model).ann.expansion_search == meta["breadth"]
    q = x[3]
    assert vi.search(model, q, 1)[0][0] == ids[3]
    again = vi.sync(model, ann_min=0)  # nothing new: the stored choice is reported
    assert again["added"] == 0 and again["breadth"] == meta["breadth"]
