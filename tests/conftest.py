"""Shared fixtures: a real SQLite store in a temporary directory, settings pointing at it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from paperradar.config import Settings
from paperradar.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config) -> None:
    """Property tests: no per-example deadline (a shared 2-core machine stalls at random),
    and in CI (``CI`` set) a fixed example sequence, so a run is reproducible; elsewhere they
    explore new examples every run."""
    hypothesis_settings.register_profile("dev", deadline=None)
    hypothesis_settings.register_profile("ci", deadline=None, derandomize=True)
    hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


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
