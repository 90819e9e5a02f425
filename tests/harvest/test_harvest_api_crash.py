"""Crash safety of ``paperradar harvest api``: a query harvest (or an id harvest) SIGKILLed at
random moments, then run again until it completes, gives the same database as one clean
harvest; a query harvest never fetches again a page it checkpointed, and no page is ever
half stored. Also the resume as a user sees it (summary line, ``--restart``).

The recorded ``q_testing`` pages hold 10 results each (60 in all); to get 30 pages per run
the tests re-serve those 60 real entries 2 per response (as ``ReplayServer.add_oai_pages``
does for OAI-PMH), and answer id lists of 2 with the same entries.
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import time

import pytest

from paperradar.ingest.harvest_api import ApiOptions, query_key
from paperradar.store import open_store

from .helpers import cli_env, run_cli
from .replay import FIXTURES, Canned, load

PER_PAGE = 2
QUERY = {"search_query": "testing", "sortBy": "relevance", "sortOrder": "descending"}
QUERY_ARGS = ["harvest", "api", "--query", "testing", "--max", "60", "--page-size", str(PER_PAGE)]
KEY = query_key("testing", 60, ApiOptions(page_size=PER_PAGE))
SEEDS = {"query": (11, 22), "ids": (33,)}  # an id harvest re-runs from the top: longer runs
KILLS_PER_SEED = 3


def _recorded() -> tuple[str, list[str]]:
    """The feed head of the first recorded page and the 60 real entries, in result order."""
    files = sorted(FIXTURES.glob("api/q_testing_s*_m10_*.xml"),
                   key=lambda f: int(re.search(r"_s(\d+)_", f.name).group(1)))
    texts = [f.read_bytes().decode("utf-8") for f in files]
    entries = [e for t in texts for e in re.findall(r"<entry>.*?</entry>", t, flags=re.S)]
    assert len(files) == 6 and len(entries) == 60
    return texts[0].split("<entry>", 1)[0], entries


def _feed(head: str, entries: list[str], total: int, start: int) -> Canned:
    for name, value in (("itemsPerPage", len(entries)), ("totalResults", total), ("startIndex", start)):
        head = re.sub(rf"<opensearch:{name}>\d+<", f"<opensearch:{name}>{value}<", head)
    body = head + "<entry>".join([""] + [e[len("<entry>"):] for e in entries]) + "\n</feed>\n"
    return Canned(200, {"Content-Type": "text/xml"}, body.encode("utf-8"))


def _paper_id(entry: str) -> str:
    return re.search(r"<id>https?://arxiv\.org/abs/(.+?)(?:v\d+)?</id>", entry).group(1)


def _serve(replay) -> list[str]:
    """Routes for the query in pages of 2 and for id lists of 2; returns the ids in order."""
    head, entries = _recorded()
    ids = [_paper_id(e) for e in entries]
    for s in range(0, len(entries), PER_PAGE):
        replay.add("/api/query", {**QUERY, "start": s, "max_results": PER_PAGE},
                   [_feed(head, entries[s:s + PER_PAGE], 214881, s)])
        batch = entries[s:s + PER_PAGE]
        replay.add("/api/query", {"id_list": ",".join(ids[s:s + PER_PAGE]), "sortBy": "relevance",
                                  "sortOrder": "descending", "start": 0, "max_results": PER_PAGE},
                   [_feed(head, batch, len(batch), 0)])
    return ids


def _state(url: str) -> tuple[dict | None, set[str]]:
    """The query checkpoint (decoded) and the stored paper ids."""
    with open_store(url) as store:
        cp = store.get_checkpoint(KEY)
        return (json.loads(cp) if cp else None), {r[1] for r in store.dump() if r[0] == "paper"}


def _check_state(mode: str, cp: dict | None, stored: set[str], order: list[str]) -> None:
    """No half page: the papers are exactly those of the first k whole pages (batches)."""
    k = len(stored)
    assert k % PER_PAGE == 0 and stored == set(order[:k]), "a page is half stored"
    if mode == "query":
        if cp is None:
            assert k in (0, len(order)), "papers stored without a checkpoint"
        else:
            assert cp == {"start": k, "stored": k}, (cp, k)


def _check_requests(mode: str, hits, cp: dict | None, order: list[str]) -> None:
    """One run's requests, given the checkpoint it started from: consecutive pages from the
    checkpoint (query) or consecutive batches from the first (ids)."""
    if mode == "query":
        s0 = cp["start"] if cp else 0
        starts = [int(h.params["start"]) for h in hits]
        assert starts == list(range(s0, s0 + PER_PAGE * len(starts), PER_PAGE)), (s0, starts)
    else:
        lists = [h.params["id_list"] for h in hits]
        assert lists == [",".join(order[i:i + PER_PAGE])
                         for i in range(0, PER_PAGE * len(lists), PER_PAGE)], lists


def _wait_first_request(replay, n: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while len(replay.hits()) <= n and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["query", "ids"])
def test_sigkill_at_random_points_then_run_again(hsettings, replay, tmp_path, mode, new_database):
    order = _serve(replay)
    args = QUERY_ARGS if mode == "query" else [
        "harvest", "api", "--page-size", str(PER_PAGE), "--id", ",".join(order)]
    replay.delay = 0.01  # with the per-page work, a run lasts long enough to be hit mid-way

    clean = hsettings.model_copy(update={"data_dir": tmp_path / "clean",
                                       "database_url": new_database()})
    out = run_cli(args, cli_env(clean), tmp_path)
    assert out.returncode == 0, out.stderr
    hits = replay.hits()
    assert len(hits) == 30
    span = hits[-1].at - hits[0].at
    with open_store(clean.resolved_database_url) as store:
        expected = store.dump()
    assert [r[1] for r in expected if r[0] == "paper"] == sorted(order)

    kills_mid_run = 0
    for seed in SEEDS[mode]:
        rng = random.Random(seed)
        s = hsettings.model_copy(update={"data_dir": tmp_path / f"run{seed}",
                                           "database_url": new_database()})
        env, url = cli_env(s), s.resolved_database_url
        for _ in range(KILLS_PER_SEED):
            cp, stored = _state(url)
            n = len(replay.hits())
            proc = subprocess.Popen([sys.executable, "-m", "paperradar", *args], env=env,
                                    cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _wait_first_request(replay, n, proc)
            left = 1 - len(stored) / len(order) if mode == "query" else 1
            time.sleep(rng.uniform(0, span * left * 0.8))
            proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate(timeout=30)
            assert b"Traceback" not in err
            _check_requests(mode, replay.hits()[n:], cp, order)
            cp, stored = _state(url)
            _check_state(mode, cp, stored, order)
            kills_mid_run += 0 < len(stored) < len(order)
        cp, _ = _state(url)
        n = len(replay.hits())
        final = run_cli(args, env, tmp_path)
        assert final.returncode == 0, final.stderr
        _check_requests(mode, replay.hits()[n:], cp, order)
        with open_store(url) as store:
            assert store.dump() == expected  # ids, versions, titles, metadata; no checkpoint left
    assert kills_mid_run >= len(SEEDS[mode])  # kills did land mid-harvest


def test_cli_resumes_a_failed_query_then_restart(hsettings, replay, tmp_path):
    """As a user sees it: a run that fails on page 4 keeps pages 1-3; the next run resumes
    at result 30 and says so; ``--restart`` starts at the top; ``--restart --id`` is refused."""
    page30 = {**QUERY, "start": 30, "max_results": 10}
    real = replay.routes[next(k for k in replay.routes if ("start", "30") in k[1])]
    empty = load("api/constructed_q_testing_s30_m10_empty.xml")
    args = ["harvest", "api", "--query", "testing", "--max", "50", "--page-size", "10"]
    env = cli_env(hsettings)

    def run(extra=()):
        n = len(replay.hits())
        result = run_cli(args + list(extra), env, tmp_path)
        assert "Traceback" not in result.stderr
        return result, [h.params["start"] for h in replay.hits()[n:]]

    replay.add("/api/query", page30, [empty])
    failed, starts = run()
    assert failed.returncode == 2 and starts == ["0", "10", "20"] + ["30"] * 4
    assert failed.stderr.startswith("error: arXiv API gave an empty page at start=30")
    replay.add("/api/query", page30, real)
    resumed, starts = run()
    assert resumed.returncode == 0 and starts == ["30", "40"]
    assert resumed.stdout.strip() == ("arXiv API: resumed at result 30, 2 pages, 20 papers: "
                                      "20 new, 0 updated, 0 unchanged")
    again, starts = run()  # complete: a fresh pass from the top
    assert again.stdout.startswith("arXiv API: 5 pages,") and starts[0] == "0"

    replay.add("/api/query", page30, [empty])
    assert run()[0].returncode == 2
    replay.add("/api/query", page30, real)
    restarted, starts = run(["--restart"])
    assert restarted.returncode == 0 and starts == ["0", "10", "20", "30", "40"]
    assert restarted.stdout.strip() == "arXiv API: 5 pages, 50 papers: 0 new, 0 updated, 50 unchanged"

    refused = run_cli(["harvest", "api", "--id", "1605.08386", "--restart"], env, tmp_path)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "--restart applies to --query only" in refused.stderr
