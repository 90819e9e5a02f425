"""PostgreSQL restarted while a real ``paperradar digest send`` subprocess mails (the fault
tests' own server, ``conftest.py``; a real SMTP sink, paced by the rate limit). The stop
lands while the sink holds a mail before its 250 (released once the server is down), so the
writes after a sent mail (mail log, ledger row) meet the outage: they wait it out, the run
ends with exit 0 and no traceback, and run again every subscriber has had the digest exactly
once and the ledger says sent."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from paperradar.config import Settings
from paperradar.store import open_store
from paperradar.store.postgres.db import POOL_WAIT_S
from pg_server import BACKENDS, start_postgres, stop_postgres

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "notify"))
from notify_helpers import active, load_fixture_papers  # noqa: E402
from smtp_sink import HoldingHandler, SmtpSink  # noqa: E402

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="PostgreSQL tests not selected")
N = 24  # at 8 mails a second the run takes ~3 s
AT = "2025-06-30T09:00:00Z"
HOLD = 4


@pytest.fixture
def sink():
    s = SmtpSink(handler=HoldingHandler(HOLD)).start()
    yield s
    s.handler.release.set()
    s.stop()


def _send(env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "paperradar", "digest", "send", "--at", AT],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_restart_mid_digest_then_rerun_sends_each_once(own_server, sink, tmp_path):
    url = own_server.create_database()
    settings = Settings(data_dir=tmp_path / "data", env="test", database_url=url,
                        digest_search_mode="lexical")
    with open_store(url) as st:
        load_fixture_papers(settings, st)
        st.add_subscribers([active(f"r{i:02d}@example.org") for i in range(N)])
    env = dict(os.environ, PAPERRADAR_DATA_DIR=str(settings.data_dir), PAPERRADAR_DATABASE_URL=url,
               PAPERRADAR_ENV="test", PAPERRADAR_SMTP_URL=sink.url, PAPERRADAR_SMTP_RATE_LIMIT="8",
               PAPERRADAR_SMTP_RETRY_BASE="0.01", PAPERRADAR_DIGEST_SEARCH_MODE="lexical",
               PAPERRADAR_BASE_URL="https://papers.example",
               PAPERRADAR_MAIL_FROM="paperradar <digest@papers.example>")
    env.pop("PAPERRADAR_FAULT", None)
    proc = _send(env)
    deadline = time.monotonic() + 30
    while sum(sink.counts().values()) < HOLD and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None and sum(sink.counts().values()) == HOLD  # caught mid-run
    stop_postgres(own_server)  # while the sink holds a mail before its 250 ...
    sink.handler.release.set()  # ... so the writes after that 250 meet the outage
    time.sleep(POOL_WAIT_S + 2)  # longer than the pool waits for a connection
    start_postgres(own_server)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err  # rode it out: the writes after the 250 waited
    assert "database away, retrying the mail log row" in err, err
    assert "Traceback" not in err, err
    assert f"sent={N}" in out, out
    again = _send(env)
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert "Traceback" not in err, err
    assert sink.counts() == {f"r{i:02d}@example.org": 1 for i in range(N)}
    with open_store(url) as st:
        deliveries = st.list_deliveries()
        assert len(deliveries) == N and {d.status for d in deliveries} == {"sent"}
