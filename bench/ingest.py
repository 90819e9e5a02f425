"""Ingest benchmark: papers/s into SQLite including the full-text index, peak memory, size.

Two corpora:

1. the 12,768 real papers of ``shared/data/arxiv_metadata/`` (JSON Lines), imported as is;
2. a synthetic corpus grown from them to ``--n`` papers (default 1,000,000): each paper gets
   a new unique arXiv-style id (``YYMM.NNNNN``), a title made of a real title's words
   shuffled plus two words from the pool, an abstract of 4-8 sentences drawn from the pool
   of real abstract sentences, 1-6 real author names and a real paper's categories. The
   file is written first (streaming; not timed), then imported with ``paperradar import``'s
   code path (``import_paths``) and indexed (``Searcher.sync_lexical``).

Baseline measured in the same run: a bare SQLite FTS5 insert loop of (id, title, abstract)
from the same synthetic file (at most 200,000 rows); with ``--database-url postgresql://...``
(a scratch database: its ``public`` schema is dropped before each import) the imports go to
PostgreSQL and the baseline is a bare ``COPY`` of the same rows into an unindexed table. Memory is sampled (RSS) during the
import to show whether it stays flat. Usage::

    python bench/ingest.py --n 100000        # quick
    python bench/ingest.py                   # real + 1M synthetic (minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import psutil

from paperradar.config import Settings
from paperradar.ingest.files import import_paths
from paperradar.store import open_store
from proc_cpu import tree_cpu_s

BASELINE_CAP = 200_000


def shared_data() -> Path:
    env = os.environ.get("PAPERRADAR_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def synthesise(real: Path, out: Path, n: int, seed: int = 42) -> None:
    """Write ``n`` synthetic papers grown from the real file (see the module docstring)."""
    rng = random.Random(seed)
    papers = [json.loads(line) for line in real.open(encoding="utf-8")]
    sentences = [s for p in papers for s in re.split(r"(?<=[.!?])\s+", p["abstract"]) if len(s) > 20]
    words = [w for p in papers for w in p["title"].split()]
    authors = [a for p in papers for a in p["authors"]]
    with out.open("w", encoding="utf-8") as f:
        for i in range(n):
            src = papers[rng.randrange(len(papers))]
            title = src["title"].split()
            rng.shuffle(title)
            month = i // 90_000
            pid = f"{10 + month // 12:02d}{month % 12 + 1:02d}.{10_000 + i % 90_000:05d}"
            obj = {
                "id": pid,
                "title": " ".join(title + [rng.choice(words), rng.choice(words)]),
                "abstract": " ".join(rng.choice(sentences) for _ in range(rng.randint(4, 8))),
                "authors": rng.sample(authors, rng.randint(1, 6)),
                "categories": src["categories"],
                "date": f"20{10 + month // 12:02d}-{month % 12 + 1:02d}-{1 + i % 28:02d}",
            }
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")


def baseline_fts5(path: Path, db_path: Path, cap: int) -> tuple[int, float]:
    """Bare FTS5 insert loop (batches of 2,000, one transaction each): rows, seconds."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5 (id UNINDEXED, title, abstract)")
    started = time.perf_counter()
    rows, n = [], 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            rows.append((d["id"], d["title"], d["abstract"]))
            n += 1
            if len(rows) == 2000 or n == cap:
                conn.execute("BEGIN")
                conn.executemany("INSERT INTO docs VALUES (?, ?, ?)", rows)
                conn.execute("COMMIT")
                rows = []
            if n == cap:
                break
    if rows:
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO docs VALUES (?, ?, ?)", rows)
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return n, seconds


DATABASE_URL = ""  # --database-url: a scratch PostgreSQL database instead of SQLite files


def server_cpu_s() -> float:
    """CPU seconds used so far by the PostgreSQL server (postmaster, its live processes and
    the ones it reaped); 0 on SQLite. Differences of two readings give a run's server CPU."""
    if not DATABASE_URL:
        return 0.0
    import psycopg

    with psycopg.connect(DATABASE_URL) as conn:
        data_dir = conn.execute("SHOW data_directory").fetchone()[0]
    try:
        return tree_cpu_s(int((Path(data_dir) / "postmaster.pid").read_text().split()[0]),
                          reaped=True)
    except (OSError, ValueError, psutil.Error):
        return 0.0  # a server on another machine: not measured


def children_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def fresh_settings(workdir: Path) -> Settings:
    """Settings on an empty database: a new SQLite file, or the scratch PostgreSQL emptied."""
    shutil.rmtree(workdir, ignore_errors=True)
    if DATABASE_URL:
        import psycopg

        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    return Settings(data_dir=workdir, env="test", database_url=DATABASE_URL)


