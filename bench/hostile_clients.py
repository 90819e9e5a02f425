"""Hostile clients against a real ``paperradar serve`` (issue 10), printing one figure each.

Run it once per code base to compare (``--src`` is put first on PYTHONPATH of the server):

    python bench/hostile_clients.py --src /path/to/old/src   # before
    python bench/hostile_clients.py --src src                 # after

It builds the demo database in a temporary directory, starts the server on a free port and
measures: server RSS growth for one anonymous 200 MB upload, the paper page with 23 hostile
comments, submit with arXiv unreachable / answering 503 + Retry-After: 10, slow-header
connections, a disconnect mid-upload, a distributed password-guessing lock-out, the sign-up
oracle and an integer overflow.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import psutil

ORIGIN = {"Origin": "http://127.0.0.1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Busy(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503)
        self.send_header("Retry-After", "10")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def start(src: Path, data: Path, port: int, env_extra: dict) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(src), "PAPERRADAR_DATA_DIR": str(data),
           "PAPERRADAR_SEARCH_WARMUP": "false", "PAPERRADAR_BASE_URL": f"http://127.0.0.1:{port}",
           "PAPERRADAR_HTTP_MIN_INTERVAL": "0", **env_extra}
    exe = Path(sys.executable).with_name("paperradar")
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=open(data / "server.log", "w"))
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def setup_db(src: Path, data: Path) -> str:
    """Demo data, a verified user with an API token, 23 hostile comments on one paper."""
    code = f"""
import sys; sys.path.insert(0, {str(src)!r})
from paperradar.config import Settings
from paperradar.store import open_store
from paperradar.web.security import Passwords, hash_secret
s = Settings(data_dir={str(data)!r}, argon2_time_cost=1, argon2_memory_cost=1024,
             argon2_parallelism=1)
st = open_store(s.resolved_database_url)
u = st.create_user("owner@example.org", "owner", Passwords(s).hash("correct horse battery"),
                   verified=True)
st.create_api_token(u.id, "bench", hash_secret("prt_bench"), "prt_benc")
st.create_user("dev@example.org", "dev", Passwords(s).hash("p" * 12), verified=True)
pid = st.list_papers(limit=1)[0].id
for i in range(23):
    st.add_comment(pid, u.id, "[\\n" * 5000)
