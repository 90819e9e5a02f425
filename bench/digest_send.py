"""Digest sending at scale: N subscribers (default 10,000) with varied topics, digests composed
and delivered to a local SMTP sink (aiosmtpd in its own process); prints digests/s and peak memory.

    python bench/digest_send.py [--subscribers 10000] [--mode lexical|hybrid] [--runs 3]

Data: the real arXiv metadata in ``../shared/data/arxiv_metadata`` (12,768 papers, March-April
2026; ``PAPERRADAR_BENCH_DATA`` overrides the folder). It has no daily-papers entries, so the
bench features the papers first listed on the two days before the run (2026-03-09 and -10) with
seeded random upvotes (synthetic, so the digests have a trending section). Subscribers (seeded):
80% want trending, 0-3 categories from the 30 commonest, 0-2 keyword searches from 150 title
phrases, 0-1 authors from the 200 most prolific; 60% daily, 40% weekly (due on the run's
Tuesday); hours and time zones mixed so everyone is due at the run time.

Figures: the full pipeline (claim ledger row, compose, send, record) over all subscribers once,
with its peak RSS; then baselines measured in the same run, medians over ``--runs`` samples of
1,000: composition alone with a cold topic cache (no SMTP, no ledger) and raw SMTP delivery of
pre-built messages of the same size (the sink's floor). The SMTP rate limit is off (``smtp_rate_limit=0``): composition is what is measured.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("PAPERRADAR_BENCH_DATA",
                           Path(__file__).resolve().parents[2] / "shared" / "data" / "arxiv_metadata"))
AT = datetime(2026, 3, 10, 9, 30, tzinfo=timezone.utc)  # a Tuesday
ZONES = [("UTC", 0), ("Europe/London", 0), ("Europe/Paris", 1), ("Europe/Berlin", 1),
         ("Asia/Kolkata", 5.5), ("Asia/Tokyo", 9), ("America/New_York", -4)]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(tmp: Path) -> tuple[subprocess.Popen, int, Path]:
    port, count_file = free_port(), tmp / "sink.count"
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "notify" / "smtp_sink.py"),
                             str(port), str(count_file)], stdout=subprocess.PIPE)
    proc.stdout.readline()  # the port, once listening
    return proc, port, count_file


def prepare(settings, store, rng: random.Random):
    from paperradar.ingest.files import import_paths
    from paperradar.models import DailyEntry, Record
    from paperradar.search import Searcher

    t = time.perf_counter()
    import_paths(store, sorted(DATA.glob("*.jsonl")))
    Searcher(settings, store).sync_lexical()
    print(f"setup: imported and indexed {store.stats()['papers']:,} papers in "
          f"{time.perf_counter() - t:.1f} s")
    cats, authors, words = collections.Counter(), collections.Counter(), collections.Counter()
    featured = []
    for _seq, paper in store.iter_changed_papers(0):
        cats.update(paper.categories)
        authors.update(a.name for a in paper.authors)
        toks = re.findall(r"[a-z]{4,}", paper.title.lower())
        words.update(" ".join(p) for p in zip(toks, toks[1:]))
        if (paper.published or "")[:10] in ("2026-03-09", "2026-03-10") and len(featured) < 60:
            featured.append(paper)
    store.upsert_records([Record(p, DailyEntry(paper_id=p.id, date=p.published[:10],
                                               upvotes=rng.randint(0, 200)))
                          for p in featured])
    return ([c for c, _ in cats.most_common(30)], [w for w, _ in words.most_common(150)],
            [a for a, _ in authors.most_common(200)])


def subscribers(n: int, pools, rng: random.Random):
    from paperradar.store.base.notify import Subscriber

    cats, queries, authors = pools
    out = []
    for i in range(n):
        zone, offset = rng.choice(ZONES)
        local_now = (AT.hour + AT.minute / 60 + offset) % 24
        hour = rng.randint(0, int(local_now)) if local_now >= 1 else 0
        out.append(Subscriber(
            email=f"reader{i:05d}@bench.example", status="active", source="import",
            frequency="weekly" if rng.random() < 0.4 else "daily", weekday=1, hour=hour,
            timezone=zone, trending=rng.random() < 0.8,
            categories=rng.sample(cats, rng.randint(0, 3)),
            queries=rng.sample(queries, rng.randint(0, 2)),
            authors=rng.sample(authors, rng.randint(0, 1)),
            created_at="2026-01-01T00:00:00.000000Z", confirmed_at="2026-01-01T00:00:00.000000Z"))
    return out


class PeakRss:
    """Samples this process's RSS every 50 ms (psutil) during a phase."""

    def __init__(self):
        import psutil

        self.proc, self.peak, self._stop = psutil.Process(), 0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self._stop.wait(0.05)

    def __enter__(self):
        self.start = self.proc.memory_info().rss
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def run_processes(n: int, settings, port: int, mode: str):
    """N concurrent `paperradar digest send --at` processes sharing the ledger (wall time incl.
    their start-up); peak RSS is the sum of the children's sampled RSS."""
    import psutil

    from paperradar.notify.schedule import RunStats

    env = dict(os.environ, PAPERRADAR_DATA_DIR=str(settings.data_dir), PAPERRADAR_ENV="test",
               PAPERRADAR_SMTP_URL=f"smtp://127.0.0.1:{port}", PAPERRADAR_SMTP_RATE_LIMIT="0",
               PAPERRADAR_DIGEST_SEARCH_MODE=mode, PAPERRADAR_BASE_URL=settings.base_url,
               PAPERRADAR_MAIL_FROM=settings.mail_from)
    t = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "paperradar", "digest", "send", "--at",
                               AT.isoformat()], env=env, stdout=subprocess.PIPE) for _ in range(n)]
    peak = 0
    while any(p.poll() is None for p in procs):
        total = 0
        for p in procs:
            try:
                total += psutil.Process(p.pid).memory_info().rss
            except psutil.Error:
                pass
        peak = max(peak, total)
        time.sleep(0.05)
    elapsed = time.perf_counter() - t
    stats = RunStats()
    for p in procs:
        out = p.stdout.read().decode()
        for key in ("sent", "empty"):
            setattr(stats, key, getattr(stats, key) + int(re.search(rf"{key}=(\d+)", out).group(1)))
    rss = type("Rss", (), {"peak": peak, "start": 0})()
    return stats, elapsed, rss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subscribers", type=int, default=10_000)
    ap.add_argument("--mode", default="lexical", choices=("lexical", "hybrid"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--processes", type=int, default=1,
                    help="run the full pipeline as N concurrent `paperradar digest send` processes")
    args = ap.parse_args()
    if args.mode == "hybrid":
        import torch

        torch.set_num_threads(1)
    from paperradar.config import Settings
    from paperradar.notify.digest import TopicCache, build_digest
    from paperradar.notify.mail import Mailer, RateLimiter
    from paperradar.notify.runner import make_searcher, send_due
    from paperradar.notify.schedule import due
    from paperradar.store import open_store

    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp_s:
        tmp = Path(tmp_s)
        sink, port, count_file = start_sink(tmp)
        try:
            settings = Settings(data_dir=tmp / "data", env="test", smtp_url=f"smtp://127.0.0.1:{port}",
                                smtp_rate_limit=0, digest_search_mode=args.mode,
                                base_url="https://papers.example",
                                mail_from="paperradar <digest@papers.example>")
            store = open_store(settings.resolved_database_url)
            pools = prepare(settings, store, rng)
            if args.mode == "hybrid":
                make_searcher(settings, store).build()
            store.add_subscribers(subscribers(args.subscribers, pools, rng))
            pairs = due(store, AT, settings)
            print(f"subscribers: {args.subscribers:,}, due at {AT:%Y-%m-%d %H:%M}Z: {len(pairs):,}"
                  f" (search mode {args.mode})")

            # the full pipeline over everyone due
            if args.processes > 1:
                stats, elapsed, rss = run_processes(args.processes, settings, port, args.mode)
            else:
                with PeakRss() as rss:
                    t = time.perf_counter()
                    stats = send_due(settings, store, AT)
                    elapsed = time.perf_counter() - t
            # baseline 1: composition alone (fresh topic cache per sample, as in a run)
            compose_rates, sample_msgs = [], []
            for _ in range(args.runs):
                sample = rng.sample(pairs, min(1000, len(pairs)))
                topics = TopicCache(settings, store, make_searcher(settings, store))
                t = time.perf_counter()
                msgs = [build_digest(settings, store, topics.searcher, s, p, AT, topics)
                        for s, p in sample]
                compose_rates.append(len(sample) / (time.perf_counter() - t))
                sample_msgs = [m for m in msgs if m is not None]
                del msgs
            # baseline 2: raw SMTP delivery of pre-built digests (no ledger, no composing)
            smtp_rates = []
            for _ in range(args.runs):
                with Mailer(settings, limiter=RateLimiter(0)) as mailer:
                    t = time.perf_counter()
                    for m in sample_msgs:
                        mailer.send(m, kind="bench")
                    smtp_rates.append(len(sample_msgs) / (time.perf_counter() - t))
            time.sleep(0.7)
            received = int(count_file.read_text() or 0)
            sizes = [len(m.as_bytes()) for m in sample_msgs[:200]]
            full = stats.sent / elapsed
            print(f"message size: median {statistics.median(sizes) / 1024:.1f} KiB")
            print(f"compose only:      {statistics.median(compose_rates):8.0f} digests/s "
                  f"(median of {args.runs} x {min(1000, len(pairs))})")
            print(f"raw SMTP send:     {statistics.median(smtp_rates):8.0f} messages/s "
                  f"(median of {args.runs} x {len(sample_msgs)})")
            print(f"full pipeline:     {full:8.0f} digests/s  ({stats.sent:,} sent, "
                  f"{stats.empty:,} empty, {elapsed:.1f} s; sink received "
                  f"{received - args.runs * len(sample_msgs):,})")
            print(f"ratio full / raw SMTP: {full / statistics.median(smtp_rates):.2f}; "
                  f"full / compose only: {full / statistics.median(compose_rates):.2f}")
            print(f"peak RSS during the full run: {rss.peak / 2**20:.0f} MiB (RSS at its start "
                  f"{rss.start / 2**20:.0f} MiB); process peak incl. baselines "
                  f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
            store.close()
        finally:
            sink.terminate()
            sink.wait()


if __name__ == "__main__":
    main()
