"""Fixtures of the harvest tests: the replay server and settings pointing at it."""

from __future__ import annotations

import pytest

from paperradar.config import Settings
from .replay import ReplayServer


@pytest.fixture
def replay():
    server = ReplayServer().start()
    yield server
    server.stop()


@pytest.fixture
def hsettings(settings: Settings, replay: ReplayServer) -> Settings:
    """Settings whose arXiv URLs point at the replay server (no rate limit, quick retries)."""
    return settings.model_copy(update={
        "arxiv_api_url": replay.url + "/api/query",
        "arxiv_oai_url": replay.url + "/oai2",
        "arxiv_rss_url": replay.url + "/rss",
        "http_timeout": 5.0,
        "http_max_retries": 3,
    })
