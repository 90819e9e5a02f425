"""PostgreSQL restarted while a real ``paperradar import`` subprocess writes (the fault
tests' own server, ``conftest.py``): the import rides it out (each batch one transaction, written
again while the server is away; only whole batches are ever visible); run again, it ends
equal to one clean run into a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import psycopg
import pytest

from paperradar.store import open_store
from pg_server import BACKENDS, start_postgres, stop_postgres

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="PostgreSQL tests not selected")
N = 12000  # six batches of 2000


def _jsonl(path, n: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        for i in range(1, n + 1):
            f.write(json.dumps({"id": f"2601.{i:05d}", "title": f"Paper {i}",
                                "abstract": f"About topic {i % 97}", "authors": ["Ada Lovelace"],
                                "categories": ["cs.LG"], "published": "2026-01-01T00:00:00Z"}) + "\n")


def _import(url: str, path, tmp_path) -> subprocess.Popen:
    env = dict(os.environ, PAPERRADAR_DATABASE_URL=url, PAPERRADAR_ENV="test",
               PAPERRADAR_DATA_DIR=str(tmp_path / "data"))
    return subprocess.Popen([sys.executable, "-m", "paperradar", "import", "--no-index", str(path)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> tuple[int, str]:
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def _papers(url: str) -> int:
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        return conn.execute("SELECT count(*) FROM papers").fetchone()[0]


def test_restart_mid_import_then_rerun_equals_clean_run(own_server, tmp_path):
    path = tmp_path / "papers.jsonl"
    _jsonl(path, N)
    url, clean_url = own_server.create_database(), own_server.create_database()
    proc = _import(url, path, tmp_path)
    deadline = time.monotonic() + 60
    while _papers(url) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    seen = _papers(url)
    assert proc.poll() is None and 0 < seen < N, (seen, proc.poll())  # caught mid-import
    assert seen % 2000 == 0  # whole batches only
    stop_postgres(own_server)
    time.sleep(3)  # down longer than one batch takes: a write must meet the outage
    start_postgres(own_server)
    code, err = _finish(proc)
    assert code == 0, err  # rode it out: the batch the restart cut was written again
    assert "database away, retrying the batch" in err, err  # the restart did cut a batch
    assert "Traceback" not in err, err
    code, err = _finish(_import(url, path, tmp_path))  # run again: nothing changes
    assert code == 0, err
    code, err = _finish(_import(clean_url, path, tmp_path))
    assert code == 0, err
    with open_store(url) as restarted, open_store(clean_url) as fresh:
        assert restarted.count_rows("papers") == N
        assert restarted.dump() == fresh.dump()
