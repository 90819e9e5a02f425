"""Shared fixtures: a real SQLite store in a temporary directory, settings pointing at it."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperradar.config import Settings
from paperradar.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", env="test", http_min_interval=0.0)


@pytest.fixture
def store(settings: Settings):
    s = open_store(settings.resolved_database_url)
    yield s
    s.close()


@pytest.fixture
def env_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The same settings exported as PAPERRADAR_* variables, for CLI runs."""
    monkeypatch.setenv("PAPERRADAR_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("PAPERRADAR_ENV", "test")
    monkeypatch.setenv("PAPERRADAR_HTTP_MIN_INTERVAL", "0")
    return settings
