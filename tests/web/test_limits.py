"""Hostile clients against a real uvicorn server: oversized and slow bodies, slow headers,
disconnects mid-upload, forged X-Forwarded-For."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import time

from paperradar.config import Settings
from paperradar.web.app import create_app
from paperradar.web.limits import API_BODY_LIMIT, FORM_BODY_LIMIT
from paperradar.web.serving import TimedH11Protocol

from .servers import serve


class FastHeaderDeadline(TimedH11Protocol):
    header_timeout = 1.0


def raw(port: int, data: bytes, read: bool = True, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if not read:
            return b""
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_oversized_content_length_is_refused_before_the_body_is_read(live_url):
    port = int(live_url.rsplit(":", 1)[1])
    head = (b"POST /api/collections HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000000\r\nConnection: close\r\n\r\n")
    started = time.monotonic()
    answer = raw(port, head + b"{")  # 1 GB announced, one byte sent: no wait for the rest
    assert time.monotonic() - started < 5
    status, _, body = answer.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 413"), answer[:200]
    doc = json.loads(body)
    assert doc["status"] == 413 and doc["error"] == "Content too large"
    assert str(API_BODY_LIMIT // 1024) in doc["detail"]


def test_chunked_body_is_cut_off_while_streaming(live_url):
    port = int(live_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"POST /signup HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
        chunk = b"a" * 65536
        sent = 0
        try:
            while sent < 4 * FORM_BODY_LIMIT:  # the server answers after ~1 MiB, not 4
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 4 * FORM_BODY_LIMIT or b"413" in answer


def test_limits_hold_for_anonymous_api_posts(client):
    r = client.post("/api/subscribe", content=b"{" + b" " * (API_BODY_LIMIT + 10) + b"}",
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    small = client.post("/api/collections", json={"name": "x"})
    assert small.status_code == 401  # within the limit: the usual answer


def test_slow_headers_are_cut_off(web_settings):
    app = create_app(web_settings)
    with serve(app, web_settings, http=FastHeaderDeadline) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\n")
            started = time.monotonic()
            closed_after = None
            for i in range(40):  # one header byte every 0.1 s: never done
                try:
                    s.sendall(b"X"[:1] if i % 2 else b"-")
                    s.settimeout(0.1)
                    if s.recv(1) == b"":
                        closed_after = time.monotonic() - started
                        break
                except socket.timeout:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    closed_after = time.monotonic() - started
                    break
        assert closed_after is not None and closed_after < 2.5, closed_after
        # An idle connection that never sends a byte is closed too.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            started = time.monotonic()
            assert s.recv(1) == b""
            assert time.monotonic() - started < 2.5
        # A normal client is unaffected.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200


def test_stalled_body_gets_408(web_settings):
    settings = web_settings.model_copy(update={"body_read_timeout": 0.5})
    app = create_app(settings)
    with serve(app, settings) as port:
        answer = raw(port, b"POST /api/collections HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n"
                           b"Content-Type: application/json\r\n\r\n{\"na")
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]


def test_dripping_body_gets_408_at_the_total_deadline(web_settings):
    settings = web_settings.model_copy(update={"body_read_timeout": 0.5,
                                               "body_total_timeout": 1.5})
    with serve(create_app(settings), settings) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"POST /api/collections HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n"
                      b"Content-Type: application/json\r\n\r\n")
            started = time.monotonic()
            s.settimeout(0.25)
            answer = b""
            while time.monotonic() - started < 6 and not answer:
                try:
                    s.sendall(b" ")  # one byte every 0.25 s: never a long pause
                    answer = s.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    break
            took = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert 1.2 < took < 3.0, took


def test_disconnect_mid_upload_is_not_a_server_error(web_settings, caplog):
    app = create_app(web_settings)
    with serve(app, web_settings) as port:
        with caplog.at_level(logging.INFO):
            for path in (b"/api/subscribe", b"/api/collections", b"/signup"):
                ctype = b"application/json" if b"api" in path else \
                    b"application/x-www-form-urlencoded"
                raw(port, b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
                          b"Content-Type: " + ctype + b"\r\n\r\n" + b"a" * 100, read=False)
            time.sleep(1.0)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            assert conn.getresponse().status == 200
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
    statuses = [json.loads(r.getMessage())["status"] for r in caplog.records
                if r.name == "paperradar.access" and '"POST"' in r.getMessage()]
    assert statuses and 500 not in statuses, statuses


def echo_client_app():
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        body = json.dumps({"client": scope["client"][0], "scheme": scope["scheme"]}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
    return app


def seen_client(port: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/", headers={"X-Forwarded-For": "203.0.113.9",
                                      "X-Forwarded-Proto": "https"})
    return json.loads(conn.getresponse().read())


def test_forwarded_for_is_ignored_unless_the_proxy_is_configured(tmp_path):
    default = Settings(data_dir=tmp_path, env="test")
    with serve(echo_client_app(), default) as port:
        assert seen_client(port) == {"client": "127.0.0.1", "scheme": "http"}
    proxied = default.model_copy(update={"trusted_proxies": "127.0.0.1"})
    with serve(echo_client_app(), proxied) as port:
        assert seen_client(port) == {"client": "203.0.113.9", "scheme": "https"}
