"""Enrichment fixtures: one database per session and backend (the last demo days, hand-made
papers with hostile author names and an author with 5,000 papers), enriched by the real
indexing step, and the app over it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from paperradar.config import Settings
from paperradar.demo import extract_demo
from paperradar.enrich.build import enrich_new
from paperradar.ingest.files import import_paths
from paperradar.models import Author, DailyEntry, Paper, Record
from paperradar.store import open_store
from paperradar.web.app import create_app
from pg_server import BACKENDS, shared_server

LATEST = "2025-06-30"
XSS = "<script>alert(1)</script>"
PROLIFIC = "Prolific Writer"
MANY = 5_000
HOSTILE_NAMES = ["A/B Slash", 'Quote "Q" O\'Neil', "王小明", "Ünïcödé Name", "x" * 300,
                 "back\\slash", "percent %2F name", "..", "a?b#c"]


def extra_records() -> list[Record]:
    hostile = Paper(
        id="2506.99911", title=f"{XSS} Sparse Autoencoders for <b>Hostile</b> Detection",
        abstract=("We introduce Hostile Sparse Autoencoders (HSA), a method for detecting "
                  f"<img src=x onerror=alert(2)> {XSS} payloads. HSA uses sparse autoencoders "
                  "over residual streams. Sparse autoencoders detect payloads quickly."),
        authors=[Author(n) for n in HOSTILE_NAMES], published="2025-06-29T10:00:00Z",
        categories=["cs.CR"], primary_category="cs.CR", sources=["test"])
    kw = Paper(
        id="2506.99912", title="Residual Stream Probing with Sparse Autoencoders",
        abstract="We present a probing method for residual streams of transformers using "
                 "sparse autoencoders. Residual stream probes reveal features.",
        authors=[Author("Ada Lovelace"), Author(PROLIFIC)], published="2025-06-28T09:00:00Z",
        categories=["cs.LG"], primary_category="cs.LG", sources=["test"])
    records = [
        Record(hostile, DailyEntry(hostile.id, LATEST, upvotes=1, source="test")),
        Record(kw, DailyEntry(kw.id, LATEST, upvotes=2, ai_summary="HF's summary.",
                              ai_keywords=["sparse autoencoders", "residual stream"],
                              source="test")),
    ]
    for i in range(MANY):
        month, day = 1 + i % 12, 1 + i % 28
        records.append(Record(Paper(
            id=f"synthetic:{i:05d}", title=f"Synthetic study number {i} of graph kernels",
            abstract=f"We study graph kernels, case {i}.", authors=[Author(PROLIFIC)],
            published=f"2020-{month:02d}-{day:02d}T00:00:{i % 60:02d}Z", sources=["test"])))
    return records


@pytest.fixture(scope="session", params=BACKENDS)
def enrich_settings(request, tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("enrich")
    url = ""
    if request.param == "postgres":
        url = shared_server().create_database()
        request.addfinalizer(lambda: shared_server().drop_database(url))
    settings = Settings(data_dir=root / "data", env="test", database_url=url)
    store = open_store(settings.resolved_database_url)
    try:
        report = import_paths(store, extract_demo(root / "days", last_days=3))
        assert not report.errors, report.errors
        store.upsert_records(extra_records())
        out = enrich_new(store)
        assert out["enriched"] == store.count_papers()
    finally:
        store.close()
    return settings


@pytest.fixture(scope="session")
def eclient(enrich_settings):
    with TestClient(create_app(enrich_settings)) as c:
        yield c
