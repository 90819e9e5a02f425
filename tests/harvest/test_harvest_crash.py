"""Crash safety: ``paperradar harvest oai`` SIGKILLed at random moments, then run again to
completion, gives the same database as one clean harvest, and never fetches again a page
whose records were already checkpointed.

Each run sends its own User-Agent, so the requests checked are that run's alone (a request a
killed run sent just before the kill can reach the replay server late). After a kill the test
waits for the run's PostgreSQL sessions to end before it reads the checkpoint: a COMMIT sent
just before the SIGKILL is still carried out by the server once the client is gone, so a read
in between saw the older token (``9001|115``) while the next run rightly resumed from the one
committed a moment later (``9001|120``), a flake of the test, not of the harvester."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

import pytest

from paperradar.ingest.harvest_oai import OaiRequest
from paperradar.store import open_store

from .helpers import PHYSICS, cli_env, run_cli

ARGS = ["harvest", "oai", "--set", "physics", "--from", "2015-01-16", "--until", "2015-01-18"]
REQ = OaiRequest(set="physics", from_="2015-01-16", until="2015-01-18")
PER_PAGE = 5  # 150 real records -> 30 pages
SEEDS = (11, 22, 33)
KILLS_PER_SEED = 2


def _state(url: str) -> tuple[str | None, str | None]:
    with open_store(url) as store:
        return store.get_checkpoint(REQ.key), store.get_checkpoint(REQ.done_key)


def _cursor(token: str) -> int:
    return int(token.rsplit("|", 1)[1])


def _check_resumed_where_it_stopped(hits, token: str | None, done: str | None) -> None:
    """The requests of one run, given the checkpoint it started from."""
    if token is None and done is not None:
        assert hits == [], "a completed harvest fetched again"
        return
    if not hits:
        return  # killed before its first request
    first = hits[0].params
    if token is None:
        assert first == PHYSICS
    else:
        assert first == {"verb": "ListRecords", "resumptionToken": token}
        cursors = [_cursor(h.params["resumptionToken"]) for h in hits]
        assert min(cursors) >= _cursor(token), "a checkpointed page was fetched again"
    assert [h.params.get("resumptionToken") for h in hits[1:]] == [
        f"9001|{c}" for c in range((_cursor(token) if token else 0) + PER_PAGE,
                                   (_cursor(token) if token else 0) + PER_PAGE * len(hits), PER_PAGE)]


def _hits(replay, agent: str) -> list:
    return [h for h in replay.hits() if h.agent == agent]


def _wait_first_request(replay, agent: str, proc: subprocess.Popen) -> None:
    """Block until the harvester (past its start-up) made a request or ended."""
    deadline = time.monotonic() + 20
    while not _hits(replay, agent) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)


def _wait_sessions_gone(url: str) -> None:
    """Until no session of a killed run is left on its database, so its last COMMIT (if the
    server had it) is carried out or rolled back. SQLite has no server: a killed process's
    commit is done or not when the process is gone."""
    if not url.startswith("postgresql"):
        return
    import psycopg

    deadline = time.monotonic() + 20
    with psycopg.connect(url, autocommit=True) as conn:
        while conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND pid <> pg_backend_pid()").fetchone()[0]:
            assert time.monotonic() < deadline, "a killed run's session did not end"
            time.sleep(0.01)


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume(hsettings, replay, tmp_path, new_database):
    pages = replay.add_oai_pages(PHYSICS, "oai/listrecords_physics_2015-01-16.xml", PER_PAGE, "9001")
    assert pages == 30
    replay.delay = 0.03  # so kills land in the middle of the run

    clean = hsettings.model_copy(update={"data_dir": tmp_path / "clean",
                                       "database_url": new_database()})
    out = run_cli(ARGS, cli_env(clean), tmp_path)
    assert out.returncode == 0, out.stderr
    hits = replay.hits()
    assert len(hits) == 30
    span = hits[-1].at - hits[0].at  # seconds from first to last page request
    with open_store(clean.resolved_database_url) as store:
        expected = store.dump()
    assert sum(1 for row in expected if row[0] == "paper") >= 140

    kills_mid_run = 0
    for seed in SEEDS:
        rng = random.Random(seed)
        s = hsettings.model_copy(update={"data_dir": tmp_path / f"run{seed}",
                                           "database_url": new_database()})
        url = s.resolved_database_url
        for kill in range(KILLS_PER_SEED):
            agent = f"crash-test/{seed}-{kill}"
            token, done = _state(url)
            proc = subprocess.Popen([sys.executable, "-m", "paperradar", *ARGS],
                                    env=cli_env(s, PAPERRADAR_USER_AGENT=agent), cwd=tmp_path,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _wait_first_request(replay, agent, proc)
            left = (30 - (_cursor(token) // PER_PAGE if token else 0)) / 30
            time.sleep(rng.uniform(0, span * left * 0.8))
            proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate(timeout=30)
            assert b"Traceback" not in err
            _wait_sessions_gone(url)
            kills_mid_run += _state(url)[0] is not None
            _check_resumed_where_it_stopped(_hits(replay, agent), token, done)
        token, done = _state(url)
        agent = f"crash-test/{seed}-final"
        final = run_cli(ARGS, cli_env(s, PAPERRADAR_USER_AGENT=agent), tmp_path)
        assert final.returncode == 0, final.stderr
        _check_resumed_where_it_stopped(_hits(replay, agent), token, done)
        with open_store(s.resolved_database_url) as store:
            assert store.dump() == expected
            assert store.get_checkpoint(REQ.key) is None
    assert kills_mid_run >= len(SEEDS)  # at least half the kills left a harvest half done
