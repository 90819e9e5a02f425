"""Fixtures of the recommender tests: real SQLite stores (helpers in ``recommend_fixtures``)."""

from __future__ import annotations

import pytest

from paperradar.config import Settings
from paperradar.store import open_store


@pytest.fixture
def rsettings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", env="test", base_url="http://testserver")


@pytest.fixture
def rstore(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    yield store
    store.close()
