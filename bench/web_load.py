"""Web load: requests/s and p50/p99 latency of the home page, a paper page, the search API
and ``/api/daily_papers``, with a concurrent client on loopback against ``paperradar serve``
(a real uvicorn process), on the demo data and on a 100k-paper database.

Baseline, measured in the same run: ``/healthz`` (the framework's floor: routing, the
security and access-log middlewares, JSON); each endpoint's req/s is also given as a ratio
of it. The client is one asyncio process (httpx, keep-alive) on the same machine, so the
client's CPU is part of what is measured; figures are lower bounds of the server. The server's
own CPU time per request (all its processes, from psutil) is printed too, with the req/s one
fully used core would give at that cost: a figure that depends much less on what else the
machine is doing.

Corpora (built once into ``$PAPERRADAR_BENCH_DIR``, default /tmp/paperradar-bench):
- ``demo``: ``paperradar demo``'s data (60 real days, 959 papers), full-text index and,
  unless ``--no-embed``, MiniLM embeddings (so search is hybrid).
- ``100k``: the demo days plus synthetic papers grown from the 12,768 real papers of
  ``../shared/data/arxiv_metadata`` by ``bench/search_latency.py``'s ``synth_papers`` (real
  papers first, then recombined titles/abstracts), 20,000 of them given daily entries spread
  over the 500 days before the demo; stand-in embeddings (real MiniLM vectors plus noise, as in
  ``bench/search_latency.py``; embedding 100k abstracts takes hours on CPU), so search there
  is hybrid with the real query path: MiniLM query embedding, tantivy, HNSW, fusion.

PostgreSQL: with ``--database-url postgresql://...`` (a scratch database: its ``public``
schema is DROPPED) each corpus is copied into it (``paperradar db copy``, embeddings
included) and measured beside SQLite, in the same run, with one node and with ``--nodes``
nodes (separate ``paperradar serve`` processes on the one database, each with its own data
directory and search index built from the database; the client's connections are spread
over the nodes). A table of req/s per endpoint with the PostgreSQL/SQLite ratio closes the
output. The server CPU column counts the web processes only, not PostgreSQL's.
All configurations' servers run at once and each endpoint is measured on each in turn
(SQLite, PostgreSQL 1 node, PostgreSQL N nodes, next endpoint), so that the figures compared
are taken seconds apart on a machine whose load changes; ``--runs N`` repeats that N times
and the table gives medians over the runs: of req/s, p50, CPU ms/req and of each run's
PostgreSQL/SQLite ratio (the load average at each run is printed).

Usage: python bench/web_load.py [--corpus demo 100k] [--seconds 8] [--concurrency 1 16]
                                [--workers 1] [--papers 100000] [--no-embed]
                                [--database-url URL] [--nodes 2] [--runs 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402

from paperradar.config import Settings  # noqa: E402
from paperradar.models import DailyEntry, Record  # noqa: E402
from paperradar.store import open_store  # noqa: E402
from proc_cpu import tree_cpu_s  # noqa: E402

WORK = Path(os.environ.get("PAPERRADAR_BENCH_DIR") or "/tmp/paperradar-bench")


def build_demo(embed: bool) -> Path:
    from paperradar.cli.web_cmds import build_demo as demo

    data = WORK / ("web-demo" if embed else "web-demo-noembed")
    if not (data / "paperradar.db").exists():
        demo(data, embed=embed)
    return data


def build_100k(n: int) -> Path:
    from paperradar.search import Searcher
    from search_latency import real_papers, synth_papers

    data = WORK / f"web-{n // 1000}k"
    if (data / "paperradar.db").exists():
        add_vectors(data)
        return data
    tmp = build_demo(embed=False)
    data.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data)
    store = open_store(settings.resolved_database_url)
    from paperradar.demo import extract_demo
    from paperradar.ingest.files import import_paths

    import_paths(store, extract_demo(tmp / "demo-source"))
    have = store.count_papers()
    rng = random.Random(11)
    first_demo_day = date(2025, 4, 8)
    batch: list[Record] = []
    for i, paper in enumerate(synth_papers(real_papers(), n - have)):
        entry = None
        if i % 5 == 0 and i // 5 < 20_000:
            day = first_demo_day - timedelta(days=1 + (i // 5) % 500)
            entry = DailyEntry(paper.id, day.isoformat(), submitted_by=f"user{rng.randrange(300)}",
                               upvotes=rng.randrange(200), num_comments=rng.randrange(5),
                               source="bench")
        batch.append(Record(paper, entry))
        if len(batch) == 5000:
            store.upsert_records(batch)
            batch = []
    if batch:
        store.upsert_records(batch)
    print(f"built {store.count_papers():,} papers; indexing", file=sys.stderr)
    Searcher(settings, store).build(embed=False)
    store.close()
    add_vectors(data)
    return data


def add_vectors(data: Path) -> None:
    """Stand-in embeddings for every paper (``search_latency.put_synthetic_embeddings``:
    real MiniLM vectors plus noise), so search at 100k is hybrid with the real query path
    (MiniLM query embedding, HNSW, fusion); embedding 100k abstracts takes hours on CPU."""
    import numpy as np

    from paperradar.search import Searcher
    from search_latency import MODEL, base_vectors, put_synthetic_embeddings

    settings = Settings(data_dir=data)
    store = open_store(settings.resolved_database_url)
    try:
        if store.embedding_count(MODEL) == 0:
            n = put_synthetic_embeddings(store, base_vectors(), np.random.default_rng(3))
            print(f"stand-in embeddings for {n:,} papers; building the vector index",
                  file=sys.stderr)
        Searcher(settings, store).build(embed=False)
    finally:
        store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_to_postgres(data: Path, url: str, nodes: int) -> list[Path]:
    """Copy the SQLite corpus into the scratch database; one data directory per node, each
    with its own search index built from the database (as a new node would): the one-node
    configuration's, then (``nodes`` > 1) the multi-node configuration's (they run at once)."""
    import shutil

    import psycopg

    from paperradar.search import Searcher

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    subprocess.run([sys.executable, "-m", "paperradar", "db", "copy",
                    f"sqlite:///{data / 'paperradar.db'}", url], check=True,
                   stdout=subprocess.DEVNULL)
    dirs = []
    for k in range(1 + nodes if nodes > 1 else 1):
        node = data.parent / f"{data.name}-pg-node{k}"
        shutil.rmtree(node, ignore_errors=True)
        node.mkdir(parents=True)
        settings = Settings(data_dir=node, database_url=url)
        with open_store(url) as store:
            Searcher(settings, store).build(embed=False)
        dirs.append(node)
    return dirs


def start_server(data: Path, workers: int, database_url: str = "") -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERRADAR_")}
    env.update(PAPERRADAR_DATA_DIR=str(data), PAPERRADAR_EMBED_THREADS="1")
    if database_url:
        env["PAPERRADAR_DATABASE_URL"] = database_url
    proc = subprocess.Popen([sys.executable, "-m", "paperradar", "serve", "--port", str(port),
                             "--workers", str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


async def hammer(bases: list[str], urls: list[str], seconds: float, concurrency: int) -> dict:
    """``concurrency`` keep-alive connections, connection ``k`` on node ``k % len(bases)``."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def worker(k: int) -> None:
            nonlocal errors
            i = k
            base = bases[k % len(bases)]
            while time.perf_counter() < stop:
                url = urls[i % len(urls)]
                i += concurrency
                t = time.perf_counter()
                r = await client.get(base + url)
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "errors": errors,
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]}


