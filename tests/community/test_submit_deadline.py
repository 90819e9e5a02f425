"""Interactive arXiv fetches (submits) against hostile upstreams on loopback: unreachable,
503 with a long Retry-After, silent. Each answers within the deadline with a message that
names arXiv but not the configured upstream URL; concurrent lookups are bounded."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from community_fixtures import ORIGIN, free_port, logged_in
from paperradar.web.app import create_app

DEADLINE = 1.5


def _server(handler_cls):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/secret-mirror/api/query"


class Busy(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503)
        self.send_header("Retry-After", "10")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Silent(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(30)  # never answers in time

    def log_message(self, *args):
        pass


@pytest.fixture
def upstream(request):
    kind = request.param
    if kind == "unreachable":
        yield f"http://127.0.0.1:{free_port()}/secret-mirror/api/query"
        return
    server, url = _server(Busy if kind == "busy" else Silent)
    yield url
    server.shutdown()
    server.server_close()


def _client(csettings, cstore_path_app_url, **extra):
    s = csettings.model_copy(update={"arxiv_api_url": cstore_path_app_url,
                                     "submit_fetch_deadline": DEADLINE, **extra})
    return create_app(s)


@pytest.mark.parametrize("upstream, status", [("unreachable", 502), ("busy", 502),
                                              ("silent", 504)], indirect=["upstream"])
def test_submit_answers_within_the_deadline_without_leaking_the_upstream(
        csettings, upstream, status):
    app = _client(csettings, upstream)
    with TestClient(app):
        c = logged_in(app, app.state.store, "sub@example.org")
        started = time.monotonic()
        r = c.post("/api/papers/submit", json={"id": "2612.00042"}, headers=ORIGIN)
        took = time.monotonic() - started
    assert r.status_code == status, r.text
    assert took < DEADLINE + 1.5, took  # was 23.8 s (unreachable) and 50 s (503 + Retry-After)
    assert "arXiv" in r.json()["detail"]
    assert "secret-mirror" not in r.text and "127.0.0.1" not in r.text
    assert app.state.store.daily_entries_for("2612.00042") == []


@pytest.mark.parametrize("upstream", ["silent"], indirect=True)
def test_concurrent_lookups_take_a_bounded_share_of_threads(csettings, upstream):
    app = _client(csettings, upstream, submit_fetch_slots=2, rate_limits_enabled=False)
    with TestClient(app):
        users = [logged_in(app, app.state.store, f"u{i}@example.org") for i in range(5)]
        codes: list[int] = []
        lock = threading.Lock()

        def go(c, n):
            r = c.post("/api/papers/submit", json={"id": f"2612.{n:05d}"}, headers=ORIGIN)
            with lock:
                codes.append(r.status_code)

        threads = [threading.Thread(target=go, args=(c, i + 100)) for i, c in enumerate(users)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        took = time.monotonic() - started
        # The site stays responsive meanwhile.
        assert users[0].get("/healthz").status_code == 200
    assert sorted(codes) == [503, 503, 503, 504, 504], codes
    assert took < DEADLINE + 2.5, took
