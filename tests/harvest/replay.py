"""A real HTTP server on 127.0.0.1 replaying recorded arXiv responses (tests only).

Requests are matched on path + query parameters (empty values ignored, order ignored). Each
route holds a sequence of recorded responses (status, headers, body): the n-th request to a
route gets the n-th response, the last one repeating (e.g. a 503 with Retry-After, then the
200). A paged OAI-PMH ListRecords can also be served from a recorded response by splitting
its real records into pages chained by resumption tokens of our own. Every request is logged
with its arrival time so tests can check paging, resumption and politeness.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv_http"


@dataclass(frozen=True)
class Canned:
    status: int
    headers: dict
    body: bytes


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() on arrival
    path: str
    params: dict
    status: int
    agent: str = ""  # the request's User-Agent (tests tell runs apart by it)


def _key(path: str, params: dict) -> tuple:
    return path, frozenset((k, str(v)) for k, v in params.items() if v not in ("", None))


def load(file: str, status: int = 200, headers: dict | None = None) -> Canned:
    return Canned(status, headers or {"Content-Type": "text/xml"}, (FIXTURES / file).read_bytes())


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client killed mid-request (the crash tests do that) is not an error here."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ReplayServer:
    def __init__(self, routes_file: Path = FIXTURES / "routes.json"):
        self.routes: dict[tuple, list[Canned]] = {}
        self.served: dict[tuple, int] = {}
        self.log: list[Hit] = []
        self.delay = 0.0  # seconds slept before answering each request
        self.gate: threading.Event | None = None  # when set up: answers wait until it is set
        self._lock = threading.Lock()
        for r in json.loads(routes_file.read_text()):
            self.add(r["path"], r["params"],
                     [load(x["file"], x["status"], x["headers"]) for x in r["responses"]])
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    # -- setup ----------------------------------------------------------------------------
    def add(self, path: str, params: dict, responses: list[Canned]) -> None:
        """Serve ``responses`` in turn for this request (replacing any previous route)."""
        with self._lock:
            self.routes[_key(path, params)] = list(responses)
            self.served[_key(path, params)] = 0

    def add_oai_pages(self, params: dict, recorded: str, per_page: int, token_prefix: str) -> int:
        """Serve the records of a recorded ListRecords response in pages of ``per_page``,
        chained by resumption tokens ``<token_prefix>|<cursor>``; returns the page count."""
        text = (FIXTURES / recorded).read_text(encoding="utf-8")
        head, rest = text.split("<ListRecords>", 1)
        records = re.findall(r"<record>.*?</record>", rest, flags=re.S)
        total = len(records)
        pages = [records[i:i + per_page] for i in range(0, total, per_page)]
        for n, chunk in enumerate(pages):
            cursor = n * per_page
            last = n == len(pages) - 1
            token = "" if last else f"{token_prefix}|{cursor + per_page}"
            tok_el = (f'<resumptionToken cursor="{cursor}" completeListSize="{total}">{token}'
                      "</resumptionToken>")
            body = f"{head}<ListRecords>\n{''.join(chunk)}\n{tok_el}\n</ListRecords>\n</OAI-PMH>\n"
            req = params if n == 0 else {"verb": "ListRecords",
                                         "resumptionToken": f"{token_prefix}|{cursor}"}
            self.add("/oai2", req, [Canned(200, {"Content-Type": "text/xml"}, body.encode())])
        return len(pages)

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> "ReplayServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def hits(self, path: str | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self.log if path is None or h.path == path]

    # -- serving --------------------------------------------------------------------------
    def _answer(self, path: str, params: dict, agent: str = "") -> Canned:
        key = _key(path, params)
        with self._lock:
            seq = self.routes.get(key)
            if seq is None:
                canned = Canned(404, {"Content-Type": "text/plain"},
                                f"no recording for {path} {sorted(params.items())}".encode())
            else:
                canned = seq[min(self.served[key], len(seq) - 1)]
                self.served[key] += 1
            self.log.append(Hit(time.monotonic(), path, params, canned.status, agent))
        return canned

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server naming)
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                canned = server._answer(parts.path, params, self.headers.get("User-Agent", ""))
                if server.gate is not None:
                    server.gate.wait(timeout=60)
                if server.delay:
                    time.sleep(server.delay)
                self.send_response(canned.status)
                for k, v in canned.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(canned.body)))
                self.end_headers()
                self.wfile.write(canned.body)

            def log_message(self, *args):  # keep test output quiet
                pass

        return Handler
