"""Community load: N users upvoting and un-upvoting the same papers concurrently through the
HTTP API of a real uvicorn server with several worker processes; checks every final count
against the truth and prints requests/s (median of the runs) and latency percentiles.

    python bench/community_load.py [--users 50] [--papers 20] [--ops 40] [--workers 2] [--runs 3]
    python bench/community_load.py --users 1 16 --database-url URL --nodes 2

With ``--database-url postgresql://...`` (a scratch database: its ``public`` schema is DROPPED
before each configuration) the same load also runs against PostgreSQL with one node and with
``--nodes`` nodes (separate ``serve`` processes, each with its own data directory, on the one
database; the users are spread over the nodes), after SQLite in the same run, and a table of
medians and PostgreSQL/SQLite ratios closes the output. ``--users`` takes several values.

Baseline measured in the same run: the same number of GET /healthz requests with the same
concurrency (the server's floor), so the ratio shows what the vote writes cost.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(url: str) -> None:
    """Empty the scratch PostgreSQL database (its schema is migrated again on first open)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def prepare(data_dir: Path, users: int, papers: int,
            database_url: str = "") -> tuple[list[str], list[str]]:
    """A fresh database with papers (imported upvotes 0..) and users with API tokens."""
    from paperradar.config import Settings
    from paperradar.models import DailyEntry, Paper, Record
    from paperradar.store import open_store
    from paperradar.web.security import hash_secret

    if database_url:
        fresh_database(database_url)
    settings = Settings(data_dir=data_dir, env="test", database_url=database_url)
    ids = [f"2611.{i:05d}" for i in range(1, papers + 1)]
    tokens = []
    with open_store(settings.resolved_database_url) as store:
        store.upsert_records([Record(Paper(id=p, title=f"Load paper {i}"),
                                     DailyEntry(paper_id=p, date="2026-11-01", upvotes=i))
                              for i, p in enumerate(ids)])
        for u in range(users):
            user = store.create_user(f"load{u}@example.org", f"load{u}", None, verified=True)
            token = "prt_" + secrets.token_urlsafe(24)
            store.create_api_token(user.id, "load", hash_secret(token), token[:8])
            tokens.append(token)
    return ids, tokens


class Server:
    """``uvicorn paperradar.web.app:create_app --factory --workers N`` on loopback."""

    def __init__(self, data_dir: Path, workers: int, database_url: str = ""):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PAPERRADAR_DATA_DIR": str(data_dir), "PAPERRADAR_ENV": "test",
               "PAPERRADAR_BASE_URL": self.url}
        if database_url:
            env["PAPERRADAR_DATABASE_URL"] = database_url
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "paperradar.web.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
             "--log-level", "warning", "--no-access-log"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server died: " + self.proc.stderr.read().decode()[-2000:])
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> "Server":
        self.wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def run_load(urls: list[str], tokens: list[str], ids: list[str], ops: int, seed: int = 0,
             path: str | None = None, state: dict | None = None) -> dict:
    """Every user (one thread each, on node ``n % len(urls)``) does ``ops`` sequential
    toggles; returns the truth per
    paper (users whose last acknowledged action was an upvote), errors, and timings.
    ``state`` carries the (user, paper) -> upvoted map across runs on the same server."""
    final: dict[tuple[int, str], bool] = state if state is not None else {}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(len(tokens))

    def user(n: int, token: str) -> None:
        rng = random.Random(seed * 1000 + n)
        mine: dict[str, bool] = {}
        lat: list[float] = []
        with httpx.Client(base_url=urls[n % len(urls)], headers={"Authorization": f"Bearer {token}"},
                          timeout=60) as client:
            start_gate.wait()
            for _ in range(ops):
                pid = rng.choice(ids)
                up = rng.random() < 0.6
                t0 = time.perf_counter()
                if path:
                    r = client.get(path)
                else:
                    r = client.request("POST" if up else "DELETE", f"/api/papers/{pid}/upvote")
                lat.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    with lock:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                    continue
                if not path:
                    if r.json()["upvoted"] != up:
                        with lock:
                            errors.append(f"state {r.json()} after {'up' if up else 'down'}")
                    mine[pid] = up
        with lock:
            final.update({(n, p): v for p, v in mine.items()})
            latencies.extend(lat)

    threads = [threading.Thread(target=user, args=(n, t)) for n, t in enumerate(tokens)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    truth = {p: sum(1 for (_, q), v in final.items() if q == p and v) for p in ids}
    latencies.sort()
    return {"truth": truth, "errors": errors, "requests": len(latencies), "seconds": elapsed,
            "rps": len(latencies) / elapsed if elapsed else 0.0,
            "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else 0.0,
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)] if latencies else 0.0}


