"""Vector search over stored embeddings: exact (numpy) for small corpora, an on-disk
usearch HNSW index for large ones, plus an exact "delta" of embeddings newer than the HNSW
file so new papers are searchable before the next rebuild.

The HNSW file is rebuilt or extended by ``sync`` (written to a temporary file, then renamed
over the old one; its watermark is saved after the rename). Readers memory-map it.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from paperradar.store.base.search import StoredEmbedding

ANN_MIN = 50_000  # below this many vectors, exact search (a few ms) beats maintaining HNSW
ANN_DTYPE = "i8"  # chosen by bench/search_latency.py: recall@10 vs exact >= 0.95 (see README)
ANN_CONNECTIVITY = 16
ANN_EXPANSION_ADD = 128
# Search breadth (usearch's expansion_search): chosen at every build by measuring recall
# against exact search (ann_calibrate), stored in the meta. This size rule (2048 per million,
# 512 to 4096) only serves HNSW files written before that: a fresh 1M build re-measured gave
# recall@10 0.858 at 2048 (graphs differ from build to build), not the 0.972 once measured.
ANN_EXPANSION_SEARCH = 2048  # at 1M vectors
ANN_EXPANSION_RANGE = (512, 4096)
REFRESH_SECONDS = 2.0
RESCORE_FACTOR = 2  # HNSW candidates per wanted result, rescored exactly
RESCORE_MIN = 50


def usearch_index():
    """usearch's ``Index`` class, imported after onnxruntime when that is installed: once
    usearch's extension is loaded, importing onnxruntime kills the process (segfault;
    reproduced with usearch 2.26.6 and onnxruntime 1.32.0), while the other order works.
    Queries are embedded through onnxruntime, so every usearch import goes through here."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        pass
    from usearch.index import Index

    return Index


def search_breadth(n: int) -> int:
    """HNSW ``expansion_search`` for ``n`` vectors: ANN_EXPANSION_SEARCH per million,
    rounded up to a power of two, within ANN_EXPANSION_RANGE."""
    lo, hi = ANN_EXPANSION_RANGE
    want = max(lo, ANN_EXPANSION_SEARCH * n / 1_000_000)
    return int(min(hi, 2 ** math.ceil(math.log2(want))))


def encode(vec: np.ndarray, dtype: str = "f16") -> bytes:
    return np.asarray(vec, dtype=np.float16 if dtype == "f16" else np.float32).tobytes()


def decode(e: StoredEmbedding) -> np.ndarray:
    arr = np.frombuffer(e.vec, dtype=np.float16 if e.dtype == "f16" else np.float32)
    return arr.astype(np.float32)


