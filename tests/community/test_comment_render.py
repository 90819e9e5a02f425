"""Comments are rendered once, at write time (stored with the renderer version), re-rendered
when the renderer changes, bounded in cost, and long discussions are paginated."""

from __future__ import annotations

import re
import time

from community_fixtures import ORIGIN, add_papers, logged_in
from paperradar.web.community.text import MAX_BRACKETS, RENDERER_VERSION, render_comment

PAPER = "2611.00001"


def _post(c, body, **extra):
    return c.post(f"/api/papers/{PAPER}/comments", json={"body": body, **extra}, headers=ORIGIN)


def test_comment_html_is_stored_at_write_time_and_served_from_the_store(app, cstore):
    add_papers(cstore, 1)
    c = logged_in(app, cstore, "writer@example.org")
    r = _post(c, "Hello *world*")
    assert r.status_code == 201 and r.json()["html"] == "<p>Hello <em>world</em></p>\n"
    (row,) = cstore.list_comments(PAPER)
    assert row.html == render_comment("Hello *world*") and row.html_version == RENDERER_VERSION
    # The page shows what the store holds (no render on view): swap in a marker and look.
    cstore.set_comment_html([(row.id, row.body, "<p>from-the-store</p>", RENDERER_VERSION)])
    assert "from-the-store" in c.get(f"/papers/{PAPER}").text
    assert c.get(f"/api/papers/{PAPER}/comments").json()["comments"][0]["html"] == \
        "<p>from-the-store</p>"
    # Editing renders (and stores) the new body.
    edited = c.patch(f"/api/comments/{row.id}", json={"body": "Now **bold**"}, headers=ORIGIN)
    assert edited.status_code == 200
    assert cstore.get_comment(row.id).html == "<p>Now <strong>bold</strong></p>\n"


def test_comments_from_an_older_renderer_are_re_rendered_once(app, cstore):
    add_papers(cstore, 1)
    c = logged_in(app, cstore, "old@example.org")
    cid = _post(c, "Text with `code`").json()["id"]
    old = cstore.get_comment(cid)
    cstore.set_comment_html([(cid, old.body, "<p>stale</p>", RENDERER_VERSION - 1)])
    page = c.get(f"/papers/{PAPER}").text
    assert "stale" not in page and "<code>code</code>" in page
    fresh = cstore.get_comment(cid)
    assert fresh.html_version == RENDERER_VERSION and "<code>code</code>" in fresh.html
    # A body changed meanwhile is never overwritten by HTML rendered from the old body.
    assert cstore.set_comment_html([(cid, "another body", "<p>x</p>", RENDERER_VERSION)]) == 0


def test_render_cost_is_bounded(app, cstore):
    add_papers(cstore, 1)
    c = logged_in(app, cstore, "hostile@example.org")
    r = _post(c, "[\n" * 5000)  # rendered in ~450 ms before
    assert r.status_code == 422 and "'['" in r.json()["detail"]
    assert _post(c, "*a" * 2000).status_code == 422
    worst = "[\n" * MAX_BRACKETS + "*a" * 500 + "_a" * 490
    started = time.perf_counter()
    assert _post(c, worst).status_code == 201
    assert time.perf_counter() - started < 1.0  # write-time render, generous for a busy CI box


def test_long_discussions_are_paginated(app, cstore, csettings):
    add_papers(cstore, 1)
    c = logged_in(app, cstore, "chatty@example.org")
    user = cstore.get_user_by_email("chatty@example.org")
    for i in range(120):
        cstore.add_comment(PAPER, user.id, f"comment number {i}")  # no HTML yet (as after 0008)
    page1 = c.get(f"/papers/{PAPER}").text
    assert len(re.findall(r'<article class="comment', page1)) == 50
    assert "Page 1 of 3" in page1 and 'href="?cpage=2#comments"' in page1
    page3 = c.get(f"/papers/{PAPER}?cpage=3").text
    assert len(re.findall(r'<article class="comment', page3)) == 20
    assert "comment number 119" in page3 and "comment number 0<" not in page3
    api = c.get(f"/api/papers/{PAPER}/comments", params={"page": 2, "per_page": 100}).json()
    assert api["page"] == 2 and api["pages"] == 2 and len(api["comments"]) == 20
    assert api["count"] == 120
    # Only the pages shown were rendered and stored.
    rendered = [x for x in cstore.list_comments(PAPER) if x.html_version == RENDERER_VERSION]
    assert len(rendered) == 70  # entries 0-49 and 100-119 (the API page 2 is the same 20)


def test_old_hostile_comments_cost_a_bounded_render_and_are_shown_as_text(app, cstore):
    add_papers(cstore, 1)
    c = logged_in(app, cstore, "legacy@example.org")
    user = cstore.get_user_by_email("legacy@example.org")
    for _ in range(23):  # written before the limits (as the attack), never rendered
        cstore.add_comment(PAPER, user.id, "[\n" * 5000)
    started = time.perf_counter()
    page = c.get(f"/papers/{PAPER}")
    took = time.perf_counter() - started
    assert page.status_code == 200 and page.text.count("[<br>") >= 23 * 100
    assert took < 3.0, took  # 23 Markdown renders of these took ~10 s
    assert all(x.html_version == RENDERER_VERSION for x in cstore.list_comments(PAPER))
