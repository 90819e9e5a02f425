"""Shared fixtures: settings and a real store on each backend: a SQLite file in a temporary
directory, and a fresh database on a real PostgreSQL server that the tests start themselves
(``tests/pg_server.py``). ``PAPERRADAR_TEST_BACKENDS=sqlite`` (or ``postgres``) runs one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from paperradar.config import Settings
from paperradar.store import open_store
from pg_server import BACKENDS, shared_server

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config) -> None:
    """Property tests: no per-example deadline (a shared 2-core machine stalls at random),
    and in CI (``CI`` set) a fixed example sequence, so a run is reproducible; elsewhere they
    explore new examples every run."""
    hypothesis_settings.register_profile("dev", deadline=None)
    hypothesis_settings.register_profile("ci", deadline=None, derandomize=True)
    hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


def database_url(backend: str, tmp_path: Path, request) -> str:
    """A fresh, migrated, empty database on ``backend`` (dropped after the test)."""
    if backend == "sqlite":
        return ""  # the default: sqlite:///<data_dir>/paperradar.db
    server = shared_server()
    url = server.create_database()
    request.addfinalizer(lambda: server.drop_database(url))
    return url


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def new_database(backend: str, tmp_path: Path, request):
    """Makes another fresh database on the test's backend: its URL ('' on SQLite, where a
    new ``data_dir`` makes the new database)."""
    return lambda: database_url(backend, tmp_path, request)


@pytest.fixture
def settings(tmp_path: Path, backend: str, request) -> Settings:
    return Settings(data_dir=tmp_path / "data", env="test", http_min_interval=0.0,
                    database_url=database_url(backend, tmp_path, request))


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
    if settings.database_url:
        monkeypatch.setenv("PAPERRADAR_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("PAPERRADAR_DATABASE_URL", raising=False)
    return settings
