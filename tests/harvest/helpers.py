"""Small helpers shared by the harvest tests."""

from __future__ import annotations

import random

from paperradar.config import Settings
from paperradar.ingest.http import PoliteClient


class FakeClock:
    """A monotonic clock that only moves when ``sleep`` is called (nothing really waits)."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fake_client(settings: Settings, **over) -> tuple[PoliteClient, FakeClock]:
    clock = FakeClock()
    client = PoliteClient(settings.model_copy(update=over), clock=clock, sleep=clock.sleep,
                          rng=random.Random(1))
    return client, clock


OAI_BASE = {"verb": "ListRecords", "metadataPrefix": "arXiv"}
PHYSICS = {**OAI_BASE, "set": "physics", "from": "2015-01-16", "until": "2015-01-18"}


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment for a ``python -m paperradar`` subprocess using these settings."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERRADAR_")}
    env.update({
        "PAPERRADAR_ENV": "test",
        "PAPERRADAR_DATA_DIR": str(settings.data_dir),
        "PAPERRADAR_DATABASE_URL": settings.database_url,
        "PAPERRADAR_ARXIV_API_URL": settings.arxiv_api_url,
        "PAPERRADAR_ARXIV_OAI_URL": settings.arxiv_oai_url,
        "PAPERRADAR_ARXIV_RSS_URL": settings.arxiv_rss_url,
        "PAPERRADAR_HTTP_MIN_INTERVAL": "0",
        "PAPERRADAR_HTTP_MAX_RETRIES": "2",
        "PAPERRADAR_HTTP_TIMEOUT": "5",
        "COLUMNS": "80",
    })
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], cwd, timeout: float = 60):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "paperradar", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
