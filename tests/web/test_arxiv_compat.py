"""The ``arxiv`` PyPI client pointed at this server's ``/api/query``."""

from __future__ import annotations

import arxiv
import httpx
import pytest


@pytest.fixture(scope="module")
def client(live_url):
    c = arxiv.Client(page_size=10, delay_seconds=0, num_retries=0)
    c.query_url_format = f"{live_url}/api/query?{{}}"
    return c


def test_id_list(client):
    results = list(client.results(arxiv.Search(id_list=["2506.99902v2", "hep-th/9901001"])))
    assert [r.get_short_id() for r in results] == ["2506.99902v2", "hep-th/9901001v1"]
    math = results[0]
    assert math.title.startswith("Bounds on") and [a.name for a in math.authors] == ["Ada Lovelace", "Alan Turing"]
    assert math.primary_category == "cs.DS" and math.categories == ["cs.DS", "math.CO"]
    assert math.doi == "10.1000/xyz123" and math.comment == "10 pages"
    assert math.pdf_url == "https://arxiv.org/pdf/2506.99902"
    assert math.published.year == 2025 and math.updated.day == 29


def test_search_query_paginates(client):
    results = list(client.results(arxiv.Search(query="all:model", max_results=25)))
    assert len(results) == 25 and len({r.entry_id for r in results}) == 25
    hits = list(client.results(arxiv.Search(query='ti:sorting AND au:lovelace')))
    assert [r.get_short_id() for r in hits] == ["2506.99902v2"]
    assert list(client.results(arxiv.Search(query="ti:sorting ANDNOT au:lovelace"))) == []


def test_category_listing_sorted(client):
    search = arxiv.Search(query="cat:hep-th", sort_by=arxiv.SortCriterion.SubmittedDate)
    assert [r.get_short_id() for r in client.results(search)] == ["hep-th/9901001v1"]


def test_errors_are_arxiv_error_feeds(live_url):
    for params in ({"id_list": "abc"}, {"start": "x"}, {"max_results": "99999"},
                   {"search_query": "all:x", "sortBy": "nope"}):
        r = httpx.get(f"{live_url}/api/query", params=params)
        assert r.status_code == 400 and "<title>Error</title>" in r.text, params
    posted = httpx.post(f"{live_url}/api/query", data={"id_list": "2506.99902", "max_results": "5"})
    assert posted.status_code == 200 and "Bounds on" in posted.text  # arXiv accepts POST too
    empty = httpx.get(f"{live_url}/api/query")
    assert empty.status_code == 200 and "<opensearch:totalResults>0<" in empty.text
