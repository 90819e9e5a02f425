"""The synthetic corpus of the latency benchmarks (bench/search_latency.py, web_load.py,
pg_search.py): the 12,768 real papers of ``arxiv_metadata`` as they are, then synthetic
papers grown from them (see search_latency.py's docstring), stand-in embeddings (a real
MiniLM vector plus noise), the indexes built once and cached under ``PAPERRADAR_BENCH_DIR``,
and the benchmark queries (2-5 title words of random real papers).
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from paperradar.config import Settings  # noqa: E402
from paperradar.models import Author, Paper, Record  # noqa: E402
from paperradar.search import Searcher  # noqa: E402
from paperradar.search import vectors as vectors_mod  # noqa: E402
from paperradar.search.lexical import paper_key  # noqa: E402
from paperradar.search.vectors import decode, encode  # noqa: E402
from paperradar.store import open_store  # noqa: E402
from paperradar.store.base.search import StoredEmbedding  # noqa: E402

DATA = Path(os.environ.get("PAPERRADAR_SHARED_DATA") or ROOT.parent / "shared" / "data")
WORK = Path(os.environ.get("PAPERRADAR_BENCH_DIR") or "/tmp/paperradar-bench")
MODEL = "all-MiniLM-L6-v2"
_SENT = re.compile(r"(?<=[.!?])\s+")


def real_papers() -> list[dict]:
    path = DATA / "arxiv_metadata" / "arxiv_2026-03_to_04.jsonl"
    return [json.loads(x) for x in open(path, encoding="utf-8")]


def base_vectors(dim: int = 384) -> np.ndarray:
    db = WORK / "hf-256" / "paperradar.db"
    if db.exists():
        store = open_store(f"sqlite:///{db}")
        vecs = [decode(e) for e in store.iter_embeddings(MODEL)]
        store.close()
        if vecs:
            return np.vstack(vecs)
    rng = np.random.default_rng(1)
    v = rng.standard_normal((4096, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def synth_papers(real: list[dict], n: int, seed: int = 7):
    rng = random.Random(seed)
    sentences = [_SENT.split(r["abstract"]) for r in real]
    for i in range(n):
        if i < len(real):
            r = real[i]
            yield Paper(id=r["id"], title=r["title"], abstract=r["abstract"],
                        authors=[Author(a) for a in r["authors"]], categories=r["categories"],
                        primary_category=r["categories"][0] if r["categories"] else None,
                        published=r["first_listing_date"])
            continue
        a, b = rng.choice(real), rng.choice(real)
        words, other = a["title"].split(), b["title"].split()
        for _ in range(2):
            if words and other:
                words[rng.randrange(len(words))] = rng.choice(other)
        abstract = " ".join(s for j in rng.sample(range(len(real)), 3)
                            for s in rng.sample(sentences[j], min(2, len(sentences[j]))))
        day = f"{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        c = rng.choice(real)
        yield Paper(id=f"synth:{i}", title=" ".join(words), abstract=abstract,
                    authors=[Author(x) for x in c["authors"][:6]], categories=c["categories"],
                    primary_category=c["categories"][0] if c["categories"] else None,
                    published=day)


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def put_synthetic_embeddings(store, base: np.ndarray, rng: np.random.Generator) -> int:
    """Give every paper a stand-in embedding under the MiniLM model name: a real MiniLM
    vector (``base``) plus Gaussian noise (sigma 0.03 per dimension), normalised."""
    ids = [p.id for _, p in store.iter_changed_papers(0, batch=20000)]
    for i in range(0, len(ids), 20000):
        chunk = ids[i:i + 20000]
        v = base[rng.integers(0, len(base), len(chunk))] + \
            rng.standard_normal((len(chunk), base.shape[1])).astype(np.float32) * 0.03
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        embs = [StoredEmbedding(pid, paper_key(pid), "synthetic", v.shape[1], "f16",
                                encode(x)) for pid, x in zip(chunk, v)]
        store.put_embeddings(MODEL, embs)
    return len(ids)


def build_corpus(n: int, dtype: str, rebuild: bool = False,
                 hnsw: bool = True) -> tuple[Settings, dict]:
    settings = Settings(data_dir=WORK / f"latency-{n}", env="test")
    figures: dict = {}
    db = settings.sqlite_path
    if not db.exists():
        store = open_store(settings.resolved_database_url)
        real, base = real_papers(), base_vectors()
        rng = np.random.default_rng(3)
        t = time.perf_counter()
        batch = []
        for p in synth_papers(real, n):
            batch.append(Record(p))
            if len(batch) == 5000:
                store.upsert_records(batch)
                batch = []
        if batch:
            store.upsert_records(batch)
        figures["store_write_s"] = time.perf_counter() - t
        t = time.perf_counter()
        put_synthetic_embeddings(store, base, rng)
        figures["embeddings_write_s"] = time.perf_counter() - t
        store.close()
    store = open_store(settings.resolved_database_url)
    s = Searcher(settings, store)
    vectors_mod.ANN_DTYPE = dtype
    if rebuild or not s.lexical.path.exists():
        t = time.perf_counter()
        n_lex = s.lexical.rebuild(store)
        figures["lexical_build_s"] = time.perf_counter() - t
        figures["lexical_docs_per_s"] = n_lex / figures["lexical_build_s"]
        print(f"lexical build {figures['lexical_build_s']:.0f} s", flush=True)
    if hnsw and (rebuild or not s.vectors().ann_path(MODEL).exists()):
        t = time.perf_counter()
        s.vectors().sync(MODEL, rebuild=True, ann_min=0)
        figures["hnsw_build_s"] = time.perf_counter() - t
    figures["db_bytes_per_paper"] = (db.stat().st_size + dir_size(db.parent / (db.name + "-wal"))) / n
    figures["lexical_bytes_per_paper"] = dir_size(s.lexical.path) / n
    store.close()
    return settings, figures


def make_queries(k: int) -> list[str]:
    rng = random.Random(11)
    real = real_papers()
    out = []
    for i in range(k):
        words = [w for w in re.findall(r"[A-Za-z]{4,}", rng.choice(real)["title"])]
        out.append(" ".join(rng.sample(words, min(len(words), rng.randint(2, 5)))) or "learning")
    return out
