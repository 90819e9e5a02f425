"""Three real ``paperradar worker`` processes on one PostgreSQL database (the fault tests'
own server, restarted mid-run), each with its own data directory, mailing a real SMTP sink.

Worker C runs first as another machine (its own UTS namespace, host name ``node-c``, a 3 s
claim lease) and is SIGKILLed right after its second claim (``PAPERRADAR_FAULT=claimed:2``):
one digest sent, one ledger row left claimed by a dead owner on another host, and its
harvest (scheduled, like A's and B's, every minute) holding the harvest lock, paused by the
replay server. Then A and B start: their harvests say "another harvest is running" and skip;
C's harvest finishes alone. While one of A and B waits for a 250 that the sink holds and the
other goes on sending, PostgreSQL is stopped and started again. At the end every subscriber
has exactly one digest (C's orphaned claim was taken over once its lease ran out), every
ledger row says sent, A and B are still running, and their logs hold no traceback and at
most one "database is away" line each for the outage (not one per run). On SQLite (one
file, one machine: no restart, C on this machine) the same holds, C's claim taken over at once
since its process is gone."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from paperradar.ingest.files import import_paths
from paperradar.ingest.harvest_oai import OaiRequest
from paperradar.store import open_store
from paperradar.store.postgres.db import POOL_WAIT_S
from pg_server import start_postgres, stop_postgres

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "notify"))
sys.path.insert(0, str(HERE.parent))
from harvest.replay import ReplayServer  # noqa: E402
from notify_helpers import FIXTURES as NOTIFY_FIXTURES, active  # noqa: E402
from smtp_sink import HoldingHandler, SmtpSink  # noqa: E402

N = 18  # subscribers; at 8 mails a second, about 2 s of sending
HOLD = 6  # the sink holds the 6th message before its 250 until released
HARVEST = "harvest oai --set physics --from 2015-01-16 --until 2015-01-18"
REQ = OaiRequest(set="physics", from_="2015-01-16", until="2015-01-18")
SKIPPED = "another harvest is running"
AWAY = "job digest stopped, the database is away"


def _wait(what: str, cond, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _fixture_day(tmp: Path, day: str) -> Path:
    """The real Hugging Face daily list of the fixtures, moved to ``day`` (the workers run on
    the real clock, so the trending papers must be of this week)."""
    text = (NOTIFY_FIXTURES / "hf_2025-06-30.json").read_text(encoding="utf-8")
    out = tmp / f"hf_{day}.json"
    out.write_text(text.replace("2025-06-30", day), encoding="utf-8")
    return out


def _worker(name: str, env: dict, log: Path, host: str | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "paperradar", "worker", "--job", "harvest", "--job", "digest"]
    if host:  # another machine as far as run ownership goes (root: a UTS namespace)
        cmd = ["unshare", "--uts", "sh", "-c", f'hostname {host} && exec "$0" "$@"', *cmd]
    out = open(log, "w")
    return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)


@pytest.fixture
def rig(backend, request, tmp_path):
    """(database URL, the PostgreSQL server or None, sink, replay server, processes)."""
    if backend == "sqlite":
        server, url = None, f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        if shutil.which("unshare") is None or subprocess.run(
                ["unshare", "--uts", "true"], capture_output=True).returncode != 0:
            pytest.skip("needs root for a UTS namespace (a worker with another host name)")
        server = request.getfixturevalue("own_server")
        url = server.create_database()
    sink = SmtpSink(handler=HoldingHandler(HOLD)).start()
    replay = ReplayServer().start()
    procs: list[subprocess.Popen] = []
    yield url, server, sink, replay, procs
    sink.handler.release.set()
    if replay.gate is not None:
        replay.gate.set()
    for p in procs:
        if p.poll() is None:
            p.terminate()
            p.wait(timeout=10)
    replay.stop()
    sink.stop()


def test_three_workers_restart_kill_and_one_harvest(rig, tmp_path):
    """On SQLite (one file, one machine) the same without the restart, C on this machine:
    its claim is taken over at once, its process being gone."""
    url, server, sink, replay, procs = rig
    slot = datetime.now(timezone.utc) - timedelta(minutes=30)  # due now, whatever the day
    with open_store(url) as st:
        assert not import_paths(st, [_fixture_day(tmp_path, (slot - timedelta(days=1)).date()
                                                  .isoformat())]).errors
        st.add_subscribers([active(f"r{i:02d}@example.org", frequency="weekly",
                                   weekday=slot.weekday(), hour=slot.hour) for i in range(N)])
    assert replay.add_oai_pages({"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "physics",
                                 "from": "2015-01-16", "until": "2015-01-18"},
                                "oai/listrecords_physics_2015-01-16.xml", 50, "9001") == 3
    replay.gate = threading.Event()  # the first harvest waits at its first page
    base = {k: v for k, v in os.environ.items() if not k.startswith("PAPERRADAR_")}
    base.update(PAPERRADAR_DATABASE_URL=url, PAPERRADAR_ENV="test", PAPERRADAR_SMTP_URL=sink.url,
                PAPERRADAR_SMTP_RATE_LIMIT="8", PAPERRADAR_SMTP_RETRY_BASE="0.01",
                PAPERRADAR_BASE_URL="https://papers.example", PAPERRADAR_DIGEST_SEARCH_MODE="lexical",
                PAPERRADAR_MAIL_FROM="paperradar <digest@papers.example>",
                PAPERRADAR_WORKER_DIGEST_EVERY_SECONDS="1", PAPERRADAR_WORKER_HARVEST_CRON="* * * * *",
                PAPERRADAR_WORKER_HARVEST_ARGS=HARVEST, PAPERRADAR_ARXIV_OAI_URL=replay.url + "/oai2",
                PAPERRADAR_HTTP_MIN_INTERVAL="0", COLUMNS="200")

    def env(name: str, **extra: str) -> dict:
        (tmp_path / name).mkdir()
        return dict(base, PAPERRADAR_DATA_DIR=str(tmp_path / name / "data"),
                    PAPERRADAR_USER_AGENT=f"worker-{name}", **extra)

    logs = {n: tmp_path / n / "worker.log" for n in "abc"}
    c_host = "node-c" if server else None
    c = _worker("c", env("c", PAPERRADAR_FAULT="claimed:2", PAPERRADAR_DIGEST_LEASE_SECONDS="3"),
                logs["c"], host=c_host)
    c_owner = f"{c_host or socket.gethostname()}:{c.pid}:"
    procs.append(c)
    assert c.wait(timeout=40) == -9, logs["c"].read_text()  # killed at its second claim
    assert sum(sink.counts().values()) == 1
    _wait("C's harvest at its first page", lambda: len(replay.hits()) == 1)
    with open_store(url) as st:
        rows = st.list_deliveries()
    assert sorted(d.status for d in rows) == ["claimed", "sent"]
    orphan = next(d for d in rows if d.status == "claimed")
    assert orphan.owner.startswith(c_owner)

    a = _worker("a", env("a"), logs["a"])
    b = _worker("b", env("b"), logs["b"])
    procs += [a, b]
    _wait("A's and B's harvests to skip",
          lambda: all(SKIPPED in logs[n].read_text() for n in "ab"), timeout=40)
    replay.gate.set()  # C's harvest (its process outlived C) goes on alone
    with open_store(url) as st:
        _wait("C's harvest to finish", lambda: st.get_checkpoint(REQ.done_key) is not None)
    assert [h.agent for h in replay.hits()] == ["worker-c"] * 3

    _wait("a worker waiting for a 250", lambda: sink.handler.count >= HOLD)
    if server:
        stop_postgres(server)  # while one worker waits for its 250 and the other sends ...
    sink.handler.release.set()  # ... the writes after their 250 meet the outage
    if server:
        time.sleep(POOL_WAIT_S + 2)  # longer than the pool waits for a connection
        start_postgres(server)

    expected = {f"r{i:02d}@example.org": 1 for i in range(N)}
    _wait("every digest", lambda: sum(sink.counts().values()) >= N, timeout=60)
    with open_store(url) as st:
        _wait("every ledger row final", lambda: {d.status for d in st.list_deliveries()} == {"sent"})
        rows = st.list_deliveries()
    time.sleep(1.5)  # a further run of each worker finds nothing due
    assert sink.counts() == expected
    assert len(rows) == N
    (taken,) = [d for d in rows if d.subscriber_id == orphan.subscriber_id]
    assert taken.attempts >= 2 and not taken.owner.startswith(c_owner)  # C's, taken over
    assert a.poll() is None and b.poll() is None  # survived the outage
    for n in "ab":  # a run stopped by the outage: the next one that works says so
        _wait(f"{n.upper()} to say the database is back", lambda: AWAY not in logs[n].read_text()
              or "the database is back" in logs[n].read_text())
        text = logs[n].read_text()
        assert "Traceback" not in text, text
        assert SKIPPED in text
        assert text.count(AWAY) <= 1, text  # one line per outage, not one per run
        if AWAY in text:
            assert text.index("the database is back") > text.index(AWAY), text
    texts = [logs[n].read_text() for n in "ab"]
    if server:
        assert any("database away, retrying" in t for t in texts), texts  # the held one waited
    else:
        assert not any(AWAY in t for t in texts), texts
    assert "psycopg.pool" not in "".join(texts)  # its per-attempt warnings: not the worker's
    assert "Traceback" not in logs["c"].read_text()


def test_digest_every_seconds_runs_fast_and_reports_an_outage_once(caplog):
    """The loop runs ``every`` jobs on their own period, next to the minute ticks, and a run
    stopped by the database being away logs once until a run succeeds again."""
    from paperradar.notify.worker import Cron, Job, run_forever
    from paperradar.store.errors import StoreUnavailable

    runs: list[datetime] = []

    def digest(at):
        runs.append(at)
        if len(runs) in (2, 3, 4):  # three runs in a row meet the outage
            raise StoreUnavailable("lost the connection to PostgreSQL")

    t = [0.0]
    minute = datetime(2026, 3, 9, 10, 1, tzinfo=timezone.utc)
    ticks: list[datetime] = []
    jobs = [Job("harvest", Cron.parse("* * * * *"), ticks.append),
            Job("digest", Cron.parse("0 0 1 1 *"), digest, every=1.0)]

    def sleep(s: float) -> None:
        t[0] += s

    clock = lambda: minute + timedelta(seconds=t[0])  # noqa: E731
    with caplog.at_level("INFO", logger="paperradar.worker"):
        run_forever(jobs, 30, max_ticks=2, clock=clock, sleep=sleep, monotonic=lambda: t[0])
    assert [m.minute for m in ticks] == [1, 2]  # the cron jobs: once a minute
    gaps = {round((b - a).total_seconds(), 3) for a, b in zip(runs, runs[1:])}
    assert len(runs) == 61 and gaps == {1.0}  # the digest: every second, off its cron spec
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["job digest stopped, the database is away: lost the connection to "
                     "PostgreSQL", "job digest: the database is back"]
    assert not any(r.exc_info for r in caplog.records)
