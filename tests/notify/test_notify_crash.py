"""Never twice, never missed: ``paperradar digest send --at`` run as a real subprocess against a
real SMTP server, SIGKILLed at each step (after the claim, after composing, after the server's
250, after the ledger commit) and at random moments, then run again; and two schedulers at once."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest
from notify_helpers import active, load_fixture_papers

from paperradar.store import open_store

N = 12
AT = "2025-06-30T09:00:00Z"


@pytest.fixture
def crash_env(digest_settings, smtp, store):
    load_fixture_papers(digest_settings, store)
    store.add_subscribers([active(f"r{i:02d}@example.org") for i in range(N)])
    env = dict(os.environ, PAPERRADAR_DATA_DIR=str(digest_settings.data_dir),
               PAPERRADAR_DATABASE_URL=digest_settings.database_url,
               PAPERRADAR_ENV="test", PAPERRADAR_SMTP_URL=smtp.url,
               PAPERRADAR_SMTP_RATE_LIMIT="0", PAPERRADAR_DIGEST_SEARCH_MODE="lexical",
               PAPERRADAR_BASE_URL="https://papers.example",
               PAPERRADAR_MAIL_FROM="paperradar <digest@papers.example>")
    env.pop("PAPERRADAR_FAULT", None)
    return env


def _send(env, **extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "paperradar", "digest", "send", "--at", AT],
                            env={**env, **extra}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _check(smtp, settings, max_dupes: int) -> int:
    counts = smtp.counts()
    assert sorted(counts) == [f"r{i:02d}@example.org" for i in range(N)], counts
    dupes = sum(counts.values()) - N
    assert dupes <= max_dupes, counts
    with open_store(settings.resolved_database_url) as st:
        assert {d.status for d in st.list_deliveries()} == {"sent"}
    return dupes


@pytest.mark.parametrize("point, dupes", [("claimed", 0), ("composed", 0), ("sent", 1),
                                          ("finished", 0)])
def test_sigkill_at_each_step(crash_env, smtp, digest_settings, point, dupes):
    first = _send(crash_env, PAPERRADAR_FAULT=f"{point}:5")
    first.communicate(timeout=120)
    assert first.returncode == -signal.SIGKILL
    assert sum(smtp.counts().values()) == (5 if point in ("sent", "finished") else 4)
    second = _send(crash_env)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err.decode()
    assert _check(smtp, digest_settings, dupes) == dupes
    # and a third run has nothing left to do
    third = _send(crash_env)
    assert b"due=0" in third.communicate(timeout=120)[0]


@pytest.mark.slow
def test_sigkill_at_random_moments(crash_env, smtp, digest_settings):
    smtp.handler.delay = 0.03  # a window between receiving the data and answering 250
    rng = random.Random(6)
    kills = 0
    while kills < 4:
        target = sum(smtp.counts().values()) + rng.randint(1, 3)
        proc = _send(crash_env)
        deadline = time.monotonic() + 60
        while proc.poll() is None and sum(smtp.counts().values()) < target:
            assert time.monotonic() < deadline
            time.sleep(rng.uniform(0.001, 0.02))
        if proc.poll() is not None:
            break  # finished before the kill
        proc.kill()
        proc.wait()
        kills += 1
    final = _send(crash_env)
    assert final.communicate(timeout=120) and final.returncode == 0
    _check(smtp, digest_settings, max_dupes=kills)


def test_two_schedulers_at_once(crash_env, smtp, digest_settings):
    smtp.handler.delay = 0.1  # sending takes > 1 s, so the two runs overlap
    procs = [_send(crash_env) for _ in range(2)]
    sent = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err.decode()
        sent.append(int(re.search(rb"sent=(\d+)", out).group(1)))
    assert _check(smtp, digest_settings, max_dupes=0) == 0
    assert sum(sent) == N and min(sent) > 0, sent  # both worked, neither sent the other's


def test_three_senders_never_send_twice(crash_env, smtp, digest_settings):
    """Three ``digest send`` processes on one database (on PostgreSQL the ledger claims are
    row locks taken with SKIP LOCKED): each digest goes out exactly once."""
    smtp.handler.delay = 0.15
    procs = [_send(crash_env) for _ in range(3)]
    sent = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err.decode()
        sent.append(int(re.search(rb"sent=(\d+)", out).group(1)))
    assert _check(smtp, digest_settings, max_dupes=0) == 0
    assert sum(sent) == N and sum(1 for n in sent if n) >= 2, sent
