"""Web fixtures: one database per session built from the last days of the bundled demo data
plus a few hand-made papers (hostile title, LaTeX math, an old-style id with categories and
versions), its full-text index, the app, and a real uvicorn server on a random loopback port."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paperradar.config import Settings
from paperradar.demo import extract_demo
from paperradar.ingest.files import import_paths
from paperradar.models import Author, DailyEntry, Link, Paper, Record, Version
from paperradar.search import Searcher
from paperradar.store import open_store
from paperradar.web.app import create_app
from pg_server import BACKENDS, shared_server
from tests.web.tools import live_server

DEMO_DAYS = 6
XSS = "<script>alert(1)</script>"
LATEST = "2025-06-30"


def extra_records() -> list[Record]:
    hostile = Paper(
        id="2506.99901", title=f"{XSS} Hostile <b>title</b> & friends",
        abstract=f'An abstract with <img src=x onerror="alert(2)"> and {XSS} in it.',
        authors=[Author('Eve "<svg onload=alert(3)>" Mallory')], published="2025-06-29T10:00:00Z",
        categories=["cs.CR"], primary_category="cs.CR", sources=["test"])
    math = Paper(
        id="2506.99902", title="Bounds on $\\mathcal{O}(n \\log n)$ sorting with $\\alpha$-oracles",
        abstract="We prove that $x^2 + y^2 = z^2$ has structure.\n\nA second paragraph with "
                 "display math $$\\sum_{i=1}^n i = \\frac{n(n+1)}{2}$$ and more.",
        authors=[Author("Ada Lovelace"), Author("Alan Turing")], published="2025-06-28T09:00:00Z",
        updated="2025-06-29T09:00:00Z", version=2, categories=["cs.DS", "math.CO"],
        primary_category="cs.DS", links=[Link("https://github.com/example/sorting", "code")],
        versions=[Version(1, "2025-06-28T09:00:00Z", "12kb"), Version(2, "2025-06-29T09:00:00Z")],
        doi="10.1000/xyz123", journal_ref="J. Test. 1 (2025) 1-10", comments="10 pages",
        sources=["test"])
    old = Paper(
        id="hep-th/9901001", title="Strings on old-style identifiers",
        abstract="A paper from 1999 with an identifier that contains a slash.",
        authors=[Author("Old Timer")], published="1999-01-04T00:00:00Z", categories=["hep-th"],
        primary_category="hep-th", version=1, sources=["test"])
    return [
        Record(hostile, DailyEntry("2506.99901", LATEST, submitted_by="eve<script>", upvotes=3,
                                   submitted_at="2025-06-30T08:00:00.000Z", source="test")),
        Record(math, DailyEntry("2506.99902", LATEST, submitted_by="ada", upvotes=7, num_comments=2,
                                github_repo="https://github.com/example/sorting", github_stars=42,
                                ai_summary="A summary.", ai_keywords=["sorting", "oracles"],
                                submitted_at="2025-06-30T07:00:00.000Z", source="test")),
        Record(old),
    ]


@pytest.fixture(scope="session", params=BACKENDS)
def web_settings(request, tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("web")
    url = shared_server().create_database() if request.param == "postgres" else ""
    settings = Settings(data_dir=root / "data", env="test", database_url=url)
    store = open_store(settings.resolved_database_url)
    try:
        report = import_paths(store, extract_demo(root / "days", last_days=DEMO_DAYS))
        assert not report.errors, report.errors
        store.upsert_records(extra_records())
        Searcher(settings, store).build(embed=False)
    finally:
        store.close()
    return settings


@pytest.fixture(scope="session")
def app(web_settings):
    return create_app(web_settings)


@pytest.fixture(scope="session")
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def live_url(web_settings):
    """A real uvicorn server in a thread, on 127.0.0.1 and a free port."""
    with live_server(web_settings) as url:
        yield url


def fixture_dir() -> Path:
    return Path(__file__).parent
