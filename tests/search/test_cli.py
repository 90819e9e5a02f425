"""``paperradar index`` and ``paperradar search --json`` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from paperradar.store import open_store

from .conftest import hand_records


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paperradar", *args], capture_output=True,
                          text=True, env={**os.environ}, timeout=120)


def test_index_and_search_json(env_settings):
    store = open_store(env_settings.resolved_database_url)
    store.upsert_records(hand_records())
    store.close()
    r = run("index", "--no-embed")
    assert r.returncode == 0, r.stderr
    assert "7 papers indexed" in r.stdout
    r = run("search", "zebrafish", "--mode", "lexical", "--json", "--limit", "2")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["id"] for x in rows] == ["2401.00001", "2401.00002"]
    assert all({"id", "title", "score"} <= set(x) for x in rows)
    assert rows[0]["score"] >= rows[1]["score"]
    r = run("search", "zebrafish", "--mode", "bogus")
    assert r.returncode == 2 and "--mode" in r.stderr
    r = run("index", "--rebuild", "--no-embed")
    assert r.returncode == 0 and "7 papers indexed" in r.stdout


def test_python_api_matches_cli_shape(env_settings):
    from paperradar.search import search

    store = open_store(env_settings.resolved_database_url)
    store.upsert_records(hand_records())
    store.close()
    assert search(env_settings, "zebrafish", mode="lexical") == []  # not indexed yet
    run("index", "--no-embed")
    rows = search(env_settings, "zebrafish", mode="lexical")
    assert [r["id"] for r in rows][:2] == ["2401.00001", "2401.00002"]
