"""Search speed at scale: index build time, p50/p99 latency of lexical, semantic and hybrid
queries (warm caches, the real query path: parsing, MiniLM query embedding, tantivy, HNSW,
fusion, paper fetch and snippets), queries/s with two processes, RAM and disk per paper,
HNSW recall@10 against exact search.

Corpus growth (``--papers N``): the 12,768 real papers of ``arxiv_metadata`` are kept as they
are; every further synthetic paper takes the title of one random real paper with two words
replaced by words of another title, an abstract made of sentences drawn from three random
real abstracts, authors and categories of a random real paper and a random date in
2015-2026. Embeddings: real MiniLM embeddings of real papers are not computed here (days
at arXiv scale); every paper gets the normalised sum of a real MiniLM embedding (of one of
the HF daily papers, embedded by ``eval_search.py``, or random if that cache is absent) and
Gaussian noise, so vectors keep a realistic clustered structure.

Usage: python bench/search_latency.py --papers 100000 [--queries 200] [--dtype i8] [--builds 3]
       python bench/search_latency.py --papers 1000000 --pair-cost  (word pairs on / off)
       python bench/search_latency.py --embed-throughput
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from latency_corpus import (  # noqa: E402,F401  (MODEL ... re-exported for the other benches)
    DATA, MODEL, WORK, base_vectors, build_corpus, dir_size, make_queries,
    put_synthetic_embeddings, real_papers, synth_papers)
from paperradar.blas import one_blas_thread  # noqa: E402
from paperradar.config import Settings  # noqa: E402
from paperradar.search import Searcher  # noqa: E402
from paperradar.search import vectors as vectors_mod  # noqa: E402
from paperradar.search.lexical import paper_key  # noqa: E402
from paperradar.store import open_store  # noqa: E402


def timed(fn, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.array(xs), p))


def _worker(args) -> int:
    settings, queries, seconds = args
    import torch

    torch.set_num_threads(1)
    store = open_store(settings.resolved_database_url)
    s = Searcher(settings, store)
    for q in queries[:10]:
        s.search(q)
    n, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        s.clear_query_cache()  # no repeated query is free
        s.search(queries[n % len(queries)])
        n += 1
    store.close()
    return n


def exact_truth(settings: Settings, queries: list[str], sample: int = 100):
    """Real MiniLM embeddings of ``sample`` queries and the keys of their exact top 10."""
    store = open_store(settings.resolved_database_url)
    s = Searcher(settings, store)
    keys, mats = [], []
    for e in store.iter_embeddings(MODEL, batch=50000):
        keys.append(e.key)
        mats.append(np.frombuffer(e.vec, np.float16))
    mat = np.vstack(mats).astype(np.float32)
    del mats
    keys = np.array(keys, np.int64)
    qv = s.query_embedder().embed(queries[:sample])
    exact = [set(keys[np.argpartition(-(mat @ q), 10)[:10]].tolist()) for q in qv]
    store.close()
    return qv, exact


def recall_at_10(settings: Settings, truth, sweep: bool = True) -> dict:
    """Recall@10 of HNSW + exact rescoring against exact search on real query embeddings
    (never seen by the build's calibration), at the breadth the build chose (and a sweep),
    with the vector search's p50/p99."""
    qv, exact = truth
    store = open_store(settings.resolved_database_url)
    s = Searcher(settings, store)
    vec = s.vectors()
    ann = vec._state(MODEL).ann
    raw = sum(len(ex & set(int(x) for x in ann.search(q, 10).keys)) for ex, q in zip(exact, qv))
    print(f"recall@10 of raw HNSW distances (no rescoring): {raw / (10 * len(qv)):.3f}")
    # usearch explores max(expansion_search, count) candidates: the search breadth, not the
    # number rescored, is what finds neighbours in far clusters
    shipped, found = int(ann.expansion_search), {}
    for ef in sorted({shipped, 512, 1024, 2048, 4096} if sweep else {shipped}):
        ann.expansion_search = ef
        hits, times = 0, []
        for ex, q in zip(exact, qv):
            t = time.perf_counter()
            got = {paper_key(pid) for pid, _ in vec.search(MODEL, q, 10)}
            times.append(time.perf_counter() - t)
            hits += len(ex & got)
        found[ef] = (hits / (10 * len(qv)), pct(times, 50) * 1000, pct(times, 99) * 1000)
        print(f"recall@10 with HNSW expansion_search {ef} (+ exact rescoring): {found[ef][0]:.3f} "
              f"(vector search p50 {found[ef][1]:.1f} ms, p99 {found[ef][2]:.1f} ms)"
              + (" <- calibrated" if ef == shipped else ""))
    ann.expansion_search = shipped
    store.close()
    return {"breadth": shipped, "recall": found[shipped][0], "vector_p50_ms": found[shipped][1],
            "vector_p99_ms": found[shipped][2]}


def fresh_builds(settings: Settings, builds: int, truth) -> None:
    """Rebuild the HNSW file ``builds`` times from scratch (graphs differ run to run) and
    print, per build: build time (with calibration), the chosen breadth and its sample
    recall, recall@10 on real query embeddings and the vector search p50/p99."""
    rows = []
    for b in range(builds):
        store = open_store(settings.resolved_database_url)
        vec = Searcher(settings, store).vectors()
        t = time.perf_counter()
        out = vec.sync(MODEL, rebuild=True, ann_min=0)
        build_s = time.perf_counter() - t
        meta = vec.read_meta(MODEL)
        store.close()
        r = recall_at_10(settings, truth, sweep=False)
        rows.append((b + 1, build_s, meta.get("calibration_seconds", 0), out.get("breadth"),
                     meta.get("recall"), r["recall"], r["vector_p50_ms"], r["vector_p99_ms"]))
        print(f"build {b + 1}: {build_s:.0f} s, breadth {out.get('breadth')}, sample recall "
              f"{meta.get('recall')} (tried {meta.get('tried')}), query recall {r['recall']:.3f}, "
              f"vector p50 {r['vector_p50_ms']:.1f} p99 {r['vector_p99_ms']:.1f} ms, "
              f"load {os.getloadavg()}", flush=True)
    print("\n| build | build s (calibration s) | breadth | sample recall@10 | "
          "query recall@10 | vector p50 ms | p99 ms |\n|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.0f} ({r[2]:.0f}) | {r[3]} | {r[4]:.3f} | {r[5]:.3f} | "
              f"{r[6]:.1f} | {r[7]:.1f} |")
    print(f"median query recall@10 {np.median([r[5] for r in rows]):.3f}, "
          f"min {min(r[5] for r in rows):.3f}; load average {os.getloadavg()}", flush=True)


def recall_mixture(n: int, queries: list[str], dtype: str) -> None:
    """HNSW recall@10 (with exact rescoring) on vectors without synthetic near-duplicates:
    each is a random convex mix of three real MiniLM embeddings plus small noise."""
    Index = vectors_mod.usearch_index()

    from paperradar.search.embed import load_embedder

    base, rng = base_vectors(), np.random.default_rng(5)
    w = rng.dirichlet(np.ones(3), n).astype(np.float32)
    X = sum(w[:, i:i + 1] * base[rng.integers(0, len(base), n)] for i in range(3))
    X += rng.standard_normal(X.shape).astype(np.float32) * 0.01
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    index = Index(ndim=X.shape[1], metric="cos", dtype=dtype, multi=False,
                  connectivity=vectors_mod.ANN_CONNECTIVITY,
                  expansion_add=vectors_mod.ANN_EXPANSION_ADD,
                  expansion_search=vectors_mod.ANN_EXPANSION_SEARCH)
    t = time.perf_counter()
    index.add(np.arange(n, dtype=np.uint64), X)
    build = time.perf_counter() - t
    qv = load_embedder(Settings(env="test")).embed(queries[:100])
    raw = hits = 0
    for q in qv:
        exact = set(np.argpartition(-(X @ q), 10)[:10].tolist())
        m = index.search(q, 50)
        cand = m.keys.astype(np.int64)
        top = cand[np.argsort(-(X[cand] @ q))[:10]]
        raw += len(exact & set(m.keys[:10].astype(np.int64).tolist()))
        hits += len(exact & set(top.tolist()))
    print(f"mixture corpus {n:,} ({dtype}): HNSW build {build:.1f} s, recall@10 raw "
          f"{raw / (10 * len(qv)):.3f}, with exact rescoring of 50 candidates "
          f"{hits / (10 * len(qv)):.3f}")


def latency(settings: Settings, queries: list[str]) -> dict:
    import psutil
    import torch

    torch.set_num_threads(1)
    one_blas_thread()  # as the web app
    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    store = open_store(settings.resolved_database_url)
    s = Searcher(settings, store)
    s.query_embedder()
    rss_model = proc.memory_info().rss
    for q in queries[:20]:  # warm up: open indexes, page in
        for mode in ("lexical", "semantic", "hybrid"):
            s.search(q, mode=mode)
    out = {"rss_model_mb": (rss_model - rss0) / 2**20,
           "rss_indexes_mb": (proc.memory_info().rss - rss_model) / 2**20}
    for mode in ("lexical", "semantic", "hybrid"):
        s.clear_query_cache()  # every query pays its embedding, in every mode
        ms = timed(lambda q: s.search(q, mode=mode, limit=20), queries)
        out[mode] = (pct(ms, 50), pct(ms, 99))
    s.clear_query_cache()
    ms = timed(lambda q: s.search(q + " cat:cs.CV since:2020", limit=20), queries)
    out["hybrid+filters"] = (pct(ms, 50), pct(ms, 99))
    ms = timed(lambda q: s.query_embedder().embed([q]), queries)
    out["query_embedding"] = (pct(ms, 50), pct(ms, 99))
    ann = s.vectors()._state(MODEL).ann
    out["hnsw_memory_bytes_per_paper"] = ann.memory_usage / len(ann) if ann is not None else 0
    store.close()
    return out


def long_queries(k: int) -> list[str]:
    """Long natural-language queries: the ai_summary sentences of HF daily papers."""
    import glob
    import json

    out = []
    for f in sorted(glob.glob(str(DATA / "hf_daily_papers" / "*.json"))):
        for item in json.load(open(f, encoding="utf-8")):
            if (item.get("paper") or {}).get("ai_summary"):
                out.append(item["paper"]["ai_summary"])
    return random.Random(3).sample(out, min(k, len(out)))


def pair_cost(settings: Settings, k: int) -> None:
    """What the ordered word-pair clauses cost in the lexical search (a page of 20 with
    snippets; no embedding): short title fragments and long HF summaries, with and without
    the pairs, alternating per query so both see the same machine."""
    one_blas_thread()  # as the web app
    store = open_store(settings.resolved_database_url)
    s = Searcher(settings, store)
    lx, shipped = s.lexical, dict(s.lexical.weights)
    for name, queries in (("short", make_queries(k)), ("long", long_queries(k))):
        for q in queries[:10]:
            s.search(q, mode="lexical", limit=20)  # warm up
        ms = {"with pairs": [], "without": []}
        for i, q in enumerate(queries):
            runs = [("with pairs", shipped), ("without", dict(shipped, ordered=0.0))]
            for label, w in runs if i % 2 else runs[::-1]:
                lx.weights = w
                ms[label] += timed(lambda t: s.search(t, mode="lexical", limit=20), [q])
        lx.weights = shipped
        print(f"{name} queries ({len(queries)}, median {np.median([len(q.split()) for q in queries]):.0f}"
              " words): " + "; ".join(f"{k} p50 {pct(v, 50):.1f} p99 {pct(v, 99):.1f} ms"
                                       for k, v in ms.items())
              + f"; p50 ratio {pct(ms['with pairs'], 50) / pct(ms['without'], 50):.2f}; "
              f"load {os.getloadavg()}", flush=True)
    store.close()


def embed_throughput() -> None:
    from paperradar.search.embed import load_embedder

    texts = [f"{r['title']}. {r['abstract']}" for r in real_papers()[:192]]
    runs = [(m, t, n) for m in ("all-MiniLM-L6-v2", "onnx:all-MiniLM-L6-v2")
            for t in (1, 2) for n in (256, 128, 64)]
    for model, threads, max_tokens in runs:
        e = load_embedder(Settings(env="test", embed_max_tokens=max_tokens,
                                   embed_threads=threads, embed_batch_size=32,
                                   embed_model=model, data_dir=WORK / "throughput"))
        e.embed(texts[:32])
        t = time.perf_counter()
        e.embed(texts)
        dt = time.perf_counter() - t
        print(f"{model} max_tokens={max_tokens:3d} threads={threads}: "
              f"{len(texts) / dt:6.1f} papers/s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--papers", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--dtype", default=vectors_mod.ANN_DTYPE)
    ap.add_argument("--qps-seconds", type=float, default=20)
    ap.add_argument("--embed-throughput", action="store_true")
    ap.add_argument("--recall-mixture", type=int, default=0, metavar="N",
                    help="only measure HNSW recall on N mixed real embeddings")
    ap.add_argument("--clean", action="store_true", help="delete the corpus afterwards")
    ap.add_argument("--builds", type=int, default=0, metavar="N",
                    help="first rebuild the HNSW file N times, recall and breadth per build")
    ap.add_argument("--recall-only", action="store_true",
                    help="with --builds: only HNSW builds and recall (corpus already written)")
    ap.add_argument("--rebuild-indexes", action="store_true", help="rebuild tantivy and HNSW")
    ap.add_argument("--pair-cost", action="store_true",
                    help="only time the lexical search with and without word pairs")
    args = ap.parse_args()
    if args.embed_throughput:
        embed_throughput()
        return
    if args.recall_mixture:
        recall_mixture(args.recall_mixture, make_queries(args.queries), args.dtype)
        return
    if args.pair_cost:  # the stored corpus as it is
        pair_cost(Settings(data_dir=WORK / f"latency-{args.papers}", env="test"), args.queries)
        return
    if args.recall_only:  # the stored corpus, its HNSW rebuilt --builds times; no latency
        settings = Settings(data_dir=WORK / f"latency-{args.papers}", env="test")
        vectors_mod.ANN_DTYPE = args.dtype
        fresh_builds(settings, max(1, args.builds), exact_truth(settings, make_queries(100)))
        return
    settings, figures = build_corpus(args.papers, args.dtype, args.rebuild_indexes,
                                     hnsw=not args.builds)  # --builds: built there
    queries = make_queries(args.queries)
    truth = exact_truth(settings, queries)
    if args.builds:
        fresh_builds(settings, args.builds, truth)
    ann_file = vectors_mod.VectorIndex(settings.index_dir, None).ann_path(MODEL)
    figures["hnsw_bytes_per_paper"] = ann_file.stat().st_size / args.papers
    print(f"load average before the latency run: {os.getloadavg()}", flush=True)
    res = latency(settings, queries)
    figures["recall@10_hnsw_vs_exact"] = recall_at_10(settings, truth)["recall"]
    if args.qps_seconds > 0:
        with mp.get_context("spawn").Pool(2) as pool:
            counts = pool.map(_worker, [(settings, queries, args.qps_seconds)] * 2)
        figures["hybrid_qps_2proc"] = sum(counts) / args.qps_seconds
    print(f"\n## {args.papers:,} papers (HNSW dtype {args.dtype})\n")
    print("| query | p50 ms | p99 ms |\n|---|---|---|")
    for k in ("lexical", "semantic", "hybrid", "hybrid+filters", "query_embedding"):
        print(f"| {k} | {res[k][0]:.1f} | {res[k][1]:.1f} |")
    print()
    for k, v in {**figures, **{k: v for k, v in res.items() if not isinstance(v, tuple)}}.items():
        print(f"- {k}: {v:,.3f}" if isinstance(v, float) else f"- {k}: {v}")
    if args.clean:
        shutil.rmtree(settings.data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
