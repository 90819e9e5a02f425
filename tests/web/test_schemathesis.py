"""The API contract: schemathesis (`st run URL/openapi.json --checks all`) against a real
server on a copy of the test database, as an anonymous client and as a signed-in (verified
admin) API-token client: zero failures. Examples are bounded; in CI (``CI`` set) the
generation is deterministic, elsewhere each run explores new cases (the seed is printed).
Two schemathesis workers (concurrent requests to the one server): ~50 s a run against ~80 s
with one. The cases stay deterministic in CI; the order in which the two workers' requests
interleave does not."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paperradar.store import open_store
from paperradar.web.app import create_app
from paperradar.web.security import hash_secret

from .servers import serve

HERE = Path(__file__).parent
MAX_EXAMPLES = 10


@pytest.fixture(scope="module")
def contract_server(web_settings, tmp_path_factory):
    """Its own server and database copy: the authenticated run writes (comments, votes...)."""
    root = tmp_path_factory.mktemp("contract")
    shutil.copytree(web_settings.data_dir, root / "data")
    closed = socket_port()
    settings = web_settings.model_copy(update={
        "data_dir": root / "data", "search_warmup": False, "submit_fetch_deadline": 1.0,
        "arxiv_api_url": f"http://127.0.0.1:{closed}/api/query"})  # arXiv unreachable: 502
    store = open_store(settings.resolved_database_url)
    try:
        user = store.create_user("contract@example.org", "contract", None, is_admin=True,
                                 verified=True)
        token = "prt_contract-test-token"
        store.create_api_token(user.id, "schemathesis", hash_secret(token), token[:8])
    finally:
        store.close()
    with serve(create_app(settings), settings) as port:
        yield f"http://127.0.0.1:{port}", token


def socket_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_schemathesis(url: str, cwd: Path, *headers: str) -> subprocess.CompletedProcess:
    """``st run`` from ``cwd`` (it keeps a cache folder there)."""
    st = Path(sys.executable).with_name("st")
    if not st.exists():
        pytest.fail("schemathesis is missing: pip install -e '.[test]'")
    args = [str(st), "--config-file", str(HERE / "schemathesis.toml"), "run",
            f"{url}/openapi.json", "--checks", "all", "--max-examples", str(MAX_EXAMPLES),
            "--workers", "2", "--no-color"]
    if os.environ.get("CI"):
        args.append("--generation-deterministic")
    for header in headers:
        args += ["-H", header]
    return subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=cwd)


def _summary(out: str) -> str:
    """The failures (schemathesis prints them before its summary), then the summary."""
    start = out.find("FAILURES")
    return (out[start:start + 15000] + "\n...\n" + out[-2500:]) if start >= 0 else out[-8000:]


def test_contract_anonymous(contract_server, tmp_path):
    url, _ = contract_server
    result = run_schemathesis(url, tmp_path)
    assert result.returncode == 0, _summary(result.stdout + result.stderr)
    assert "40/40" in result.stdout or "Tested:" in result.stdout


def test_contract_authenticated(contract_server, tmp_path):
    url, token = contract_server
    result = run_schemathesis(url, tmp_path, f"Authorization: Bearer {token}")
    assert result.returncode == 0, _summary(result.stdout + result.stderr)
    assert "Authentication failed" not in result.stdout
