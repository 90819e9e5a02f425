"""A real uvicorn server in a thread (with the options ``paperradar serve`` uses), for tests
that need their own app or settings rather than the session's ``live_url``."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import uvicorn

from paperradar.config import Settings
from paperradar.web.serving import uvicorn_options


@contextmanager
def serve(app, settings: Settings, **extra):
    """Yields the port of a server running ``app`` on 127.0.0.1."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    options = {**uvicorn_options(settings), **extra}
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
