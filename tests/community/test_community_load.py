"""Load: 50 users upvoting and un-upvoting the same 20 papers concurrently through the HTTP
API of a real uvicorn server with 2 worker processes; every final count equals the truth."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench" / "community_load.py"


def _load_driver():
    spec = importlib.util.spec_from_file_location("community_load", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_concurrent_upvotes_count_exactly(tmp_path):
    drv = _load_driver()
    ids, tokens = drv.prepare(tmp_path, users=50, papers=20)
    state: dict = {}
    with drv.Server(tmp_path, workers=2) as server:
        for wave, ops in enumerate((16, 8)):  # a second wave on top of the first
            result = drv.run_load([server.url], tokens, ids, ops=ops, seed=wave, state=state)
            assert result["errors"] == []
            assert result["requests"] == 50 * ops
            assert sum(result["truth"].values()) > 0
            assert drv.check_counts(server.url, ids, result["truth"]) == []
    from paperradar.store import open_store

    with open_store(f"sqlite:///{tmp_path / 'paperradar.db'}") as store:
        assert store.local_upvote_counts(ids) == result["truth"]
