"""Helpers of the recommender tests (a uniquely named module): the 150 real arXiv papers of
``tests/fixtures/search/arxiv_150.jsonl`` (first listed 2026-03-01) and, six weeks earlier,
library papers made from some of them (same abstract, other title and id: a reader's older
papers)."""

from __future__ import annotations

import json
from pathlib import Path

from paperradar.ingest.snapshot import generic_record

FIXTURE = Path(__file__).parent.parent / "fixtures" / "search" / "arxiv_150.jsonl"
DAY = "2026-03-01"


def rows() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.open(encoding="utf-8")]


def library_id(n: int) -> str:
    return f"2601.{90000 + n:05d}"


def seed(store, library_of: tuple[int, ...] = (3, 40, 77)) -> dict[int, str]:
    """Import the candidates and a library paper per index of ``library_of`` (a rewording of
    that candidate: its abstract, with another title and id, published in January)."""
    data = rows()
    store.upsert_records([generic_record(r) for r in data])
    lib = {}
    for n in library_of:
        r = data[n]
        lib[n] = library_id(n)
        store.upsert_records([generic_record({
            "id": lib[n], "title": f"Earlier work {n}", "abstract": r["abstract"],
            "authors": ["Someone Else"], "first_listing_date": "2026-01-15"})])
    return lib
