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
