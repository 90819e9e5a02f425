"""Fixtures for search tests: a real arXiv sample, hand-made papers, the real MiniLM
(loaded once per session)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperradar.config import Settings
from paperradar.models import Author, DailyEntry, Link, Paper, Record
from paperradar.search import Searcher

FIXTURE = Path(__file__).parent.parent / "fixtures" / "search" / "arxiv_150.jsonl"


def arxiv_records(n: int = 150) -> list[Record]:
    out = []
    with open(FIXTURE, encoding="utf-8") as fh:
        for line in list(fh)[:n]:
            d = json.loads(line)
            out.append(Record(Paper(id=d["id"], title=d["title"], abstract=d["abstract"],
                                    authors=[Author(a) for a in d["authors"]],
                                    categories=d["categories"],
                                    primary_category=d["categories"][0],
                                    published=d["first_listing_date"])))
    return out


def hand_records() -> list[Record]:
    """Papers built so that field weights, filters and sorts have one right answer."""
    def p(pid, title, abstract, authors, cats, day, code=False, votes=None):
        paper = Paper(id=pid, title=title, abstract=abstract,
                      authors=[Author(a) for a in authors], categories=cats,
                      primary_category=cats[0], published=day,
                      links=[Link("https://github.com/x/y", "code")] if code else [])
        daily = DailyEntry(paper_id=pid, date=day, upvotes=votes) if votes is not None else None
        return Record(paper, daily)

    return [
        p("2401.00001", "Zebrafish regeneration atlas", "We map cell states in fins.",
          ["Ada Lovelace"], ["q-bio.CB"], "2024-01-05", votes=3),
        p("2401.00002", "Cell states in fins", "A zebrafish study of regeneration.",
          ["Alan Turing"], ["q-bio.CB"], "2024-02-05", code=True, votes=40),
        p("2401.00003", "Fin imaging methods", "Microscopy of fins over time.",
          ["Grace Zebrafish"], ["physics.optics"], "2024-03-05", votes=12),
        p("2301.00004", "Graph neural networks for molecules", "Message passing on molecules.",
          ["Geoffrey Hinton", "Yann LeCun"], ["cs.LG", "q-bio.BM"], "2023-06-01", code=True),
        p("2301.00005", "Transformers for protein folding", "Attention over residues.",
          ["Geoffrey Everest"], ["cs.LG"], "2023-09-01"),
        p("2201.00006", "Large language models are few-shot learners", "Scaling language models.",
          ["Tom Brown"], ["cs.CL"], "2022-05-01", code=True),
        p("2201.00007", "Language of large models", "Models that are large use language.",
          ["Jane Doe"], ["cs.CL"], "2022-07-01"),
    ]


@pytest.fixture
def hand_searcher(settings: Settings, store) -> Searcher:
    store.upsert_records(hand_records())
    s = Searcher(settings, store)
    s.sync_lexical()
    return s


@pytest.fixture
def arxiv_searcher(settings: Settings, store) -> Searcher:
    store.upsert_records(arxiv_records())
    s = Searcher(settings, store)
    s.sync_lexical()
    return s


@pytest.fixture(scope="session")
def embedder():
    """The real bundled all-MiniLM-L6-v2 (checksum verified), loaded once."""
    from paperradar.search.embed import load_embedder

    return load_embedder(Settings(env="test", embed_threads=1))
