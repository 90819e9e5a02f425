"""XSS corpus: hostile comments and hostile imported titles/abstracts/submitter names render
inert on every page, feed and export that shows them (checked by parsing the HTML: no
script elements but the site's own, no event-handler attributes, no javascript: URLs)."""

from __future__ import annotations

from html.parser import HTMLParser

import feedparser
import pytest

from community_fixtures import ORIGIN, add_papers, logged_in

CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg/onload=alert(3)>",
    '"><script>alert(4)</script>',
    "'><a href=javascript:alert(5)>x</a>",
    "[click](javascript:alert(6))",
    "[click](JaVaScRiPt:alert(7))",
    '<a href="data:text/html,<script>alert(8)</script>">d</a>',
    "<iframe src=//evil.example></iframe>",
    '<details open ontoggle=alert(9)>',
    "<style>body{display:none}</style>",
    "`<script>alert(10)</script>`",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(11)>",
    "{{ 7*7 }}{% raw %}",
    "![x](javascript:alert(12))",
    '<form action="https://evil.example"><input name=csrf_token></form>',
]


class Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and not (a.get("src") or "").startswith("/static/"):
            self.problems.append(f"script {attrs}")
        if tag in ("iframe", "svg", "math", "style", "img", "object", "embed"):
            self.problems.append(f"<{tag}>")
        if tag == "form" and (a.get("action") or "/").startswith(("http", "//")):
            self.problems.append(f"form {attrs}")
        for k, v in attrs:
            if k.startswith("on"):
                self.problems.append(f"{tag} {k}={v}")
            if k in ("href", "src", "action") and v and v.strip().lower().startswith(
                    ("javascript:", "data:", "vbscript:")):
                self.problems.append(f"{tag} {k}={v}")


def audit(html: str) -> list[str]:
    a = Audit()
    a.feed(html)
    return a.problems


@pytest.fixture
def hostile(app, cstore):
    title = " ".join(CORPUS[:5])
    add_papers(cstore, 1, title=title, abstract=" ".join(CORPUS), upvotes=3)
    c = logged_in(app, cstore, "mallory@example.org", name="mallory")
    uid = cstore.get_user_by_name("mallory").id
    for body in CORPUS:
        cstore.rate_limit_clear(f"comment:user:{uid}")
        assert c.post("/api/papers/2611.00001/comments", json={"body": body},
                      headers=ORIGIN).status_code == 201
    coll = c.post("/api/collections", json={"name": CORPUS[0], "public": True},
                  headers=ORIGIN).json()["id"]
    c.put(f"/api/collections/{coll}/papers/2611.00001", headers=ORIGIN)
    return c, coll


def test_hostile_content_inert_on_pages(client, hostile, cstore):
    c, coll = hostile
    pages = ["/", "/papers/2611.00001", "/papers/trending", "/users/mallory",
             "/users/mallory?tab=comments", f"/collections/{coll}",
             "/papers/date/2026-11-01"]
    for viewer in (client, c):
        for path in pages:
            r = viewer.get(path)
            assert r.status_code == 200, (path, r.status_code)
            assert audit(r.text) == [], (path, audit(r.text)[:3])
            assert "<script>alert" not in r.text
    page = client.get("/papers/2611.00001").text  # the corpus is there, as text
    assert "&lt;img src=x onerror=alert(2)&gt;" in page and 'id="c1"' in page
    admin = logged_in(client.app, cstore, "root@example.org", admin=True)
    for path in ("/admin/comments", "/admin/users"):
        assert audit(admin.get(path).text) == []


def test_comment_markdown_still_useful(client, hostile):
    r = client.get("/api/papers/2611.00001/comments").json()["comments"]
    by_body = {i["body"]: i["html"] for i in r}
    assert "&lt;script&gt;" in by_body[CORPUS[0]]
    assert 'href="javascript' not in "".join(by_body.values()).lower()
    assert "<code>&lt;script&gt;alert(10)&lt;/script&gt;</code>" in by_body[CORPUS[11]]


def test_hostile_content_inert_in_feeds_and_exports(client, hostile):
    _, coll = hostile
    r = client.get(f"/collections/{coll}.atom")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.bozo_exception
    assert "<script>" in feed.entries[0].title  # text, escaped in XML, parsed back as text
    assert b"<script>" not in r.content
    for kind in ("bib", "ris"):
        r = client.get(f"/collections/{coll}.{kind}")
        assert r.status_code == 200 and not r.headers["content-type"].startswith("text/html")
