"""Cost of durable commits (synchronous=FULL) against NORMAL: median latency of single-vote
transactions on a real SQLite file in a temporary directory.

    python bench/durable_writes.py --votes 300
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from paperradar.models import Author, Paper, Record
from paperradar.store import open_store


def run(votes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            store.upsert_records([Record(Paper(id=f"2401.{i:05d}", title="t", abstract="a",
                                               authors=[Author("A")], categories=["cs.LG"]))
                                  for i in range(votes)])
            user = store.create_user("b@example.org", "bench", None, verified=True)
            durable, normal = [], []
            for i in range(votes):
                started = time.perf_counter()
                store.set_vote(user.id, f"2401.{i:05d}", True)  # durable (FULL)
                durable.append(time.perf_counter() - started)
                started = time.perf_counter()
                store.rate_limit_hit(f"bench:{i}", 10, 60.0, time.time())  # NORMAL
                normal.append(time.perf_counter() - started)
        finally:
            store.close()
    d, n = statistics.median(durable) * 1000, statistics.median(normal) * 1000
    print(f"vote (synchronous=FULL): median {d:.3f} ms; rate event (NORMAL): median "
          f"{n:.3f} ms; ratio {d / n:.1f}x over {votes} writes each")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--votes", type=int, default=300)
    run(ap.parse_args().votes)