def _slug(model: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", model)[:80] or "model"


@dataclass
class ExactSet:
    """Vectors in memory, rows aligned with ``ids``/``keys``."""

    ids: list[str]
    keys: np.ndarray  # int64
    mat: np.ndarray  # float32 (n, dim)
    pos: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Sequence[StoredEmbedding], dim: int) -> "ExactSet":
        if not rows:
            return cls([], np.zeros(0, np.int64), np.zeros((0, dim), np.float32))
        mat = np.vstack([decode(r) for r in rows]).astype(np.float32)
        ids = [r.paper_id for r in rows]
        return cls(ids, np.array([r.key for r in rows], np.int64), mat,
                   {pid: i for i, pid in enumerate(ids)})

    def merge(self, rows: Sequence[StoredEmbedding]) -> "ExactSet":
        """Apply newer rows: replace the vectors of known papers, append new ones."""
        if not rows:
            return self
        if not self.ids:
            return ExactSet.from_rows(rows, 0)
        fresh = []
        for r in rows:
            i = self.pos.get(r.paper_id)
            if i is None:
                fresh.append(r)
            else:
                self.mat[i] = decode(r)
        if fresh:
            start = len(self.ids)
            self.ids.extend(r.paper_id for r in fresh)
            self.keys = np.concatenate([self.keys, np.array([r.key for r in fresh], np.int64)])
            self.mat = np.vstack([self.mat] + [decode(r)[None, :] for r in fresh])
            self.pos.update((r.paper_id, start + n) for n, r in enumerate(fresh))
        return self

    def top(self, q: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[tuple[str, float, int]]:
        mat = self.mat if rows is None else self.mat[rows]
        if mat.shape[0] == 0 or k <= 0:
            return []
        scores = mat @ q
        k = min(k, scores.shape[0])
        part = np.argpartition(-scores, k - 1)[:k]
        part = part[np.argsort(-scores[part], kind="stable")]
        idx = part if rows is None else rows[part]
        ids = self.ids  # plain Python values in bulk: per-element numpy scalars cost ~1 us each
        return list(zip([ids[i] for i in idx.tolist()], scores[part].tolist(),
                        self.keys[idx].tolist()))

    def rows_for(self, keys: Sequence[int]) -> np.ndarray:
        want = set(int(k) for k in keys)
        return np.array([i for i, k in enumerate(self.keys.tolist()) if k in want], np.int64)


class _ModelState:
    def __init__(self):
        self.checked = 0.0
        self.eseq = -1
        self.ann = None  # usearch Index (memory-mapped view) or None
        self.ann_eseq = 0
        self.ann_sig: float | None = None
        self.exact = ExactSet([], np.zeros(0, np.int64), np.zeros((0, 0), np.float32))
        self.count = 0


class VectorIndex:
    def __init__(self, index_dir: Path, store):
        self.dir = Path(index_dir) / "vectors"
        self.store = store
        self._states: dict[str, _ModelState] = {}
        self._lock = threading.RLock()

    def ann_path(self, model: str) -> Path:
        return self.dir / f"{_slug(model)}.usearch"

    def meta_path(self, model: str) -> Path:
        return self.dir / f"{_slug(model)}.json"

    def read_meta(self, model: str) -> dict:
        try:
            return json.loads(self.meta_path(model).read_text())
        except (OSError, ValueError):
            return {}

    # -- loading --------------------------------------------------------------------------
    def _state(self, model: str) -> _ModelState:
        with self._lock:
            st = self._states.setdefault(model, _ModelState())
            now = time.monotonic()
            if now - st.checked < REFRESH_SECONDS and st.eseq >= 0:
                return st
            st.checked = now
            self._load_ann(model, st)
            eseq = self.store.max_embedding_seq(model)
            if eseq > st.eseq >= 0:  # only what was embedded since the last look
                rows = list(self.store.iter_embeddings(model, st.eseq))
                st.exact = st.exact.merge(rows)
            elif eseq != st.eseq:
                rows = list(self.store.iter_embeddings(model, st.ann_eseq if st.ann else 0))
                st.exact = ExactSet.from_rows(rows, len(decode(rows[0])) if rows else 0)
            if eseq != st.eseq:
                st.eseq = eseq
                st.count = (len(st.ann) if st.ann is not None else 0) + len(st.exact.ids)
            return st

    def _load_ann(self, model: str, st: _ModelState) -> None:
        path, meta = self.ann_path(model), self.read_meta(model)
        try:
            sig = path.stat().st_mtime if meta else None
        except OSError:
            sig = None
        if sig == st.ann_sig:
            return
        Index = usearch_index()

        st.ann = Index.restore(str(path), view=True) if sig is not None else None
        if st.ann is not None:  # the breadth calibrated at build time (older files: by size)
            st.ann.expansion_search = int(meta.get("breadth") or search_breadth(len(st.ann)))
        st.ann_eseq = int(meta.get("eseq", 0)) if st.ann is not None else 0
        st.ann_sig = sig
        st.eseq = -1  # reload the delta against the new watermark

    def count(self, model: str) -> int:
        return self._state(model).count

    # -- search ---------------------------------------------------------------------------
    def search(self, model: str, qvec: np.ndarray, k: int,
               only_keys: Sequence[int] | None = None,
               rescore: bool = True) -> list[tuple[str, float]]:
        """Top ``k`` (paper_id, cosine) by similarity; only among ``only_keys`` if given.
        ``rescore=False`` returns HNSW candidates with their approximate scores (cheap
        oversampling; call ``rescore`` on the survivors)."""
        st = self._state(model)
        q = np.asarray(qvec, np.float32)
        if only_keys is not None:
            found = st.exact.top(q, k, st.exact.rows_for(only_keys))
            if st.ann is not None:
                found += self._ann_subset(model, st, q, k, only_keys)
        else:
            found = st.exact.top(q, k)
            if st.ann is not None and len(st.ann):
                wanted = max(k * RESCORE_FACTOR, RESCORE_MIN)
                if rescore and wanted >= len(st.ann):
                    # the whole graph is wanted: HNSW may not reach every node, so go exact
                    found += self._rescore(model, [int(x) for x in st.ann.keys], q, k)
                elif rescore:
                    m = st.ann.search(q, wanted)
                    found += self._rescore(model, [int(x) for x in m.keys], q, k)
                else:
                    m = st.ann.search(q, min(len(st.ann), k))
                    ids = self.store.ids_for_keys([int(x) for x in m.keys])
                    found += [(ids[int(key)], 1.0 - float(d), int(key))
                              for key, d in zip(m.keys, m.distances) if int(key) in ids]
        best: dict[str, float] = {}
        fresh = st.exact.pos  # ids of the in-memory delta (a dict: no set built per query)
        for pid, s, _ in found:  # the delta (newer embedding) wins over the HNSW copy
            if pid in best and pid in fresh:
                continue
            best[pid] = s
        return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:k]

    def _ann_subset(self, model: str, st: _ModelState, q: np.ndarray, k: int,
                    keys: Sequence[int]) -> list[tuple[str, float, int]]:
        keys = [int(x) for x in keys if int(x) in st.ann]
        if not keys:
            return []
        vecs = st.ann.get(np.array(keys, np.uint64), dtype=np.float32)
        mat = np.vstack(vecs) if isinstance(vecs, (list, tuple)) else np.asarray(vecs)
        norms = np.linalg.norm(mat, axis=1)
        approx = (mat @ q) / np.where(norms > 0, norms, 1.0)
        order = np.argsort(-approx)[:max(k * RESCORE_FACTOR, RESCORE_MIN)]
        return self._rescore(model, [keys[i] for i in order], q, k)

    def _rescore(self, model: str, keys: list[int], q: np.ndarray,
                 k: int) -> list[tuple[str, float, int]]:
        """Exact cosine of HNSW candidates from their stored (f16) vectors: quantised
        distances only choose the candidates, never the final order."""
        ids = self.store.ids_for_keys(keys)
        stored = self.store.get_embeddings(model, list(ids.values()))
        out = [(pid, float(decode(e) @ q), e.key) for pid, e in stored.items()]
        out.sort(key=lambda t: (-t[1], t[0]))
        return out[:k]

    def rescore(self, model: str, paper_ids: Sequence[str], qvec: np.ndarray,
                k: int) -> list[tuple[str, float]]:
        """Exact cosine of these papers' stored vectors, best ``k`` first."""
        stored = self.store.get_embeddings(model, list(paper_ids))
        q = np.asarray(qvec, np.float32)
        out = sorted(((pid, float(decode(e) @ q)) for pid, e in stored.items()),
                     key=lambda t: (-t[1], t[0]))
        return out[:k]

    def missing(self, model: str, paper_ids: Sequence[str], keys: Sequence[int]) -> set[str]:
        """Which of these papers (ids with their keys) have no vector in the index yet."""
        st = self._state(model)
        ann = st.ann if st.ann is not None and len(st.ann) else None
        return {pid for pid, key in zip(paper_ids, keys)
                if pid not in st.exact.pos and (ann is None or int(key) not in ann)}

    def vector_of(self, model: str, paper_id: str) -> np.ndarray | None:
        e = self.store.get_embeddings(model, [paper_id]).get(paper_id)
        return decode(e) if e is not None else None

    # -- building -------------------------------------------------------------------------
    def sync(self, model: str, *, rebuild: bool = False, ann_min: int = ANN_MIN,
             progress: Callable[[int], None] | None = None) -> dict:
        """Extend (or rebuild) the HNSW file when the corpus is large enough."""
        Index = usearch_index()

        total = self.store.embedding_count(model)
        path, meta = self.ann_path(model), self.read_meta(model)
        if total < ann_min and not path.exists():
            return {"vector_index": "exact", "vectors": total}
        self.dir.mkdir(parents=True, exist_ok=True)
        after = 0 if rebuild or not path.exists() else int(meta.get("eseq", 0))
        index = None
        if after:
            index = Index.restore(str(path), view=False)
        added, last = 0, after
        batch: list[StoredEmbedding] = []
        for e in self.store.iter_embeddings(model, after):
            batch.append(e)
            last = e.eseq
            if len(batch) >= 10_000:
                index = self._add(index, batch)
                added += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            index = self._add(index, batch)
            added += len(batch)
            if progress:
                progress(len(batch))
        if index is None or (added == 0 and after):
            return {"vector_index": "hnsw", "vectors": total, "added": 0,
                    **{k: meta[k] for k in ("breadth", "recall") if k in meta}}
        cal = self._calibrate(model, index, last)
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        index.save(str(tmp))
        os.replace(tmp, path)
        mtmp = self.meta_path(model).with_suffix(".json.tmp")
        mtmp.write_text(json.dumps({"eseq": last, "count": len(index), "dtype": ANN_DTYPE,
                                    "connectivity": ANN_CONNECTIVITY, **cal}))
        os.replace(mtmp, self.meta_path(model))
        with self._lock:
            self._states.pop(model, None)
        return {"vector_index": "hnsw", "vectors": len(index), "added": added,
                "breadth": cal["breadth"], "recall": cal.get("recall")}

    def _calibrate(self, model: str, index, last: int) -> dict:
        """Choose the search breadth of this build by measuring recall against exact
        search (see ann_calibrate); tiny graphs are searched exhaustively anyway."""
        from paperradar.search.ann_calibrate import calibrate

        candidates = max(10 * RESCORE_FACTOR, RESCORE_MIN)  # what search() rescores for k=10
        if len(index) <= candidates:
            return {"breadth": search_breadth(len(index)), "recall": None}
        rows = itertools.takewhile(lambda e: e.eseq <= last,  # ordered by eseq
                                   self.store.iter_embeddings(model, 0))
        return calibrate(index, rows, candidates=candidates)

    @staticmethod
    def _add(index, rows: list[StoredEmbedding]):
        Index = usearch_index()

        mat = np.vstack([decode(r) for r in rows])
        if index is None:
            index = Index(ndim=mat.shape[1], metric="cos", dtype=ANN_DTYPE, multi=False,
                          connectivity=ANN_CONNECTIVITY, expansion_add=ANN_EXPANSION_ADD)
            # the search breadth is set where the file is opened for searching (_load_ann)
        keys = np.array([r.key for r in rows], np.uint64)
        present = np.array([int(k) in index for k in keys], bool)
        if present.any():
            index.remove(keys[present])
        index.add(keys, mat)
        return index