def baseline_copy(path: Path, url: str, cap: int) -> tuple[int, float]:
    """Bare PostgreSQL COPY of (id, title, abstract) into an unindexed table: rows, seconds."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute("CREATE UNLOGGED TABLE bench_copy (id text, title text, abstract text)")
        started = time.perf_counter()
        n = 0
        with conn.transaction(), conn.cursor().copy(
                "COPY bench_copy (id, title, abstract) FROM STDIN") as copy:
            with path.open(encoding="utf-8") as f:
                for line in f:
                    d = json.loads(line)
                    copy.write_row((d["id"], d["title"], d["abstract"]))
                    n += 1
                    if n == cap:
                        break
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy")
    return n, seconds


def run_import(label: str, inputs: Path, workdir: Path, expected: int, index: bool = True) -> dict:
    """Import ``inputs`` into a fresh database, then sync the full-text index."""
    settings = fresh_settings(workdir)
    store = open_store(settings.resolved_database_url)
    samples: list[tuple[int, float]] = []
    next_sample = [0]

    cpu_slices: list[float] = []  # importer CPU of each tenth of the input

    def progress(path, done_bytes, records):
        if records >= next_sample[0]:
            samples.append((records, rss_mb()))
            cpu_slices.append(time.process_time())
            next_sample[0] = records + max(expected // 10, 2000)

    server = server_cpu_s()
    started, cpu = time.perf_counter(), time.process_time()
    report = import_paths(store, [inputs], progress=progress)
    t_import, c_import = time.perf_counter() - started, time.process_time() - cpu
    s_import = server_cpu_s() - server
    samples.append((report.stats.seen, rss_mb()))
    cpu_slices.append(time.process_time())
    t_index = c_index = 0.0
    if index:
        from paperradar.search import Searcher

        started, cpu = time.perf_counter(), time.process_time()
        Searcher(settings, store).sync_lexical()
        t_index, c_index = time.perf_counter() - started, time.process_time() - cpu
    store.close()
    n = report.stats.seen
    result = {
        "label": label, "papers": n, "errors": len(report.errors),
        "import_s": t_import, "index_s": t_index, "import_cpu_s": c_import,
        "index_cpu_s": c_index, "server_cpu_s": s_import,
        "cpu_slices": [b - a for a, b in zip(cpu_slices, cpu_slices[1:])],
        "papers_per_s_store": n / t_import, "papers_per_s_total": n / (t_import + t_index),
        "db_mb": (_pg_size_mb() if DATABASE_URL else
                  sum(p.stat().st_size for p in workdir.glob("paperradar.db*")) / 1e6),
        "index_mb": dir_size_mb(settings.index_dir) if settings.index_dir.exists() else 0.0,
        "rss_samples": samples, "peak_rss_mb": peak_rss_mb(),
    }
    print_result(result)
    return result


def run_pipelined(label: str, inputs: Path, workdir: Path) -> dict:
    """What ``paperradar import`` does for large inputs: a follower process indexes what the
    import commits, on the other core; the clock stops when both are done."""
    from paperradar.search import Searcher
    from paperradar.search.follow import LexicalFollower

    settings = fresh_settings(workdir)
    store = open_store(settings.resolved_database_url)
    server, children = server_cpu_s(), children_cpu_s()
    started, cpu = time.perf_counter(), time.process_time()
    with LexicalFollower(settings) as follower:
        report = import_paths(store, [inputs])
    t_import, c_import = time.perf_counter() - started, time.process_time() - cpu
    c_follow = children_cpu_s() - children
    caught_up = Searcher(settings, store).sync_lexical()
    total = time.perf_counter() - started
    s_total = server_cpu_s() - server
    docs = Searcher(settings, store).lexical.num_docs()
    store.close()
    n = report.stats.seen
    print(f"\n== {label}, pipelined (import + follower process indexing): {n:,} papers")
    print(f"   import done after      {t_import:8.1f} s; index caught up {total - t_import:.1f} s later "
          f"(follower {follower.indexed:,}, catch-up {caught_up:,}; index holds {docs:,})")
    print(f"   total                  {total:8.1f} s  {n / total:>9,.0f} papers/s "
          f"(including the full-text index); {load()}")
    print(f"   CPU: importer {c_import:.1f} s, follower {c_follow:.1f} s, server {s_total:.1f} s "
          f"= {(c_import + c_follow + s_total) / n * 1e6:.0f} us per paper")
    return {"papers_per_s_total": n / total, "seconds": total}


def _pg_size_mb() -> float:
    import psycopg

    with psycopg.connect(DATABASE_URL) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6


def print_result(r: dict) -> None:
    print(f"\n== {r['label']}: {r['papers']:,} papers ({r['errors']} error lines)")
    print(f"   import into {'PostgreSQL' if DATABASE_URL else 'SQLite':<11}{r['import_s']:8.1f} s  "
          f"{r['papers_per_s_store']:>9,.0f} papers/s   (CPU {r['import_cpu_s']:.1f} s; "
          f"server CPU {r['server_cpu_s']:.1f} s)")
    print("   importer CPU per tenth of the input (s): "
          + ", ".join(f"{x:.1f}" for x in r["cpu_slices"]))
    print(f"   full-text index sync   {r['index_s']:8.1f} s  "
          f"{r['papers'] / r['index_s'] if r['index_s'] else 0:>9,.0f} papers/s   (CPU {r['index_cpu_s']:.1f} s, "
          "all threads)")
    print(f"   total                  {r['import_s'] + r['index_s']:8.1f} s  "
          f"{r['papers_per_s_total']:>9,.0f} papers/s (including the full-text index)")
    print(f"   database {r['db_mb']:,.0f} MB, full-text index {r['index_mb']:,.0f} MB")
    rss = ", ".join(f"{k:,}: {v:,.0f} MB" for k, v in r["rss_samples"])
    print(f"   RSS during import (records: MB): {rss}")
    print(f"   peak RSS of this process so far: {r['peak_rss_mb']:,.0f} MB; {load()}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="synthetic corpus size (0: skip)")
    ap.add_argument("--workdir", type=Path, default=None, help="scratch directory (default: tmp)")
    ap.add_argument("--no-real", action="store_true", help="skip the real 12,768-paper import")
    ap.add_argument("--database-url", default="", help="a scratch PostgreSQL database (its "
                    "public schema is DROPPED) instead of SQLite files")
    ap.add_argument("--only", choices=("import", "index", "pipelined"), default=None,
                    help="run one measurement of the synthetic corpus (no baseline): import "
                    "alone, import then index, or import with the follower")
    args = ap.parse_args(argv)
    global DATABASE_URL
    DATABASE_URL = args.database_url
    real = shared_data() / "arxiv_metadata" / "arxiv_2026-03_to_04.jsonl"
    if not real.exists():
        print(f"real data not found at {real} (set PAPERRADAR_SHARED_DATA)", file=sys.stderr)
        return 2
    work = args.workdir or Path(tempfile.mkdtemp(prefix="paperradar-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"workdir {work}; start RSS {rss_mb():,.0f} MB; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    try:
        if not args.no_real:
            run_import("real arXiv metadata", real, work / "real", 12_768)
            run_pipelined("real arXiv metadata", real, work / "real-pipelined")
        if args.n:
            synthetic = work / f"synthetic-{args.n}.jsonl"
            started = time.perf_counter()
            if synthetic.exists():  # the same seed makes the same file: kept from a run before
                what = "kept from an earlier run in this workdir"
            else:
                synthesise(real, synthetic.with_suffix(".tmp"), args.n)
                synthetic.with_suffix(".tmp").rename(synthetic)
                what = f"written in {time.perf_counter() - started:.1f} s"
            print(f"\nsynthetic corpus: {args.n:,} papers, "
                  f"{synthetic.stat().st_size / 1e6:,.0f} MB {what} (not timed below)")
            if args.only:
                if args.only == "pipelined":
                    run_pipelined(f"synthetic {args.n:,}", synthetic, work / "pipelined")
                else:
                    run_import(f"synthetic {args.n:,}", synthetic, work / "synthetic", args.n,
                               index=args.only == "index")
                return 0
            if DATABASE_URL:
                rows, seconds = baseline_copy(synthetic, DATABASE_URL, args.n)
                what = "bare PostgreSQL COPY"
            else:
                rows, seconds = baseline_fts5(synthetic, work / "baseline.db",
                                              min(args.n, BASELINE_CAP))
                what = "bare FTS5 insert loop"
            base = rows / seconds
            print(f"baseline: {what}, {rows:,} rows in {seconds:.1f} s = {base:,.0f} rows/s; "
                  f"{load()}")
            r = run_import(f"synthetic {args.n:,}", synthetic, work / "synthetic", args.n)
            print(f"   ratio to the baseline: {r['papers_per_s_total'] / base:.2f}x "
                  f"(import + index), {r['papers_per_s_store'] / base:.2f}x (import alone)")
            p = run_pipelined(f"synthetic {args.n:,}", synthetic, work / "pipelined")
            print(f"   ratio to the baseline: {p['papers_per_s_total'] / base:.2f}x; "
                  f"to sequential import then index: "
                  f"{p['papers_per_s_total'] / r['papers_per_s_total']:.2f}x")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
