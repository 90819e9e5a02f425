"""Store tests' own fixture: a fresh, migrated PostgreSQL database on the session's real
server, for the tests that only apply to PostgreSQL (dropped afterwards)."""

from __future__ import annotations

import pytest

from pg_server import shared_server


@pytest.fixture
def pg_url():
    server = shared_server()
    url = server.create_database()
    yield url
    server.drop_database(url)