def targets(base: str) -> dict[str, list[str]]:
    latest = httpx.get(base + "/api/daily_papers", params={"limit": 100}).json()
    ids = [item["paper"]["id"] for item in latest]
    dates = httpx.get(base + "/api/v1/dates").json()[-30:]
    rng = random.Random(5)
    words = [w for item in latest for w in item["title"].split() if len(w) > 4 and w.isalpha()]
    queries = [" ".join(rng.sample(words, 2)) for _ in range(200)]
    return {
        "healthz (baseline)": ["/healthz"],
        "home /": ["/"],
        "paper page": [f"/papers/{i}" for i in ids],
        "search API": ["/api/papers/search?" + httpx.QueryParams(q=q, limit=20).__str__() for q in queries],
        "daily API": [f"/api/daily_papers?date={d}" for d in dates],
    }


def server_cpu(proc: subprocess.Popen) -> float:
    """CPU seconds used so far by the server and its worker processes."""
    return tree_cpu_s(proc.pid)


def start_config(label: str, datas: list[Path], args, database_url: str = "") -> dict:
    """One configuration: a server per data dir (all on ``database_url``, if given)."""
    servers = []
    try:
        for d in datas:
            servers.append(start_server(d, args.workers, database_url))
    except BaseException:
        stop_config({"servers": servers})
        raise
    with open_store(database_url or Settings(data_dir=datas[0]).resolved_database_url) as st:
        papers = st.count_papers()
    return {"label": label, "servers": servers, "bases": [b for _, b in servers],
            "papers": papers}


def stop_config(cfg: dict) -> None:
    for proc, _ in cfg["servers"]:
        proc.terminate()
    for proc, _ in cfg["servers"]:
        proc.wait(30)


