"""HTML pages through the real app: daily lists and navigation, trending, search, paper pages,
renditions, errors, and escaping of hostile imported text."""

from __future__ import annotations

import re

import pytest

from .conftest import LATEST, XSS


def html(client, url: str, status: int = 200) -> str:
    r = client.get(url, headers={"accept": "text/html"})
    assert r.status_code == status, (url, r.status_code, r.text[:300])
    return r.text


def test_home_shows_latest_day_sorted_by_upvotes(client):
    page = html(client, "/")
    assert "Daily Papers" in page and "Monday, 30 June 2025" in page
    votes = [int(v) for v in re.findall(r'aria-label="(\d+) upvotes', page)]
    assert len(votes) >= 5 and votes == sorted(votes, reverse=True)
    assert '/papers/2506.99902' in page  # a hand-made paper featured that day
    assert 'rel="prev" href="/papers/date/2025-06-27"' in page  # previous day with papers
    assert 'rel="next" href="/papers/date/' not in page  # nothing after the latest day


@pytest.mark.parametrize("url, label", [
    ("/papers/date/2025-06-27", "Friday, 27 June 2025"),
    ("/papers/week/2025-W26", "Week 26 of 2025"),
    ("/papers/month/2025-06", "June 2025"),
])
def test_periods_and_prev_next(client, url, label):
    page = html(client, url)
    assert label in page
    assert 'rel="prev"' in page or 'rel="next"' in page
    assert page.count('class="card"') >= 3


def test_day_navigation_links_follow(client):
    page = html(client, "/papers/date/2025-06-27")
    nxt = re.search(r'rel="next" href="([^"]+)"', page).group(1)
    assert nxt == f"/papers/date/{LATEST}"
    assert "Monday, 30 June 2025" in html(client, nxt)


def test_empty_and_bad_periods(client):
    assert "No papers were featured" in html(client, "/papers/date/2001-01-01")
    for bad in ("/papers/date/2025-02-30", "/papers/week/2025-W54", "/papers/month/2025-13",
                "/papers/date/yesterday"):
        assert "Bad request" in html(client, bad, 400)


def test_card_contents(client):
    page = html(client, f"/papers/date/{LATEST}")
    card = page[page.index('id="p-2506.99902"'):]
    card = card[:card.index("</article>")]
    for needle in ('<a href="/authors/ada%20lovelace">Ada Lovelace</a>, '
                   '<a href="/authors/alan%20turing">Alan Turing</a>', "submitted by", "ada", "★</span> 42",
                   "https://github.com/example/sorting", "cs.DS", 'aria-label="7 upvotes',
                   '>0 comments<', '<li>2 at the source</li>',  # not HF: no link to it
                   '<details class="summary"><summary class="math">A summary.</summary>'):
        assert needle in card, needle


def test_trending(client):
    page = html(client, "/papers/trending")
    assert page.count('class="card"') >= 5
    assert "Bad request" in html(client, "/papers/trending?window=year", 400)


def test_search_highlights_filters_pagination_and_help(client):
    page = html(client, "/search?q=video")
    assert "<mark>" in page and "results" in page
    assert 'href="/feeds/search.atom?q=video"' in page  # autodiscovery of this search's feed
    few = html(client, "/search?q=sorting&has_code=1")
    assert "2506.99902" in few
    assert "2506.99902" in html(client, "/search?category=cs.DS")
    assert "2506.99902" not in html(client, "/search?q=sorting&category=hep-th")
    none = html(client, "/search?q=zzqqxxnonexistentword")
    assert "No papers match" in none and "Check the spelling" in none
    first = html(client, "/search?q=model")
    assert 'rel="next" href="/search?q=model&amp;page=2"' in first
    assert 'rel="prev"' in html(client, "/search?q=model&page=2")


def test_paper_page(client):
    page = html(client, "/papers/2506.99902")
    for needle in ("Ada Lovelace", "https://arxiv.org/abs/2506.99902", "https://arxiv.org/pdf/2506.99902",
                   "Code ★ 42", "AI summary", "sorting", "v1 — 2025-06-28", "v2 — 2025-06-29",
                   "10.1000/xyz123", "@misc{", "katex.min.js", "Similar papers", 'id="comments"'):
        assert needle in page, needle
    assert page.count("<p>") >= 2  # abstract paragraphs kept
    assert "/static/katex/" in page and "cdn" not in page.lower()


def test_old_style_id_and_versioned_redirect(client):
    assert "Strings on old-style identifiers" in html(client, "/papers/hep-th/9901001")
    assert "Strings on old-style" in client.get("/papers/hep-th/9901001.md").text
    r = client.get("/papers/2506.99902v2", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/papers/2506.99902"
    html(client, "/papers/2506.00000", 404)
    html(client, "/papers/not an id", 404)


def test_renditions(client):
    md = client.get("/papers/2506.99902.md")
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("# Bounds on") and "```bibtex" in md.text
    assert client.get("/papers/2506.99902.bib").text.startswith("@misc{")
    assert "TY  - ELEC" in client.get("/papers/2506.99902.ris").text
    as_json = client.get("/papers/2506.99902", headers={"accept": "application/json"}).json()
    assert as_json["id"] == "2506.99902" and as_json["upvotes"] == 7
    day = client.get(f"/papers/date/{LATEST}", headers={"accept": "application/json"}).json()
    assert day["info"]["prev"] == "2025-06-27" and "2506.99902" in [p["id"] for p in day["items"]]


def test_opensearch_and_autodiscovery(client):
    r = client.get("/opensearch.xml")
    assert r.headers["content-type"].startswith("application/opensearchdescription+xml")
    assert "/search?q={searchTerms}" in r.text
    page = html(client, "/")
    assert 'rel="search" type="application/opensearchdescription+xml"' in page
    assert 'type="application/atom+xml"' in page


def test_hostile_text_is_inert_everywhere(client):
    urls = ["/", f"/papers/date/{LATEST}", "/papers/2506.99901", "/search?q=hostile",
            "/papers/trending?window=month", "/search?q=" + XSS]
    for url in urls:
        page = html(client, url)
        assert "<script>alert" not in page and "<img src=x" not in page and "<svg onload" not in page, url
        assert "<b>title</b>" not in page
    page = html(client, "/papers/2506.99901")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_access_log_is_json(client, caplog):
    import json
    import logging

    with caplog.at_level(logging.INFO, logger="paperradar.access"):
        client.get("/healthz")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "paperradar.access"]
    assert lines and lines[-1]["path"] == "/healthz" and lines[-1]["status"] == 200


def test_head_answers_like_get_without_body(client):
    for url in ("/", "/api/daily_papers", "/papers/2506.99902", "/feeds/daily.atom"):
        get, head = client.get(url), client.head(url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers["content-length"] == get.headers["content-length"]
    assert client.head("/papers/2506.00000").status_code == 404
