"""Text with U+0000 (which PostgreSQL text cannot hold, SQLite can) through the real entry
points, on both backends: the import CLI drops it from paper text (as every control character
but whitespace), and user-entered text that carries one is refused with a clear 4xx, never a
500 and never a partial write."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1] / "community"))
from community_fixtures import FAST_ARGON, ORIGIN, add_papers, logged_in  # noqa: E402
from paperradar.config import Settings  # noqa: E402
from paperradar.store import open_store  # noqa: E402
from paperradar.web.app import create_app  # noqa: E402


def test_import_drops_nul_from_paper_text(env_settings, tmp_path):
    rows = [{"id": "2601.00001", "title": "Nul\x00 in title", "abstract": "An ab\x00stract",
             "authors": ["Ada\x00 Lovelace"], "categories": ["cs.LG"],
             "published": "2026-01-01T00:00:00Z"}]
    path = tmp_path / "nul.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "paperradar", "import", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    with open_store(env_settings.resolved_database_url) as store:
        paper = store.get_paper("2601.00001")
    assert paper is not None
    assert (paper.title, paper.abstract) == ("Nul in title", "An abstract")
    assert "\x00" not in json.dumps(paper.authors, default=str)


@pytest.fixture
def app(settings, tmp_path):
    s = Settings(data_dir=settings.data_dir, env="test", http_min_interval=0.0,
                 database_url=settings.database_url, base_url="http://testserver", **FAST_ARGON)
    return create_app(s)


def test_user_text_with_nul_is_refused_never_500(app):
    store = app.state.store
    with TestClient(app):
        pid = add_papers(store, 1)[0]
        c = logged_in(app, store, "nul@example.org")
        answers = {
            "search page": c.get("/search", params={"q": "graph\x00 nets"}),
            "search api": c.get("/api/papers/search", params={"q": "a\x00b"}),
            "comment api": c.post(f"/api/papers/{pid}/comments", json={"comment": "hi\x00"},
                                  headers=ORIGIN),
            "collection api": c.post("/api/collections", json={"name": "bad\x00name"},
                                     headers=ORIGIN),
            "collection form": c.post("/collections", data={"name": "bad\x00name"},
                                      headers=ORIGIN, follow_redirects=False),
        }
        arxiv = {"arXiv API": c.get("/api/query", params={"search_query": "ti:a\x00b"}),
                 "arXiv API form": c.post("/api/query", data={"search_query": "x", "sortBy": "\x00"},
                                          headers=ORIGIN)}
        for what, r in {**answers, **arxiv}.items():
            assert r.status_code == 400, (what, r.status_code, r.text[:300])
            assert "NUL character" in r.text, what
        for what, r in arxiv.items():  # errors there are Atom feeds, as arXiv's are
            assert r.headers["content-type"].startswith("application/atom+xml"), what
        assert store.list_comments(pid) == []  # nothing written
        user = store.get_user_by_email("nul@example.org")
        assert all("bad" not in x.name for x in store.list_collections(user.id))
        # the same text without the NUL goes through: the refusal is about the NUL only
        ok = c.post("/api/collections", json={"name": "good name"}, headers=ORIGIN)
        assert ok.status_code == 201, ok.text
        assert c.get("/search", params={"q": "graph nets"}).status_code == 200