def check_counts(url: str, ids: list[str], truth: dict[str, int]) -> list[str]:
    """Compare what the API reports (local and total = local + imported) with the truth."""
    wrong = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for i, pid in enumerate(ids):
            got = client.get(f"/api/papers/{pid}/upvote").json()
            if got["local_upvotes"] != truth[pid] or got["upvotes"] != truth[pid] + i:
                wrong.append(f"{pid}: {got} != local {truth[pid]} + imported {i}")
            total = client.get(f"/api/papers/{pid}")
            if total.status_code == 200 and total.json().get("upvotes") != truth[pid] + i:
                wrong.append(f"{pid}: /api/papers says {total.json().get('upvotes')}")
    return wrong


def measure(label: str, args, users: int, database_url: str = "", nodes: int = 1) -> dict:
    """One configuration: fresh database, ``nodes`` servers, baseline then vote runs."""
    with tempfile.TemporaryDirectory() as tmp:
        ids, tokens = prepare(Path(tmp) / "node0", users, args.papers, database_url)
        servers = [Server(Path(tmp) / f"node{k}", args.workers, database_url)
                   for k in range(nodes)]
        try:
            for server in servers:
                server.wait_ready()
            urls = [s.url for s in servers]
            state: dict = {}  # (user, paper) -> upvoted, carried across runs
            run_load(urls, tokens[:5], ids, 5, seed=99, state=state)  # warm up
            base = [run_load(urls, tokens, ids, args.ops, path="/healthz")
                    for _ in range(args.runs)]
            votes, wrong_total = [], 0
            for run in range(args.runs):
                result = run_load(urls, tokens, ids, args.ops, seed=run, state=state)
                wrong = [w for u in urls for w in check_counts(u, ids, result["truth"])]
                wrong_total += len(wrong) + len(result["errors"])
                votes.append(result)
                print(f"{label}, {users} users, run {run + 1}: {result['requests']} toggles in "
                      f"{result['seconds']:.2f}s, {result['rps']:.0f} req/s, p50 "
                      f"{result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, errors "
                      f"{len(result['errors'])}, wrong counts {len(wrong)} (checked on every node)")
                for line in (result["errors"] + wrong)[:5]:
                    print("   ", line)
        finally:
            for server in servers:
                server.stop()
    out = {"rps": statistics.median(r["rps"] for r in votes),
           "p50_ms": statistics.median(r["p50_ms"] for r in votes),
           "p99_ms": statistics.median(r["p99_ms"] for r in votes),
           "base_rps": statistics.median(r["rps"] for r in base), "wrong": wrong_total}
    print(f"{label}, {users} users: upvote toggles median {out['rps']:.0f} req/s (p50 "
          f"{out['p50_ms']:.1f} ms, p99 {out['p99_ms']:.1f} ms), {args.workers} workers x "
          f"{nodes} node(s); baseline GET /healthz median {out['base_rps']:.0f} req/s; toggles "
          f"at {out['rps'] / out['base_rps']:.2f}x the baseline\n")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, nargs="+", default=[50])
    ap.add_argument("--papers", type=int, default=20)
    ap.add_argument("--ops", type=int, default=40, help="toggles per user per run")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--database-url", default="", help="a scratch PostgreSQL database (its "
                    "public schema is DROPPED): also measure PostgreSQL after SQLite")
    ap.add_argument("--nodes", type=int, default=2, help="PostgreSQL nodes of the multi-node run")
    args = ap.parse_args()
    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} CPUs\n")
    configs = [("SQLite", "", 1)]
    if args.database_url:
        configs += [("PostgreSQL 1 node", args.database_url, 1)]
        if args.nodes > 1:
            configs += [(f"PostgreSQL {args.nodes} nodes", args.database_url, args.nodes)]
    table = {(label, users): measure(label, args, users, url, nodes)
             for users in args.users for label, url, nodes in configs}
    print(f"{'configuration':<24}{'users':>6}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}"
          f"{'vs SQLite':>10}{'wrong':>7}")
    for (label, users), r in table.items():
        ratio = r["rps"] / table[("SQLite", users)]["rps"]
        print(f"{label:<24}{users:>6}{r['rps']:>8.0f}{r['p50_ms']:>8.1f}{r['p99_ms']:>8.1f}"
              f"{ratio:>9.2f}x{r['wrong']:>7}")


if __name__ == "__main__":
    main()
