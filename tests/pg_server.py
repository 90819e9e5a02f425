"""A real PostgreSQL 16 server for the tests (PyPI ``pgserver``: PostgreSQL 16.2 with
pgvector, started from Python in a temporary directory; as root it runs the server as a
``pgserver`` system user). One server per test session; each test gets a fresh database
cloned from a migrated template (``CREATE DATABASE ... TEMPLATE``), dropped afterwards."""

from __future__ import annotations

import itertools
import os
import re
import tempfile
import threading
from pathlib import Path

import psycopg

TEMPLATE = "paperradar_template"
BACKENDS = [b.strip() for b in os.environ.get("PAPERRADAR_TEST_BACKENDS",
                                              "sqlite,postgres").split(",") if b.strip()]
_counter = itertools.count(1)
_lock = threading.Lock()


class PgServer:
    def __init__(self, root: Path):
        import logging
        import warnings

        with warnings.catch_warnings():  # no XDG_RUNTIME_DIR: it falls back to /tmp, fine
            warnings.simplefilter("ignore")
            import pgserver

            self.server = pgserver.get_server(root / "pg", cleanup_mode="delete")

        logging.getLogger("pgserver").setLevel(logging.WARNING)
        self.root = root
        self.base_url = self.server.get_uri()
        self._make_template()

    def url(self, dbname: str) -> str:
        return re.sub(r"/[^/?]*\?", f"/{dbname}?", self.base_url, count=1)

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.base_url, autocommit=True)

    def _make_template(self) -> None:
        from paperradar.store.postgres import PostgresStore

        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {TEMPLATE} TEMPLATE template0 ENCODING 'UTF8'")
        PostgresStore(self.url(TEMPLATE)).close()

    def create_database(self, template: str = TEMPLATE) -> str:
        """A new database (schema migrated, no rows); returns its URL."""
        with _lock:
            name = f"t_{os.getpid()}_{next(_counter)}"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.url(name)

    def create_empty_database(self) -> str:
        """A new database without any table (for migration tests)."""
        return self.create_database(template="template0")

    def drop_database(self, url: str) -> None:
        name = re.search(r"/([^/?]+)\?", url).group(1)  # type: ignore[union-attr]
        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        self.server.cleanup()


def start(base: Path | None = None) -> PgServer:
    root = Path(tempfile.mkdtemp(prefix="paperradar-pg-", dir=base))
    return PgServer(root)


_SHARED: PgServer | None = None


def shared_server() -> PgServer:
    """The session's server, started on first use (and stopped at exit). Without pgserver
    installed the PostgreSQL tests are skipped, except in CI where that is an error."""
    global _SHARED
    if _SHARED is None:
        import atexit
        import importlib.util

        import pytest

        if importlib.util.find_spec("pgserver") is None:
            if os.environ.get("CI"):
                raise RuntimeError("pgserver is missing: pip install -e '.[test]'")
            pytest.skip("pgserver is not installed (pip install -e '.[test]')")
        _SHARED = start()
        atexit.register(_SHARED.stop)
    return _SHARED


def stop_postgres(server: PgServer) -> None:
    """Stop the server process (fast shutdown: sessions are cut), keeping its data."""
    from pgserver._commands import pg_ctl

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.server.pgdata,
           user=server.server.system_user, timeout=30)


def start_postgres(server: PgServer) -> None:
    """Start it again on the same data directory and socket."""
    server.server.ensure_postgres_running()
