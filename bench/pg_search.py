"""Search inside PostgreSQL (tsvector + pgvector) against our per-node indexes (tantivy +
usearch HNSW), on quality and latency, in one run on the same documents and vectors.

PostgreSQL side, in a scratch database of a bench-owned pgserver (PostgreSQL 16.2, pgvector
0.6.2): a stored ``tsvector`` column (title weight A, abstract weight B, 'english'), a GIN
index, ``ts_rank_cd``; an ``hnsw`` index (vector_cosine_ops, m=16, ef_construction=64,
``hnsw.ef_search`` = 100 so that 100 neighbours can come back). Lexical queries use
``websearch_to_tsquery`` as it is (AND of every word) and, as a second variant, the same
query with its ANDs turned into ORs (long natural-language queries match nothing with AND).
Hybrid = both lists fused by our shipped fusion (``fused_head``), exactly as ours fuses.

Sets: those of ``bench/eval_search.py`` (Cranfield, its title-only variant, HF known-item),
with its loaders and its cached MiniLM vectors (the same vectors on both sides), nDCG@10;
then ~100k synthetic papers of ``bench/search_latency.py`` (its generator) for latency.
Latency: one thread, warm, p50/p99 ms of a page of 10 without snippets: ours through
``Searcher.search`` (parsing, tantivy/HNSW, fusion, paper fetch); PostgreSQL: the SQL
(one round trip per list) plus the fetch of the 10 rows; the query embedding (the same
embedder) is inside both hybrid timings.

Usage: python bench/pg_search.py [--papers 100000] [--queries 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from eval_search import (cranfield, cranfield_title_only, evaluate, hf_known_item,  # noqa: E402
                         local, our_lists, prepare, shipped)
from search_latency import MODEL, build_corpus, make_queries, pct  # noqa: E402

from paperradar.config import Settings  # noqa: E402
from paperradar.search import Searcher  # noqa: E402
from paperradar.search.hybrid import fusion_for  # noqa: E402
from paperradar.search.vectors import decode  # noqa: E402
from paperradar.store import open_store  # noqa: E402

DEPTH = 100
DDL = """
DROP TABLE IF EXISTS bench_papers;
CREATE TABLE bench_papers (id text PRIMARY KEY, title text NOT NULL, abstract text NOT NULL,
  emb vector(384),
  tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A')
                                    || setweight(to_tsvector('english', abstract), 'B')) STORED);
"""
INDEXES = ("CREATE INDEX bench_tsv ON bench_papers USING gin (tsv)",
           "CREATE INDEX bench_hnsw ON bench_papers USING hnsw (emb vector_cosine_ops) "
           "WITH (m = 16, ef_construction = 64)")
TSQ = {"and": "websearch_to_tsquery('english', %s)",
       "or": "replace(websearch_to_tsquery('english', %s)::text, ' & ', ' | ')::tsquery"}
LEX = ("SELECT id, ts_rank_cd(tsv, q) AS r FROM bench_papers, (SELECT {tsq} AS q) x WHERE tsv @@ q "
       "ORDER BY r DESC, id LIMIT %s")
SEM = "SELECT id, 1 - (emb <=> %s::vector) FROM bench_papers ORDER BY emb <=> %s::vector LIMIT %s"
ROWS = "SELECT id, title, abstract FROM bench_papers WHERE id = ANY(%s)"


def vec_text(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.6f}" for x in v.tolist()) + "]"


def load(conn: psycopg.Connection, s: Searcher) -> dict:
    """Copy the store's papers and their stored vectors into ``bench_papers``; index them."""
    conn.execute(DDL)
    vecs = {e.paper_id: decode(e) for e in s.store.iter_embeddings(s.model_name())}
    t = time.perf_counter()
    n = 0
    with conn.cursor() as cur, cur.copy("COPY bench_papers (id, title, abstract, emb) "
                                        "FROM STDIN") as copy:
        for _, p in s.store.iter_changed_papers(0, batch=5000):
            v = vecs.get(p.id)
            copy.write_row((local(p.id), p.title or "", p.abstract or "",
                            vec_text(v) if v is not None else None))
            n += 1
    out = {"papers": n, "copy_s": time.perf_counter() - t}
    for sql, key in zip(INDEXES, ("gin_s", "hnsw_s")):
        t = time.perf_counter()
        conn.execute(sql)
        out[key] = time.perf_counter() - t
    conn.execute("ANALYZE bench_papers")
    return out


def pg_lists(conn, text: str, qvec: np.ndarray, variant: str, k: int = DEPTH):
    lex = conn.execute(LEX.format(tsq=TSQ[variant]), (text, k)).fetchall()
    vt = vec_text(qvec)
    sem = conn.execute(SEM, (vt, vt, k)).fetchall()
    return [(i, float(r)) for i, r in lex], [(i, float(r)) for i, r in sem]


def quality(conn, s: Searcher, queries: dict, qrels: dict, fusion) -> dict[str, float]:
    qids = list(queries)
    qv = s.query_embedder().embed([queries[q] for q in qids])
    ours = our_lists(s, queries)
    runs = {"ours lexical (tantivy)": {q: [d for d, _ in ours[q][0]] for q in qids},
            "ours semantic (usearch)": {q: [d for d, _ in ours[q][1]] for q in qids},
            "ours hybrid": shipped(ours, fusion)}
    for variant in ("and", "or"):
        lists = {q: pg_lists(conn, queries[q], qv[n], variant) for n, q in enumerate(qids)}
        runs[f"pg lexical ({variant.upper()})"] = {q: [d for d, _ in lists[q][0]] for q in qids}
        runs[f"pg hybrid ({variant.upper()})"] = shipped(lists, fusion)
        if variant == "and":
            runs["pg semantic (pgvector)"] = {q: [d for d, _ in lists[q][1]] for q in qids}
    return {name: evaluate(run, qrels)[0] for name, run in runs.items()}


