"""The web app while its PostgreSQL server is stopped and started again (a real server of
its own, so the session's shared one is not disturbed): pages and APIs answer 503 with
Retry-After, quickly, never 500 and never a hang, and recover by themselves once the server
is back, without restarting the app."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from paperradar.config import Settings
from paperradar.models import Paper, Record
from paperradar.store import open_store
from paperradar.web.app import create_app
from pg_server import BACKENDS, start, start_postgres, stop_postgres

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="PostgreSQL tests not selected")
PATHS = ["/", "/papers/2601.00001", "/api/papers/2601.00001", "/readyz"]


@pytest.fixture
def own_server(tmp_path):
    server = start(tmp_path)
    yield server
    server.stop()


def test_database_restart_gives_503_then_recovers(own_server, tmp_path):
    url = own_server.create_database()
    with open_store(url) as store:
        store.upsert_records([Record(Paper(id="2601.00001", title="Outage test", abstract="x",
                                           published="2026-01-01T00:00:00Z"))])
    settings = Settings(data_dir=tmp_path / "data", env="test", database_url=url,
                        search_warmup=False)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert [client.get(p).status_code for p in PATHS] == [200] * len(PATHS)
        stop_postgres(own_server)
        for p in PATHS:
            started = time.monotonic()
            r = client.get(p)
            took = time.monotonic() - started
            assert r.status_code == 503, (p, r.status_code, r.text[:300])
            assert r.headers.get("retry-after", "").isdigit(), p
            assert took < 10, (p, took)  # answered, not hung
        start_postgres(own_server)
        deadline = time.monotonic() + 30
        codes: list[int] = []
        while time.monotonic() < deadline:
            codes = [client.get(p).status_code for p in PATHS]
            if codes == [200] * len(PATHS):
                break
            assert set(codes) <= {200, 503}, codes
            time.sleep(0.5)
        assert codes == [200] * len(PATHS), codes
        assert "Outage test" in client.get("/papers/2601.00001").text