col = st.create_collection(u.id, "public one", is_public=True)
print(pid, col.id)
st.close()
"""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(src)}).stdout.strip()


def rss_upload(base: str, proc: psutil.Process) -> str:
    before = proc.memory_info().rss
    peak = [before]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.02)

    threading.Thread(target=watch, daemon=True).start()
    body = b'{"name": "' + b"x" * (200 << 20) + b'"}'
    started = time.perf_counter()
    try:
        status = httpx.post(f"{base}/api/collections", content=body, timeout=120,
                            headers={"Content-Type": "application/json"}).status_code
    except httpx.HTTPError as exc:
        status = type(exc).__name__
    took = time.perf_counter() - started
    stop.set()
    return (f"200 MB anonymous upload: {status} after {took:.2f} s, server RSS "
            f"+{(peak[0] - before) / 2**20:.0f} MB")


def comment_page(base: str, pid: str) -> str:
    times = []
    for _ in range(4):
        started = time.perf_counter()
        httpx.get(f"{base}/papers/{pid}", timeout=120)
        times.append(time.perf_counter() - started)
    health = []
    for _ in range(5):
        started = time.perf_counter()
        httpx.get(f"{base}/healthz")
        health.append(time.perf_counter() - started)
    return (f"paper page with 23 hostile comments: first {times[0] * 1000:.0f} ms, median of "
            f"next 3 {statistics.median(times[1:]) * 1000:.0f} ms")


def submit_time(base: str, label: str) -> str:
    started = time.perf_counter()
    r = httpx.post(f"{base}/api/papers/submit", json={"id": "2612.00042"}, timeout=200,
                   headers={"Authorization": "Bearer prt_bench"})
    leak = "upstream URL in the answer" if "127.0.0.1" in r.text else "no upstream URL"
    took = time.perf_counter() - started
    return f"submit, arXiv {label}: {r.status_code} after {took:.1f} s ({leak})"


def slow_headers(port: int, seconds: float = 15) -> str:
    socks = []
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\r\n")
        socks.append(s)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for s in socks:
            try:
                s.sendall(b"X")
            except OSError:
                pass
        time.sleep(1)
    alive = 0
    for s in socks:
        s.settimeout(0.2)
        try:
            alive += s.recv(1) != b""
        except socket.timeout:
            alive += 1
        except OSError:
            pass
        s.close()
    return f"slow-header connections still open after {seconds:g} s: {alive} of 5"


def disconnect(port: int, log: Path) -> str:
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /api/subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 100000\r\n\r\n" + b"a" * 1000)
    s.close()
    time.sleep(1.5)
    text = log.read_text(errors="replace")
    return (f"disconnect mid-upload: {text.count('Traceback')} tracebacks, "
            f"{text.count(' 500')} lines with 500 in the server log")


def lockout(base: str) -> str:
    for i in range(10):
        httpx.post(f"{base}/login", data={"email": "owner@example.org", "password": f"g{i}"},
                   headers={**ORIGIN, "X-Forwarded-For": f"203.0.113.{i}"})
    c = httpx.Client()
    r = c.post(f"{base}/login", data={"email": "owner@example.org",
                                      "password": "correct horse battery"},
               headers={**ORIGIN, "X-Forwarded-For": "198.51.100.1"})
    return f"owner's right password after 10 wrong ones from 10 IPs (new browser): {r.status_code}"


def lockout_known_device(base: str) -> str:
    c = httpx.Client()
    first = c.post(f"{base}/login", data={"email": "dev@example.org", "password": "p" * 12},
                   headers={**ORIGIN, "X-Forwarded-For": "198.51.100.9"})
    for i in range(10):
        httpx.post(f"{base}/login", data={"email": "dev@example.org", "password": f"g{i}"},
                   headers={**ORIGIN, "X-Forwarded-For": f"203.0.113.{50 + i}"})
    again = c.post(f"{base}/login", data={"email": "dev@example.org", "password": "p" * 12},
                   headers={**ORIGIN, "X-Forwarded-For": "198.51.100.9"})
    return (f"owner's browser that logged in before, after 10 wrong from 10 IPs: "
            f"{again.status_code} (first login {first.status_code})")


def signup_oracle(base: str) -> str:
    form = {"name": "owner", "password": "p" * 12}
    known = httpx.post(f"{base}/signup", data={**form, "email": "owner@example.org"},
                       headers={**ORIGIN, "X-Forwarded-For": "192.0.2.1"}).status_code
    unknown = httpx.post(f"{base}/signup", data={**form, "email": "nobody@example.org"},
                         headers={**ORIGIN, "X-Forwarded-For": "192.0.2.2"}).status_code
    return f"sign-up with a taken name: known email {known}, unknown email {unknown}"


def overflow(base: str, collection: str) -> str:
    r = httpx.get(f"{base}/api/collections/{collection}?offset=9223372036854775808")
    return f"GET /api/collections/1?offset=2**63: {r.status_code}"


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, required=True, help="the src/ folder to serve")
    args = ap.parse_args()
    src = args.src.resolve()
    tmp = Path(tempfile.mkdtemp(prefix="hostile-"))
    exe = Path(sys.executable).with_name("paperradar")
    subprocess.run([str(exe), "demo", "--no-serve", "--no-embed", "--data-dir", str(tmp)],
                   env={**os.environ, "PYTHONPATH": str(src)}, check=True, capture_output=True)
    pid, collection = setup_db(src, tmp).split()
    busy = ThreadingHTTPServer(("127.0.0.1", 0), Busy)
    threading.Thread(target=busy.serve_forever, daemon=True).start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ORIGIN["Origin"] = base
    env = {"PAPERRADAR_ARXIV_API_URL": f"http://127.0.0.1:{free_port()}/api/query",
           "PAPERRADAR_TRUSTED_PROXIES": "127.0.0.1", "PAPERRADAR_RATE_LIMIT_SUBMIT": "100/1h",
           "PAPERRADAR_SUBMIT_DAILY_QUOTA": "100"}
    server = start(src, tmp, port, env)
    try:
        proc = psutil.Process(server.pid)
        print(f"code: {src}")
        print(rss_upload(base, proc))
        print(comment_page(base, pid))
        print(submit_time(base, "unreachable"))
        print(slow_headers(port))
        print(disconnect(port, tmp / "server.log"))
        print(lockout(base))
        print(signup_oracle(base))
        print(overflow(base, collection))
    finally:
        stop(server)
    env["PAPERRADAR_ARXIV_API_URL"] = f"http://127.0.0.1:{busy.server_address[1]}/api/query"
    server = start(src, tmp, port, env)
    try:
        print(submit_time(base, "503 + Retry-After: 10"))
        print(lockout_known_device(base))
    finally:
        stop(server)
        busy.shutdown()


if __name__ == "__main__":
    main()
