"""Test tools from the npm registry (vnu-jar, axe-core), installed once into a cache
directory (``PAPERRADAR_TEST_NPM_DIR``, default ``~/.cache/paperradar-test-npm``)."""

from __future__ import annotations

import os
import socket
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PACKAGES = ("vnu-jar@26.9.27", "axe-core@4.14.1")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def npm_dir() -> Path:
    return Path(os.environ.get("PAPERRADAR_TEST_NPM_DIR",
                               Path.home() / ".cache" / "paperradar-test-npm"))


def npm_tools() -> dict[str, Path]:
    """Paths of ``vnu.jar`` and ``axe.min.js``, installing them with npm if needed."""
    root = npm_dir()
    tools = {"vnu": root / "node_modules/vnu-jar/build/dist/vnu.jar",
             "axe": root / "node_modules/axe-core/axe.min.js"}
    if not all(p.exists() for p in tools.values()):
        if shutil.which("npm") is None:
            skip_or_fail("npm is needed to fetch vnu-jar and axe-core")
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(root),
                        *PACKAGES], check=True, capture_output=True, timeout=600)
    return tools


def skip_or_fail(reason: str) -> None:
    """Skip on a developer machine; in CI (``CI`` set) a missing tool is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it: scripts/system-deps.sh)")
    pytest.skip(reason)


def require_chromium() -> str:
    if not Path(CHROMIUM).exists():
        skip_or_fail("headless Chromium missing: run scripts/system-deps.sh")
    return CHROMIUM


@contextmanager
def live_server(settings, prepare=None) -> Iterator[str]:
    """A real uvicorn server for ``settings`` in a thread, on 127.0.0.1 and a free port; yields
    its base URL and stops it on exit. ``settings`` may be a function of the port (for a
    ``base_url`` naming it); ``prepare(app)`` seeds the app before it serves."""
    import uvicorn

    from paperradar.web.app import create_app
    from paperradar.web.serving import uvicorn_options

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    if callable(settings):
        settings = settings(port)
    app = create_app(settings)
    if prepare is not None:
        prepare(app)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning",
                                           access_log=False, lifespan="on",
                                           **uvicorn_options(settings)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