def latency(conn, s: Searcher, texts: list[str], fusion) -> dict[str, tuple[float, float]]:
    def timed(fn) -> tuple[float, float]:
        for t in texts[:10]:
            fn(t)  # warm
        ms = []
        for t in texts:
            start = time.perf_counter()
            fn(t)
            ms.append((time.perf_counter() - start) * 1000)
        return pct(ms, 50), pct(ms, 99)

    def ours(mode):
        def run(t):
            s.clear_query_cache()
            s.search(t, mode=mode, limit=10, snippets=False)
        return run

    def pg_lex(t):
        ids = [i for i, _ in conn.execute(LEX.format(tsq=TSQ["or"]), (t, 10)).fetchall()]
        conn.execute(ROWS, (ids,)).fetchall()

    def pg_hybrid(t):
        qvec = s.query_embedder().embed([t])[0]
        lex, sem = pg_lists(conn, t, qvec, "or")
        head = shipped({"q": (lex, sem)}, fusion)["q"][:10]
        conn.execute(ROWS, (head,)).fetchall()

    return {"ours lexical": timed(ours("lexical")), "pg lexical (OR)": timed(pg_lex),
            "ours hybrid": timed(ours("hybrid")), "pg hybrid (OR)": timed(pg_hybrid)}


def pg_connection(root: Path) -> tuple[object, psycopg.Connection]:
    import pgserver

    server = pgserver.get_server(root, cleanup_mode="delete")
    conn = psycopg.connect(server.get_uri(), autocommit=True)
    conn.execute("DROP DATABASE IF EXISTS bench_pg_search")
    conn.execute("CREATE DATABASE bench_pg_search")
    conn.close()
    uri = server.get_uri().replace("/postgres?", "/bench_pg_search?", 1)
    conn = psycopg.connect(uri, autocommit=True)
    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    conn.execute("SET maintenance_work_mem = '512MB'")
    conn.execute(f"SET hnsw.ef_search = {DEPTH}")
    return server, conn


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--papers", type=int, default=100_000, help="synthetic corpus (0: skip)")
    ap.add_argument("--queries", type=int, default=100, help="queries timed per set")
    args = ap.parse_args()
    fusion = fusion_for(Settings(env="test"))
    server, conn = pg_connection(Path(tempfile.mkdtemp(prefix="pg-search-")))
    sets = {"cranfield": cranfield(), "cranfield-title-only": cranfield_title_only(),
            "hf-known-item": hf_known_item()}
    q_rows, l_rows, loads = {}, {}, {}
    try:
        for name, (docs, queries, qrels) in sets.items():
            s = prepare(name.replace("-known-item", ""), docs, 256, MODEL)
            loads[name] = load(conn, s)
            q_rows[name] = quality(conn, s, queries, qrels, fusion)
            l_rows[name] = latency(conn, s, list(queries.values())[:args.queries], fusion)
            print(f"[{name}] {loads[name]} {q_rows[name]} {l_rows[name]}", file=sys.stderr,
                  flush=True)
        if args.papers:
            settings, _ = build_corpus(args.papers, "f16")
            store = open_store(settings.resolved_database_url)
            s = Searcher(settings, store)
            name = f"synthetic-{args.papers // 1000}k"
            loads[name] = load(conn, s)
            l_rows[name] = latency(conn, s, make_queries(args.queries), fusion)
            print(f"[{name}] {loads[name]} {l_rows[name]}", file=sys.stderr, flush=True)
            store.close()
    finally:
        conn.close()
        server.cleanup()
    report(q_rows, l_rows, loads)


def report(q_rows: dict, l_rows: dict, loads: dict) -> None:
    print(f"\n## search in PostgreSQL vs per-node indexes (load average {os.getloadavg()[0]:.1f})\n")
    qsets = list(q_rows)
    print("| run | " + " | ".join(f"{n} nDCG@10" for n in qsets) + " |")
    print("|---|" + "---|" * len(qsets))
    for run in next(iter(q_rows.values())):
        print(f"| {run} | " + " | ".join(f"{q_rows[n][run]:.4f}" for n in qsets) + " |")
    lsets = list(l_rows)
    print("\n| latency p50 / p99 ms | " + " | ".join(
        f"{n} ({loads[n]['papers']:,})" for n in lsets) + " |")
    print("|---|" + "---|" * len(lsets))
    for run in next(iter(l_rows.values())):
        print(f"| {run} | " + " | ".join(f"{l_rows[n][run][0]:.1f} / {l_rows[n][run][1]:.1f}"
                                         for n in lsets) + " |")
    for a, b in (("pg lexical (OR)", "ours lexical"), ("pg hybrid (OR)", "ours hybrid")):
        print(f"\n{a} / {b} p50: " + ", ".join(
            f"{n} {l_rows[n][a][0] / l_rows[n][b][0]:.2f}x" for n in lsets), end="")
    print("\n\nPostgreSQL load: " + "; ".join(
        f"{n}: COPY {v['copy_s']:.1f} s, GIN {v['gin_s']:.1f} s, HNSW {v['hnsw_s']:.1f} s"
        for n, v in loads.items()))


if __name__ == "__main__":
    main()
