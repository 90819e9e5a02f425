"""Peer systems for ``eval_search.py``, on the same documents and the same MiniLM vectors:
LanceDB (its native full-text index alone, and hybrid with its RRF reranker, k=60) and
bm25s; plus a p50 timer. LanceDB is a bench-only dependency (``pip install .[bench]``)."""

from __future__ import annotations

import statistics
import tempfile
import time
from typing import Callable

import numpy as np

DEPTH = 100


def p50_ms(fn: Callable[[str], object], texts: list[str], repeat: int = 1) -> float:
    """Median wall time of ``fn(text)`` over the texts (one thread), in ms."""
    times = []
    for _ in range(repeat):
        for t in texts:
            start = time.perf_counter()
            fn(t)
            times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


class Lance:
    """A LanceDB table of (id, title + abstract, vector); ``None`` if lancedb is missing."""

    def __init__(self, ids: list[str], texts: list[str], mat: np.ndarray):
        import lancedb

        self._tmp = tempfile.TemporaryDirectory()
        db = lancedb.connect(self._tmp.name)
        rows = [{"id": i, "text": t, "vector": v.astype("float32")} for i, t, v in zip(ids, texts, mat)]
        self.table = db.create_table("docs", data=rows)
        self.table.create_fts_index("text", use_tantivy=False)

    @staticmethod
    def available() -> bool:
        try:
            import lancedb  # noqa: F401
        except ImportError:
            return False
        return True

    def fts(self, text: str, k: int = DEPTH) -> list[str]:
        try:
            rows = self.table.search(text, query_type="fts").limit(k).select(["id"]).to_list()
        except Exception:  # its query parser refuses some natural-language questions
            return []
        return [r["id"] for r in rows]

    def hybrid(self, text: str, qvec: np.ndarray, k: int = DEPTH) -> list[str]:
        from lancedb.rerankers import RRFReranker

        try:
            q = (self.table.search(query_type="hybrid").vector(qvec.astype("float32").tolist())
                 .text(text).rerank(RRFReranker(K=60)).limit(k))
            return [r["id"] for r in q.to_list()]
        except Exception:  # fall back to vectors alone when its text side refuses the query
            rows = self.table.search(qvec.astype("float32").tolist()).limit(k).to_list()
            return [r["id"] for r in rows]


class BM25s:
    def __init__(self, ids: list[str], texts: list[str]):
        import bm25s
        import Stemmer

        self.bm25s, self.stem, self.ids = bm25s, Stemmer.Stemmer("english"), ids
        self.retriever = bm25s.BM25()
        self.retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=self.stem,
                                            show_progress=False), show_progress=False)

    def many(self, texts: list[str], k: int = DEPTH) -> list[list[tuple[str, float]]]:
        toks = self.bm25s.tokenize(texts, stopwords="en", stemmer=self.stem, show_progress=False)
        res, scores = self.retriever.retrieve(toks, k=min(k, len(self.ids)), show_progress=False)
        return [[(self.ids[int(j)], float(s)) for j, s in zip(res[n], scores[n]) if s > 0]
                for n in range(len(texts))]

    def one(self, text: str, k: int = DEPTH) -> list[tuple[str, float]]:
        return self.many([text], k)[0]
