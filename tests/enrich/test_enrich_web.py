"""Enrichment through the real app: keyphrases on cards and paper pages (escaped, linking
to topics), both keyword lists in the APIs, extracted summary labelled, "#N paper of the
day", author pages (hostile names, 5,000 papers paginated) and topic pages with feeds."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperradar.enrich.text import author_key
from paperradar.web.render.enrich import segment

from .conftest import HOSTILE_NAMES, LATEST, MANY, PROLIFIC, XSS

ATOM = "{http://www.w3.org/2005/Atom}"


def html(client, url: str, status: int = 200) -> str:
    r = client.get(url, headers={"accept": "text/html"})
    assert r.status_code == status, (url, r.status_code, r.text[:300])
    return r.text


def test_paper_page_keyphrases_escaped_and_linked(eclient):
    page = html(eclient, "/papers/2506.99911")
    assert XSS not in page and "<img src=x" not in page
    section = page[page.index('id="kp-h"'):]
    section = section[:section.index("</section>")]
    assert "extracted here" in section
    links = re.findall(r'<a href="(/topics/[^"]+)">([^<]+)</a>', section)
    assert links and any("Hostile Sparse Autoencoders (HSA)" == t for _, t in links)
    for href, _ in links[:3]:
        assert html(eclient, href).count('class="card"') >= 1


def test_paper_page_labels_sources_and_summary(eclient):
    hf = html(eclient, "/papers/2506.99912")  # has Hugging Face's summary and keywords
    assert "AI summary" in hf and "(from Hugging Face)" in hf and "HF&#39;s summary." in hf
    assert "Hugging Face's AI keywords are above" in hf
    assert "extracted from the abstract" not in hf  # HF's summary shown, not ours
    ours = html(eclient, "/papers/2506.99911")  # none from HF: the extracted one is shown
    assert "One-line summary" in ours and "not written by a model" in ours


def test_api_keeps_both_keyword_lists(eclient):
    body = eclient.get("/api/v1/papers/2506.99912").json()
    assert body["ai_keywords"] == ["sparse autoencoders", "residual stream"]
    assert body["keywords"] and body["keywords"] != body["ai_keywords"]
    assert body["summary_extracted"]
    hf = eclient.get("/api/papers/2506.99912").json()
    assert hf["ai_keywords"] == body["ai_keywords"] and hf["keywords"] == body["keywords"]
    assert hf["keywordsSource"] == "extracted"


def test_cards_show_keyphrases_and_author_links(eclient):
    page = html(eclient, f"/papers/date/{LATEST}")
    card = page[page.index('id="p-2506.99912"'):]
    card = card[:card.index("</article>")]
    assert 'class="keywords keyphrases"' in card and "/topics/" in card
    assert f'<a href="/authors/{quote(author_key(PROLIFIC), safe="")}">{PROLIFIC}</a>' in card
    page = html(eclient, "/papers/2506.99911")
    section = page[page.index('id="kp-h"'):]
    assert "img src" not in section[:section.index("</section>")]  # markup is no keyphrase


def test_day_rank_badge_matches_the_daily_list(eclient):
    order = re.findall(r'<article class="card" id="p-([^"]+)"', html(eclient, f"/papers/date/{LATEST}"))
    for n, pid in enumerate(order[:3] + order[-1:], start=1):
        n = order.index(pid) + 1
        assert f"#{n} paper of the day" in html(eclient, f"/papers/{pid.replace('-', '/')}")
    assert "paper of the day" not in html(eclient, "/papers/synthetic:00001")


@pytest.mark.parametrize("name", HOSTILE_NAMES + ["nobody at all", "a" * 5000, "%00", "\u202e"])
def test_author_names_give_a_page_or_404(eclient, name):
    r = eclient.get("/authors/" + segment(name), headers={"accept": "text/html"})
    assert r.status_code in (200, 404), (name, r.status_code)
    if r.status_code == 200:
        assert "same name share this page" in r.text
        assert "2506.99911" in r.text  # the hostile paper lists them all
        assert XSS not in r.text
    r = eclient.get("/feeds/author.atom", params={"name": name})
    assert r.status_code in (200, 404, 422), (name, r.status_code)


def test_every_author_link_on_a_paper_resolves(eclient):
    page = html(eclient, "/papers/2506.99911")
    authors = page[page.index('class="authors"'):]
    authors = authors[:authors.index("</p>")]
    hrefs = re.findall(r'href="([^"]+)"', authors)
    assert len(hrefs) == len(HOSTILE_NAMES)
    for href in hrefs:
        r = eclient.get(href.replace("&amp;", "&"), headers={"accept": "text/html"})
        assert r.status_code == 200, (href, r.status_code)  # no redirect: links are canonical


def test_author_with_5000_papers_paginates(eclient):
    base = "/authors/" + quote(author_key(PROLIFIC), safe="")
    first = html(eclient, base)
    assert f"{MANY + 1} papers" in first and first.count('class="card"') == 50
    assert "Ada Lovelace" in first.split("Frequent co-authors")[1].split("</ul>")[0]
    dates = re.findall(r'<time datetime="([^"]+)"', first)
    last_page = (MANY + 1 + 49) // 50
    tail = html(eclient, f"{base}?page={last_page}")
    assert tail.count('class="card"') == (MANY + 1) % 50 or tail.count('class="card"') == 50
    assert 'rel="next"' not in tail and 'rel="prev"' in tail
    assert html(eclient, f"{base}?page=10001", 422)
    r = eclient.get("/authors/PROLIFIC%20%20writer", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == base
    assert dates is not None


def test_topic_page_and_feed(eclient):
    page = html(eclient, "/topics/residual%20stream")
    ids = re.findall(r'<article class="card" id="p-([^"]+)"', page)
    assert ids[:2] == ["2506.99912", "2506.99911"]  # most upvoted first
    r = eclient.get("/topics/Residual%20Streams", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/topics/residual%20stream"
    feed = eclient.get("/feeds/topic.atom", params={"topic": "residual stream"})
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    assert len(root.findall(f"{ATOM}entry")) == len(ids)
    assert html(eclient, "/topics/no%20such%20topic%20here", 404)
    assert eclient.get("/feeds/topic.atom", params={"topic": "nothing"}).status_code == 404


def test_author_feed_is_atom(eclient):
    r = eclient.get("/feeds/author.atom", params={"name": PROLIFIC})
    assert r.status_code == 200
    entries = ET.fromstring(r.content).findall(f"{ATOM}entry")
    assert len(entries) == 50


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=320))
def test_any_author_or_topic_path_is_a_page_redirect_or_404(eclient, text):
    for prefix in ("/authors/", "/topics/"):
        r = eclient.get(prefix + segment(text), follow_redirects=False)
        assert r.status_code in (200, 308, 404), (prefix, text, r.status_code)
        if r.status_code == 308:  # one redirect to the canonical address, which answers
            again = eclient.get(r.headers["location"], follow_redirects=False)
            assert again.status_code == 200, (text, r.headers["location"], again.status_code)
