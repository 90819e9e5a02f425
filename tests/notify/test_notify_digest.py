"""Digest composition from real fixture papers, delivered through a real SMTP server and parsed
with the ``email`` package: headers, both parts, sections, escaping, links against the app."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from notify_helpers import active
from fastapi.testclient import TestClient

from paperradar.models import Author, DailyEntry, Paper, Record
from paperradar.notify.digest import build_digest
from paperradar.notify.mail import Mailer
from paperradar.notify.runner import make_searcher
from paperradar.notify.schedule import latest_period
from paperradar.web.app import create_app

AT = datetime(2025, 6, 30, 9, 0, tzinfo=timezone.utc)  # a Monday; fixtures cover Jun 26-30


def _digest(settings, store, sub, at=AT):
    sub, _ = store.add_subscriber(sub)
    period = latest_period(sub, at)
    return sub, period, build_digest(settings, store, make_searcher(settings, store), sub, period, at)


def _deliver(settings, smtp, msg):
    with Mailer(settings) as m:
        assert m.send(msg, kind="digest").ok
    (got,) = smtp.received(str(msg["To"]))
    return got


def test_trending_digest_headers_and_parts(digest_settings, papers_store, smtp):
    sub, period, msg = _digest(digest_settings, papers_store, active("ann@example.org"))
    assert period.key == "daily:2025-06-30"
    got = _deliver(digest_settings, smtp, msg)
    assert got.get_content_type() == "multipart/alternative"
    assert got["Date"] and got["To"] == "ann@example.org"
    assert re.fullmatch(rf"<digest\.daily\.2025-06-30\.{sub.id}\.[0-9a-f]{{16}}@papers\.example>",
                        got["Message-ID"])
    # the Message-ID is derived from subscriber and period: composing again gives the same one
    assert _digest(digest_settings, papers_store, sub)[2]["Message-ID"] == got["Message-ID"]
    https, mailto = [u.strip(" <>") for u in got["List-Unsubscribe"].split(",")]
    assert https.startswith("https://papers.example/unsubscribe/")
    assert mailto.startswith("mailto:digest@papers.example?subject=unsubscribe")
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = got.get_body(("plain",)).get_content()
    html = got.get_body(("html",)).get_content()
    assert "== Trending today ==" in text
    # the top trending paper of the fixture days, with authors, abstract and links
    assert "BlenderFusion: 3D-Grounded Visual Editing and Generative Compositing" in text
    assert "Jiacheng Chen" in text and "https://arxiv.org/abs/2506.17450" in text
    assert "We present BlenderFusion" in html and 'href="https://papers.example/papers/2506.17450"' in html
    for part in (text, html):
        assert https in part and "https://papers.example/subscription/" in part


def test_topics_through_search(digest_settings, papers_store, smtp):
    at = datetime(2026, 3, 6, 10, 0, tzinfo=timezone.utc)  # Friday; fixture arXiv days 5, 6, 9
    sub = active("topics@example.org", trending=False, categories=["cs.CV"],
                 queries=["diffusion"], authors=["Alberto Tono"])
    _, period, msg = _digest(digest_settings, papers_store, sub, at)
    assert (period.date_from, period.date_to) == ("2026-03-05", "2026-03-06")
    text = _deliver(digest_settings, smtp, msg).get_body(("plain",)).get_content()
    sections = re.findall(r"^== (.+?) ==\r?$", text, re.M)
    assert sections[0] == "New in cs.CV" and "By Alberto Tono" in sections
    searcher = make_searcher(digest_settings, papers_store)
    expected = searcher.search("", category="cs.CV", date_from="2026-03-05", date_to="2026-03-06",
                               limit=5)
    assert expected.hits and all(h.title.split()[0] in text for h in expected.hits)
    ids = re.findall(r"https://papers\.example/papers/(\S+)", text)
    assert len(ids) == len(set(ids))  # no paper twice
    for pid in ids:
        p = papers_store.get_paper(pid)
        assert "2026-03-05" <= p.published[:10] <= "2026-03-06"


def test_nothing_to_say_is_none(digest_settings, papers_store):
    quiet = datetime(2026, 1, 14, 9, 0, tzinfo=timezone.utc)
    _, _, msg = _digest(digest_settings, papers_store,
                        active("q@example.org", categories=["cs.CV"]), quiet)
    assert msg is None


def test_hostile_titles_are_inert(digest_settings, papers_store, smtp):
    evil = Paper(id="2506.99999", title='<script>alert("t")</script><img src=x onerror=alert(1)>',
                 abstract="</p><script>steal()</script> & more", published="2025-06-29",
                 authors=[Author('<b onmouseover="x()">Mallory</b>')])
    papers_store.upsert_records([Record(evil, DailyEntry(paper_id=evil.id, date="2025-06-30",
                                                         upvotes=999))])
    _, _, msg = _digest(digest_settings, papers_store, active("x@example.org"))
    got = _deliver(digest_settings, smtp, msg)
    html = got.get_body(("plain",)).get_content(), got.get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in html[1]
    assert "<script" not in html[1] and "<img" not in html[1] and "<b " not in html[1]
    assert '<script>alert("t")</script>' in html[0]  # plain text stays literal (no markup there)


def test_links_work_against_the_app(digest_settings, papers_store, smtp):
    sub, _, msg = _digest(digest_settings, papers_store, active("links@example.org"))
    got = _deliver(digest_settings, smtp, msg)
    text = got.get_body(("plain",)).get_content()
    unsub = re.search(r"Unsubscribe: (\S+)", text).group(1)
    manage = re.search(r"Manage your preferences: (\S+)", text).group(1)
    paper = re.search(r"https://papers\.example/papers/\S+", text).group(0)
    with TestClient(create_app(digest_settings), base_url="https://papers.example") as client:
        assert client.get(paper).status_code == 200
        assert client.get(manage).status_code == 200
        page = client.get(unsub)
        assert page.status_code == 200 and "<form" in page.text
        assert papers_store.get_subscriber(sub.id).status == "active"  # GET changes nothing
        r = client.post(unsub, data={"List-Unsubscribe": "One-Click"}, follow_redirects=False)
        assert r.status_code == 200
    assert papers_store.get_subscriber(sub.id).status == "unsubscribed"


def test_recommendations_from_upvotes(digest_settings, papers_store, smtp):
    from paperradar.web.security import Passwords

    at = datetime(2026, 3, 6, 10, 0, tzinfo=timezone.utc)
    user = papers_store.create_user("fan@example.org", "fan", Passwords(digest_settings.model_copy(
        update={"argon2_time_cost": 1, "argon2_memory_cost": 1024, "argon2_parallelism": 1}
    )).hash("pw-long-enough-1"), verified=True)
    seed = "2603.04405"  # a cs.CV paper of 2026-03-05 in the fixture
    papers_store.set_vote(user.id, seed, True)
    sub = active("fan@example.org", user_id=user.id, trending=False, recommendations=True)
    _, period, msg = _digest(digest_settings, papers_store, sub, at)
    text = _deliver(digest_settings, smtp, msg).get_body(("plain",)).get_content()
    assert "== Recommended for you ==" in text
    ids = re.findall(r"https://papers\.example/papers/(\S+)", text)
    assert ids and seed not in ids
    # the same ranking as the "For you" page (issue 11: one recommender for page, API, mail)
    from paperradar.rank.foryou import recommend_user

    expected = [i.paper.id for i in recommend_user(
        papers_store, digest_settings, user.id, since=period.date_from, until=period.date_to,
        limit=digest_settings.digest_topic_limit).items]
    assert ids == expected
    # without an account (or with the option off) there is no such section
    plain = active("nofan@example.org", trending=False, recommendations=True)
    assert _digest(digest_settings, papers_store, plain, at)[2] is None
