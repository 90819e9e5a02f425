"""The index build's lean path (``store.iter_changed_index_fields``, ``fields_document``,
``count_title_words``) indexes exactly what the paper-object path did: the same tuples from
the feed on both backends, the same tantivy documents as the original document builder
(kept here as the reference), the same title-word counts."""

from __future__ import annotations

from collections import Counter

import tantivy

from paperradar.models import Author, IndexFields, Link, Paper, Record
from paperradar.search.lexical_schema import day_number, fields_document, paper_key
from paperradar.search.spelling import count_title_words, paper_words
from tests.search.conftest import arxiv_records, hand_records


def reference_document(p: Paper) -> tantivy.Document:
    """The document builder as it was before the lean path (one ``add_*`` call per value)."""
    doc = tantivy.Document()
    doc.add_text("id", p.id)
    doc.add_integer("key", paper_key(p.id))
    doc.add_text("title", p.title or "")
    doc.add_text("text", f"{p.title or ''}\n{p.abstract or ''}")
    for a in p.authors:
        doc.add_text("authors", a.name)
    cats = set()
    for c in p.categories or ([p.primary_category] if p.primary_category else []):
        c = c.lower()
        cats.add(c)
        cats.add(c.split(".")[0])
    for c in sorted(cats):
        doc.add_text("cats", c)
    if p.doi:
        doc.add_text("doi", p.doi.strip().lower())
    doc.add_integer("day", day_number(p.published))
    doc.add_integer("has_code", int(p.has_code))
    return doc


def odd_records() -> list[Record]:
    """Shapes the common path does not show: no authors, no categories but a primary one,
    neither, a DOI with spaces and capitals, a code link among others, an empty title,
    non-ASCII words, a title repeating a word."""
    return [
        Record(Paper(id="1901.00001", title="", abstract="Only an abstract.")),
        Record(Paper(id="1901.00002", title="Primary Only", primary_category="Math.AG",
                     doi="  10.1000/ABC.Def  ", published="2024-01-02T10:00:00Z")),
        Record(Paper(id="jsonl:x y", title="Über Straße naïve naïve model model Model",
                     abstract="", authors=[Author("Zoë Ångström", ["KTH"]), Author("李 雷")],
                     categories=["cs.CL", "cs.LG", "stat.ML"],
                     links=[Link("https://example.org/p", "project"),
                            Link("https://github.com/a/b", "code")],
                     published="bad date")),
    ]


def test_feed_for_the_index_equals_the_papers_feed(store) -> None:
    store.upsert_records(arxiv_records(40) + hand_records() + odd_records())
    lean = list(store.iter_changed_index_fields(0, batch=7))
    full = [(seq, IndexFields.of(p)) for seq, p in store.iter_changed_papers(0, batch=7)]
    assert len(lean) == store.count_papers() and lean == full
    assert [s for s, _ in store.iter_changed_index_fields(lean[5][0])] == [s for s, _ in lean[6:]]
    assert list(store.iter_changed_index_fields(store.max_seq())) == []
    by_id = {f.id: f for _, f in lean}
    assert by_id["jsonl:x y"].has_code and not by_id["1901.00002"].has_code
    assert by_id["jsonl:x y"].authors == ["Zoë Ångström", "李 雷"]


def test_documents_and_title_words_equal_the_reference() -> None:
    papers = [r.paper for r in arxiv_records(150) + hand_records() + odd_records()]
    for p in papers:
        assert fields_document(IndexFields.of(p)).to_dict() == reference_document(p).to_dict()
    expected: Counter = Counter()
    for p in papers:
        expected.update(paper_words(p.title or "", ""))
    got: Counter = Counter()
    count_title_words([p.title or "" for p in papers[:70]], got)
    count_title_words([p.title or "" for p in papers[70:]], got)
    assert got == expected and got["naïve"] == 1 and got["über"] == 1
