"""Submissions: from the store or fetched from an arXiv API (a real HTTP server on loopback
replaying a recorded response); joins today's list with "submitted by"; duplicates refused
with a link; daily quota; maximum paper age; bad input is a clean 4xx and writes nothing."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from community_fixtures import ORIGIN, add_papers, logged_in
from paperradar.web.app import create_app

FIXTURE = Path(__file__).parents[1] / "fixtures" / "community" / "arxiv_api_1605.08386.xml"
TODAY = dt.datetime.now(dt.timezone.utc).date().isoformat()


@pytest.fixture
def arxiv_server():
    body = FIXTURE.read_bytes()
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/query", seen
    server.shutdown()
    server.server_close()


def test_submit_from_store_joins_today(app, cstore):
    add_papers(cstore, 1, date="", published=TODAY, prefix="2612")
    c = logged_in(app, cstore, "sub@example.org", name="subber")
    r = c.post("/papers/submit", data={"paper": "https://arxiv.org/abs/2612.00001v2"},
               headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/papers/2612.00001"
    [entry] = cstore.daily_entries_for("2612.00001")
    assert (entry.date, entry.submitted_by, entry.source) == (TODAY, "subber", "local")
    page = c.get(f"/papers/date/{TODAY}").text
    assert "2612.00001" in page and "subber" in page
    items = c.get(f"/api/daily_papers?date={TODAY}").json()
    assert items and items[0]["paper"]["id"] == "2612.00001"
    # duplicate: refused with a link to the existing entry
    r = c.post("/api/papers/submit", json={"id": "2612.00001"}, headers=ORIGIN)
    assert r.status_code == 409 and r.json()["detail"]["url"] == "/papers/2612.00001"
    r = c.post("/papers/submit", data={"paper": "2612.00001"}, headers=ORIGIN)
    assert r.status_code == 409 and 'href="/papers/2612.00001"' in r.text


def test_imported_paper_is_a_duplicate(app, cstore):
    add_papers(cstore, 1, date="2026-11-01")
    c = logged_in(app, cstore, "dup@example.org")
    r = c.post("/api/papers/submit", json={"id": "2611.00001"}, headers=ORIGIN)
    assert r.status_code == 409 and r.json()["detail"]["date"] == "2026-11-01"


def test_bad_input_and_unknown_and_too_old(app, cstore):
    add_papers(cstore, 1, date="", published="2020-01-01", prefix="2001")
    c = logged_in(app, cstore, "bad@example.org")
    # Outside the schema (empty, too long): 422; not an arXiv id: 400 (as documented).
    for bad, status in (("", 422), ("not an id", 400), ("<script>", 400), ("x" * 400, 422)):
        r = c.post("/api/papers/submit", json={"id": bad}, headers=ORIGIN)
        assert r.status_code == status, bad
    r = c.post("/api/papers/submit", json={"id": "2001.00001"}, headers=ORIGIN)
    assert r.status_code == 422 and "last 30 days" in r.text
    assert cstore.daily_entries_for("2001.00001") == []
    r = c.post("/api/papers/submit", json={"id": "not/valid"}, headers=ORIGIN)
    assert r.status_code == 400


def test_daily_quota(app, cstore, csettings):
    add_papers(cstore, 6, date="", published=TODAY, prefix="2612")
    c = logged_in(app, cstore, "quota@example.org")
    codes = [c.post("/api/papers/submit", json={"id": f"2612.{i:05d}"},
                    headers=ORIGIN).status_code for i in range(1, 7)]
    assert codes == [201] * 5 + [429]
    assert cstore.daily_entries_for("2612.00006") == []


def test_fetch_from_arxiv_api(csettings, cstore, arxiv_server):
    url, seen = arxiv_server
    s = csettings.model_copy(update={"arxiv_api_url": url, "submit_max_age_days": 100_000})
    cstore.close()
    app = create_app(s)
    store = app.state.store
    c = logged_in(app, store, "fetch@example.org", name="fetcher")
    r = c.post("/api/papers/submit", json={"id": "arXiv:1605.08386"}, headers=ORIGIN)
    assert r.status_code == 201, r.text
    assert seen and "1605.08386" in seen[0]
    paper = store.get_paper("1605.08386")
    assert paper.title and paper.authors
    assert store.daily_entries_for("1605.08386")[0].submitted_by == "fetcher"


def test_arxiv_unreachable_is_a_clean_502(csettings, cstore):
    from community_fixtures import free_port

    s = csettings.model_copy(update={"arxiv_api_url": f"http://127.0.0.1:{free_port()}/api",
                                     "http_max_retries": 0})
    cstore.close()
    app = create_app(s)
    c = logged_in(app, app.state.store, "down@example.org")
    r = c.post("/api/papers/submit", json={"id": "2612.99999"}, headers=ORIGIN)
    assert r.status_code == 502
    assert app.state.store.get_paper("2612.99999") is None


def test_submit_page_needs_login(client):
    r = client.get("/papers/submit", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.post("/api/papers/submit", json={"id": "2612.00001"}).status_code == 401
    with TestClient(client.app) as anon:
        assert anon.post("/papers/submit", data={"paper": "2612.00001"}).status_code == 401