def measure(cfgs: list[dict], args) -> list[dict]:
    """``--runs`` rounds; in each, every endpoint at every ``--concurrency`` is measured on
    every configuration in turn, so that the figures compared were taken seconds apart."""
    urls = targets(cfgs[0]["bases"][0])
    for cfg in cfgs:
        for base in cfg["bases"]:
            for u in urls.values():  # warm up (model load, page cache)
                for x in u[:5]:
                    httpx.get(base + x, timeout=60)
    for cfg in cfgs:
        print(f"{cfg['label']}: {cfg['papers']:,} papers, {len(cfg['bases'])} node(s) x "
              f"{args.workers} worker(s)")
    runs = []
    for k in range(max(1, args.runs)):
        print(f"\n# run {k + 1}/{max(1, args.runs)}; load average: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        results: dict = {cfg["label"]: {} for cfg in cfgs}
        for conc in args.concurrency:
            print(f"\n## {conc} concurrent connections, {args.seconds:g} s per endpoint")
            print(f"{'endpoint':<22}{'configuration':<14}{'req/s':>8}{'x base':>8}{'p50 ms':>9}"
                  f"{'p99 ms':>9}{'errors':>8}{'server CPU ms/req':>19}{'req/s per core':>16}")
            for name, u in urls.items():
                for cfg in cfgs:
                    res = hammer_config(cfg, u, args.seconds, conc)
                    out = results[cfg["label"]]
                    out[(name, conc)] = res
                    base_rps = next(iter(out.values()))["rps"]
                    print(f"{name:<22}{cfg['label']:<14}{res['rps']:>8.0f}"
                          f"{res['rps'] / base_rps:>8.2f}{res['p50_ms']:>9.1f}{res['p99_ms']:>9.1f}"
                          f"{res['errors']:>8}{res['cpu_ms']:>19.2f}"
                          f"{1000 / max(res['cpu_ms'], 1e-9):>16.0f}", flush=True)
        runs.append(results)
    return runs


def hammer_config(cfg: dict, urls: list[str], seconds: float, conc: int) -> dict:
    """``hammer`` one configuration, with its servers' CPU time per request."""
    servers = cfg["servers"]
    cpu0 = sum(server_cpu(p) for p, _ in servers)
    res = asyncio.run(hammer(cfg["bases"], urls, seconds, conc))
    res["cpu_ms"] = 1000 * (sum(server_cpu(p) for p, _ in servers) - cpu0) / max(
        1, res["requests"])
    return res


def print_table(corpus: str, runs: list[dict]) -> None:
    """Per endpoint and configuration: req/s (p50 ms) [CPU ms/req], and the ratio to SQLite
    at the same concurrency; medians over the interleaved runs, the ratio as the median of
    each run's ratio (a run's configurations are measured minutes apart, not hours)."""
    def med(label: str, key, field: str) -> float:
        return statistics.median(r[label][key][field] for r in runs)

    print(f"\n## {corpus}: req/s (p50 ms) [server CPU ms/req], ratio PostgreSQL/SQLite req/s"
          + (f"; medians of {len(runs)} interleaved runs" if len(runs) > 1 else ""))
    for key in runs[0]["SQLite"]:
        name, conc = key
        cells = []
        for label in runs[0]:
            cell = (f"{med(label, key, 'rps'):.0f} ({med(label, key, 'p50_ms'):.1f}) "
                    f"[{med(label, key, 'cpu_ms'):.2f}]")
            if label != "SQLite":
                ratio = statistics.median(r[label][key]["rps"] / r["SQLite"][key]["rps"]
                                          for r in runs)
                cell = f"{label}: {cell} {ratio:.2f}x"
            cells.append(cell)
        print(f"{name:<22} c={conc:<3} SQLite {' | '.join(cells)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", nargs="+", default=["demo", "100k"], choices=["demo", "100k"])
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[16])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--papers", type=int, default=100_000)
    ap.add_argument("--no-embed", action="store_true", help="demo corpus without embeddings")
    ap.add_argument("--database-url", default="", help="a scratch PostgreSQL database (its "
                    "public schema is DROPPED): also measure PostgreSQL after SQLite")
    ap.add_argument("--nodes", type=int, default=2, help="PostgreSQL nodes of the multi-node run")
    ap.add_argument("--runs", type=int, default=1, help="measure every configuration this "
                    "many times, interleaved; the closing table gives medians")
    args = ap.parse_args()
    print(f"cpus: {os.cpu_count()}; load average: {os.getloadavg()[0]:.2f}")
    for corpus in args.corpus:
        data = build_demo(not args.no_embed) if corpus == "demo" else build_100k(args.papers)
        name = corpus if corpus == "100k" else "demo"
        print(f"\n# corpus {name}")
        nodes = copy_to_postgres(data, args.database_url, max(1, args.nodes)) \
            if args.database_url else []
        cfgs: list[dict] = []
        try:
            cfgs.append(start_config("SQLite", [data], args))
            if nodes:
                cfgs.append(start_config("PG 1 node", nodes[:1], args, args.database_url))
                if args.nodes > 1:
                    cfgs.append(start_config(f"PG {args.nodes} nodes", nodes[1:], args,
                                             args.database_url))
            runs = measure(cfgs, args)
        finally:
            for cfg in cfgs:
                stop_config(cfg)
        if nodes:
            print_table(name, runs)


if __name__ == "__main__":
    main()
