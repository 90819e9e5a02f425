"""Fixtures of the community tests: the real app (TestClient) on a real database (each backend) and a
real aiosmtpd SMTP server on loopback. Helpers live in ``community_fixtures``."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from community_fixtures import FAST_ARGON, Sink, free_port
from paperradar.config import Settings
from paperradar.web.app import create_app


@pytest.fixture(scope="session")
def smtp():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def csettings(tmp_path, smtp, settings) -> Settings:
    return Settings(data_dir=tmp_path / "data", env="test", http_min_interval=0.0,
                    database_url=settings.database_url,
                    base_url="http://testserver", smtp_url=f"smtp://127.0.0.1:{smtp[1]}",
                    smtp_max_retries=0, smtp_rate_limit=0, **FAST_ARGON)


@pytest.fixture
def app(csettings):
    return create_app(csettings)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def cstore(app):
    return app.state.store
