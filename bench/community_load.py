"""Community load: N users upvoting and un-upvoting the same papers concurrently through the
HTTP API of a real uvicorn server with several worker processes; checks every final count
against the truth and prints requests/s (median of the runs) and latency percentiles.

    python bench/community_load.py [--users 50] [--papers 20] [--ops 40] [--workers 2] [--runs 3]

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


def prepare(data_dir: Path, users: int, papers: int) -> tuple[list[str], list[str]]:
    """A fresh database with papers (imported upvotes 0..) and users with API tokens."""
    from paperradar.config import Settings
    from paperradar.models import DailyEntry, Paper, Record
    from paperradar.store import open_store
    from paperradar.web.security import hash_secret

    settings = Settings(data_dir=data_dir, env="test")
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

    def __init__(self, data_dir: Path, workers: int):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PAPERRADAR_DATA_DIR": str(data_dir), "PAPERRADAR_ENV": "test",
               "PAPERRADAR_BASE_URL": self.url}
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


def run_load(url: str, tokens: list[str], ids: list[str], ops: int, seed: int = 0,
             path: str | None = None, state: dict | None = None) -> dict:
    """Every user (one thread each) does ``ops`` sequential toggles; returns the truth per
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
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--papers", type=int, default=20)
    ap.add_argument("--ops", type=int, default=40, help="toggles per user per run")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ids, tokens = prepare(Path(tmp), args.users, args.papers)
        with Server(Path(tmp), args.workers) as server:
            state: dict = {}  # (user, paper) -> upvoted, carried across runs
            run_load(server.url, tokens[:5], ids, 5, seed=99, state=state)  # warm up
            base = [run_load(server.url, tokens, ids, args.ops, path="/healthz")
                    for _ in range(args.runs)]
            votes = []
            for run in range(args.runs):
                result = run_load(server.url, tokens, ids, args.ops, seed=run, state=state)
                wrong = check_counts(server.url, ids, result["truth"])
                votes.append(result)
                print(f"run {run + 1}: {result['requests']} toggles in {result['seconds']:.2f}s, "
                      f"{result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
                      f"p99 {result['p99_ms']:.1f} ms, errors {len(result['errors'])}, "
                      f"wrong counts {len(wrong)}")
                for line in (result["errors"] + wrong)[:5]:
                    print("   ", line)
    med = statistics.median(r["rps"] for r in votes)
    base_med = statistics.median(r["rps"] for r in base)
    print(f"\nupvote toggles: median {med:.0f} req/s "
          f"(p50 {statistics.median(r['p50_ms'] for r in votes):.1f} ms, "
          f"p99 {statistics.median(r['p99_ms'] for r in votes):.1f} ms) with {args.users} "
          f"concurrent users, {args.workers} workers")
    print(f"baseline GET /healthz: median {base_med:.0f} req/s; toggles run at "
          f"{med / base_med:.2f}x the baseline")


if __name__ == "__main__":
    main()
