"""The fault tests' own PostgreSQL server: one for the session, apart from the suite's
shared server, since these tests stop and start it. Each test gets it running (a test that
failed during an outage does not leave the next one without a server) and makes its own
databases on it."""

from __future__ import annotations

import pytest

from pg_server import BACKENDS, start, start_postgres


@pytest.fixture(scope="session")
def _restartable_server():
    server = start()
    yield server
    server.stop()


@pytest.fixture
def own_server(_restartable_server):
    if "postgres" not in BACKENDS:
        pytest.skip("PostgreSQL tests not selected")
    start_postgres(_restartable_server)  # running already, unless an earlier test failed
    yield _restartable_server
    start_postgres(_restartable_server)
