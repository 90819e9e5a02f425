"""``paperradar harvest oai|api|new`` as a user runs them (a subprocess against the replay
server): one-line summaries, one clear error line and exit code 2, no tracebacks."""

from __future__ import annotations

import socket

import pytest

from paperradar.store import open_store

from .helpers import PHYSICS, cli_env, run_cli


def _ok(result) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.strip()


def _fails(result, *fragments: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    err = result.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith("error:")
    for f in fragments:
        assert f in err, err
    return err


def test_oai_harvest_then_rerun(hsettings, replay, tmp_path):
    replay.add_oai_pages(PHYSICS, "oai/listrecords_physics_2015-01-16.xml", 30, "8001")
    env = cli_env(hsettings)
    args = ["harvest", "oai", "--set", "physics", "--from", "2015-01-16", "--until", "2015-01-18"]
    out = _ok(run_cli(args, env, tmp_path))
    assert out.startswith("OAI-PMH: 5 pages, 150 records:") and len(out.splitlines()) == 1
    assert "already complete" in _ok(run_cli(args, env, tmp_path))
    assert len(replay.hits()) == 5
    with open_store(hsettings.resolved_database_url) as store:
        assert store.stats()["papers"] >= 140


def test_api_query_paged(hsettings, replay, tmp_path):
    env = cli_env(hsettings)
    out = _ok(run_cli(["harvest", "api", "--query", "testing", "--max", "25", "--page-size", "10"],
                      env, tmp_path))
    assert out == "arXiv API: 3 pages, 25 papers: 25 new, 0 updated, 0 unchanged"


def test_new_listing(hsettings, replay, tmp_path):
    out = _ok(run_cli(["harvest", "new", "--category", "cs.AI"], cli_env(hsettings), tmp_path))
    assert out.startswith("cs.AI: listing: 7 papers (7 new") and "full metadata for 7" in out


@pytest.mark.parametrize("args, fragments", [
    (["harvest", "oai", "--set", "nosuchset"], ["badArgument", "nosuchset"]),
    (["harvest", "oai", "--from", "2015-13-01"], ["not a valid date"]),
    (["harvest", "oai", "--prefix", "marc"], ["unsupported metadata prefix"]),
    (["harvest", "api", "--id", "abc"], ["incorrect id format for abc"]),
    (["harvest", "api"], ["--id", "--query"]),
    (["harvest", "api", "--query", "x", "--page-size", "0"], ["page size"]),
    (["harvest", "new", "--category", "../x"], ["invalid arXiv category"]),
    (["harvest", "new", "--category", "cs.XX"], ["HTTP 404"]),
])
def test_errors_are_one_line(hsettings, replay, tmp_path, args, fragments):
    _fails(run_cli(args, cli_env(hsettings), tmp_path), *fragments)


def test_unreachable_server_is_one_line_after_retries(hsettings, tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    env = cli_env(hsettings, PAPERRADAR_ARXIV_API_URL=f"http://127.0.0.1:{port}/api/query",
                  PAPERRADAR_HTTP_MAX_RETRIES="1")
    _fails(run_cli(["harvest", "api", "--id", "1605.08386"], env, tmp_path),
           "failed after 2 attempts", "ConnectError")


def test_missing_ids_listed_on_stderr(hsettings, replay, tmp_path):
    r = run_cli(["harvest", "api", "--id", "0000.0000"], cli_env(hsettings), tmp_path)
    assert _ok(r) == "arXiv API: 1 pages, 0 papers: 0 new, 0 updated, 0 unchanged; 1 ids not found"
    assert r.stderr.strip() == "not found: 0000.0000"


def test_second_harvest_says_so_and_skips(hsettings, replay, tmp_path):
    """Several workers on one database: while one harvest holds the single-runner lock
    (an advisory lock on PostgreSQL, a file lock beside a SQLite file) another one skips."""
    env = cli_env(hsettings)
    args = ["harvest", "new", "--category", "cs.AI"]
    with open_store(hsettings.resolved_database_url) as store:
        with store.job_lock("harvest") as held:
            assert held
            skipped = run_cli(args, env, tmp_path)
            assert skipped.returncode == 0 and "another harvest is running" in skipped.stderr
            assert replay.hits() == [] and store.count_papers() == 0
        out = _ok(run_cli(args, env, tmp_path))  # released: the next one runs
        assert out.startswith("cs.AI: listing: 7 papers") and store.count_papers() == 7
