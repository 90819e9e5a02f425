"""Crash safety: ``paperradar harvest oai`` SIGKILLed at random moments, then run again to
completion, gives the same database as one clean harvest, and never fetches again a page
whose records were already checkpointed."""

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


def _wait_first_request(replay, n: int, proc: subprocess.Popen) -> None:
    """Block until the harvester (past its start-up) made a request or ended."""
    deadline = time.monotonic() + 20
    while len(replay.hits()) <= n and proc.poll() is None and time.monotonic() < deadline:
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
        env = cli_env(s)
        for _ in range(KILLS_PER_SEED):
            token, done = _state(s.resolved_database_url)
            n = len(replay.hits())
            proc = subprocess.Popen([sys.executable, "-m", "paperradar", *ARGS], env=env,
                                    cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _wait_first_request(replay, n, proc)
            left = (30 - (_cursor(token) // PER_PAGE if token else 0)) / 30
            time.sleep(rng.uniform(0, span * left * 0.8))
            proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate(timeout=30)
            assert b"Traceback" not in err
            kills_mid_run += _state(s.resolved_database_url)[0] is not None
            _check_resumed_where_it_stopped(replay.hits()[n:], token, done)
        token, done = _state(s.resolved_database_url)
        n = len(replay.hits())
        final = run_cli(ARGS, env, tmp_path)
        assert final.returncode == 0, final.stderr
        _check_resumed_where_it_stopped(replay.hits()[n:], token, done)
        with open_store(s.resolved_database_url) as store:
            assert store.dump() == expected
            assert store.get_checkpoint(REQ.key) is None
    assert kills_mid_run >= len(SEEDS)  # at least half the kills left a harvest half done
