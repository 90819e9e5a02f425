"""Atom feeds validated with feedparser; BibTeX with bibtexparser; RIS with rispy."""

from __future__ import annotations

import bibtexparser
import feedparser
import pytest
import rispy

from .conftest import LATEST

FEEDS = ["/feeds/daily.atom", f"/feeds/daily.atom?date={LATEST}", "/feeds/daily.atom?week=2025-W26",
         "/feeds/daily.atom?month=2025-06", "/feeds/trending.atom", "/feeds/trending.atom?window=month",
         "/feeds/search.atom?q=video", "/feeds/search.atom?q=sorting&has_code=1",
         "/feeds/category/cs.DS.atom", "/feeds/category/hep-th.atom", "/feeds/search.atom?q=hostile"]


@pytest.mark.parametrize("url", FEEDS)
def test_atom_feeds_parse_cleanly(client, url):
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title and feed.entries, url
    for e in feed.entries:
        assert e.title and e.link.startswith("http://127.0.0.1:8000/papers/") and e.id and e.updated
    assert "<script>" not in r.text


def test_hostile_entry_is_escaped_in_feed(client):
    feed = feedparser.parse(client.get("/feeds/search.atom?q=hostile").content)
    entry = next(e for e in feed.entries if e.link.endswith("2506.99901"))
    assert entry.title.startswith("<script>alert(1)</script>")  # as text, not markup
    assert "&lt;script&gt;" in client.get("/feeds/search.atom?q=hostile").text


def test_category_feed_contents(client):
    feed = feedparser.parse(client.get("/feeds/category/cs.DS.atom").content)
    assert [e.link.rsplit("/", 1)[1] for e in feed.entries] == ["2506.99902"]
    assert {t.term for t in feed.entries[0].tags} == {"cs.DS", "math.CO"}


def test_bad_feed_requests(client):
    assert client.get("/feeds/daily.pdf").status_code == 404
    assert client.get("/feeds/daily.atom?date=2025-02-30").status_code == 400
    assert client.get("/feeds/daily.atom?date=2025-06-30&week=2025-W26").status_code == 400
    assert client.get("/feeds/search.atom").status_code == 400


def _bib(text: str):
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks, [b.error for b in lib.failed_blocks]
    return lib.entries


def test_bibtex_for_a_paper_and_lists(client):
    [entry] = _bib(client.get("/papers/2506.99902.bib").text)
    fields = {f.key: f.value for f in entry.fields}
    assert entry.entry_type == "misc" and fields["eprint"] == "2506.99902"
    assert fields["author"] == "Ada Lovelace and Alan Turing" and fields["year"] == "2025"
    assert fields["doi"] == "10.1000/xyz123"
    assert "\\mathcal{O}" in fields["title"]
    entries = _bib(client.get(f"/feeds/daily.bib?date={LATEST}").text)
    keys = [e.key for e in entries]
    assert len(entries) >= 5 and len(set(keys)) == len(keys)
    hostile = _bib(client.get("/papers/2506.99901.bib").text)
    assert hostile[0]["title"].startswith("<script>")
    assert len(_bib(client.get("/feeds/search.bib?q=model").text)) >= 10


def test_ris_for_a_paper_and_lists(client):
    [rec] = rispy.loads(client.get("/papers/2506.99902.ris").text)
    assert rec["type_of_reference"] == "ELEC" and rec["title"].startswith("Bounds on")
    assert rec["authors"] == ["Ada Lovelace", "Alan Turing"] and rec["doi"] == "10.1000/xyz123"
    assert rec["urls"] == ["https://arxiv.org/abs/2506.99902"]
    records = rispy.loads(client.get("/feeds/trending.ris?window=month").text)
    assert len(records) >= 5 and all(r["title"] for r in records)
