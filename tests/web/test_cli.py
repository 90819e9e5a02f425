"""``paperradar demo --no-serve`` builds a working database; ``paperradar serve`` answers on
loopback and writes JSON-line access logs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERRADAR_")}
    env.update(PAPERRADAR_DATA_DIR=str(data_dir), PAPERRADAR_ENV="test")
    return env


def test_demo_builds_database_and_serve_answers(tmp_path):
    data = tmp_path / "demo"
    done = subprocess.run([sys.executable, "-m", "paperradar", "demo", "--no-serve", "--no-embed",
                           "--data-dir", str(data)], capture_output=True, text=True, timeout=300,
                          env=_env(tmp_path / "unused"))
    assert done.returncode == 0, done.stderr
    assert "1335 new" in done.stderr and "demo database ready" in done.stdout
    assert "959 daily entries" in done.stderr
    stats = subprocess.run([sys.executable, "-m", "paperradar", "stats", "--json"], capture_output=True,
                           text=True, env=_env(data), timeout=60)
    st = json.loads(stats.stdout)
    assert st["papers"] == 959 + 376 and st["daily_days"] == 60 and st["daily_to"] == "2025-06-30"

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "paperradar", "serve", "--port", str(port)],
                            env=_env(data), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        home = httpx.get(base + "/")
        assert home.status_code == 200 and "Monday, 30 June 2025" in home.text
        hits = httpx.get(base + "/api/papers/search", params={"q": "video generation"}).json()
        assert len(hits) >= 5
        # the bundled arXiv listing slice gives the demo categories
        feed = httpx.get(base + "/feeds/category/cs.CL.atom")
        assert feed.status_code == 200 and feed.text.count("<entry>") >= 20
        cat = httpx.get(base + "/api/v1/search", params={"q": "cat:cs.RO", "mode": "lexical"}).json()
        assert cat["total"] >= 5 and all("cs.RO" in p["categories"] for p in cat["items"])
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    logs = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(x["path"] == "/" and x["status"] == 200 and x["ms"] >= 0 for x in logs)


def test_serve_fails_clearly_on_bad_settings(tmp_path):
    env = _env(tmp_path)
    env["PAPERRADAR_DATABASE_URL"] = "mysql://nope"
    done = subprocess.run([sys.executable, "-m", "paperradar", "serve", "--port", str(_free_port())],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "unsupported database URL" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [["serve", "--port", "0"], ["demo", "--port", "70000"]])
def test_bad_options(args):
    done = subprocess.run([sys.executable, "-m", "paperradar", *args], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2


def test_demo_refuses_a_busy_port(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "paperradar", "demo", "--port", str(port),
                               "--data-dir", str(tmp_path / "d")], capture_output=True, text=True,
                              timeout=60, env=_env(tmp_path))
    assert done.returncode == 2 and f"port {port}" in done.stderr and "in use" in done.stderr
    assert not (tmp_path / "d").exists()  # refused before any work
