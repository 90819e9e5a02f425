"""Math and text for newcomers: comment Markdown keeps ``$...$`` / ``$$...$$`` (and ``\\,``)
for KaTeX and turns images into links; LaTeX text markup in titles and abstracts is converted
on pages, in Atom feeds and in digest mails; the snippet carries the math class. Plus the
small things: ``/api/v1/search?limit=``, signed-out browsers sent to log in, the outbox page
hidden from anyone but loopback, the 403 for unconfirmed accounts offering a new link."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from paperradar.config import Settings
from paperradar.latex import to_html, to_text
from paperradar.models import Author, DailyEntry, Paper, Record
from paperradar.notify.digest import make_item
from paperradar.web.app import create_app
from paperradar.web.community.text import render_comment
from paperradar.web.security import Passwords

ORIGIN = {"Origin": "http://testserver"}
FAST = {"argon2_time_cost": 1, "argon2_memory_cost": 1024, "argon2_parallelism": 1}
ABSTRACT = (r"We \emph{propose} a \textbf{fast} method (code: \url{https://x.org/~u/a}) for "
            r"\$5, with $\sum_{i=1}^n a_i$ and Fig.~3, pages 1--2 --- really. 50\% \& more.")


@pytest.mark.parametrize("body, html", [
    ("$E=mc^2$", r'<p><span class="math">\(E=mc^2\)</span></p>'),
    (r"$$\int_0^1 x^2\,dx$$", r'<div class="math">\[\int_0^1 x^2\,dx\]</div>'),
    (r"see $$a\,b$$ inline", r'<p>see <span class="math">\[a\,b\]</span> inline</p>'),
    (r"costs \$5 or $6 and $7", "<p>costs $5 or $6 and $7</p>"),
    ("![a plot](https://x.org/p.png)",
     '<p><a href="https://x.org/p.png" rel="nofollow noopener ugc">a plot</a></p>'),
    ("$<script>x</script>$", r'<p><span class="math">\(&lt;script&gt;x&lt;/script&gt;\)</span></p>'),
    ('<span class="math evil" onclick="x">hi</span>',
     '<p>&lt;span class="math evil" onclick="x"&gt;hi&lt;/span&gt;</p>'),
])
def test_comment_math_and_images(body, html):
    assert render_comment(body).strip() == html


def test_latex_text_markup():
    assert to_text(ABSTRACT) == ("We propose a fast method (code: https://x.org/~u/a) for $5, "
                                 "with $\\sum_{i=1}^n a_i$ and Fig.\u00a03, pages 1\u20132 \u2014 "
                                 "really. 50% & more.")
    html = to_html(ABSTRACT + " <b>")
    assert "<em>propose</em>" in html and "<strong>fast</strong>" in html
    assert '<span class="tex-dollar">$</span>5' in html and "$\\sum_{i=1}^n a_i$" in html
    assert "&amp; more. &lt;b&gt;" in html
    assert to_text("--help, a-b, <!-- c -->, $a--b$") == "--help, a-b, <!-- c -->, $a--b$"
    assert to_text(r"\textbf{\emph{nested}}") == "nested"
    assert to_text("code at https://x.org/a--b~c, 1--2") == "code at https://x.org/a--b~c, 1\u20132"
    assert to_text("gains of ~5% (see https://x.org/~me), Sec.~2") == \
        "gains of ~5% (see https://x.org/~me), Sec.\u00a02"


@pytest.fixture
def app(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", env="test", base_url="http://testserver",
                        rate_limits_enabled=False, search_warmup=False, **FAST)
    app = create_app(settings)
    app.state.store.upsert_records([
        Record(Paper(id=f"2611.{i:05d}", title=r"A \emph{title} with $\alpha$" if i == 1 else f"Paper {i}",
                     abstract=ABSTRACT, authors=[Author("Ada Lovelace")], categories=["cs.LG"],
                     published="2026-11-01"),
               DailyEntry(paper_id=f"2611.{i:05d}", date="2026-11-01", upvotes=1))
        for i in range(1, 6)])
    return app


def test_pages_feeds_and_mails_convert_latex(app):
    from paperradar.search import Searcher

    Searcher(app.state.settings, app.state.store).build(embed=False)
    with TestClient(app) as c:
        page = c.get("/papers/2611.00001").text
        abstract = page.split('<div class="abstract math">', 1)[1].split("</div>", 1)[0]
        assert "<em>propose</em>" in abstract and "$\\sum_{i=1}^n a_i$" in abstract
        assert abstract.count("\\") == 1  # only the math's; (the BibTeX block keeps LaTeX)
        assert r'<h1 id="title" class="math">A <em>title</em> with $\alpha$</h1>' in page
        assert "<title>A title with $\\alpha$ · paperradar</title>" in page
        feed = c.get("/feeds/daily.atom?date=2026-11-01").text
        assert "We propose a fast method" in feed and r"\emph" not in feed
        found = c.get("/search", params={"q": "method", "mode": "lexical"}).text
        assert 'class="snippet math"' in found
    item = make_item(app.state.store.get_paper("2611.00001"), "http://testserver")
    assert item.title == "A title with $\\alpha$" and item.abstract.startswith("We propose a fast")


def test_api_search_limit(app):
    from paperradar.search import Searcher

    Searcher(app.state.settings, app.state.store).build(embed=False)
    with TestClient(app) as c:
        got = c.get("/api/v1/search", params={"q": "method", "mode": "lexical", "limit": 3})
        assert got.status_code == 200 and len(got.json()["items"]) == 3
        assert got.json()["per_page"] == 3
        both = c.get("/api/v1/search", params={"q": "method", "limit": 3, "per_page": 4})
        assert both.status_code == 400 and "limit and per_page" in both.json()["detail"]
        assert c.get("/api/v1/search", params={"q": "method", "limit": 0}).status_code == 422


def test_signed_out_browser_goes_to_login_api_gets_401(app):
    with TestClient(app) as c:
        r = c.get("/admin", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        page = c.get("/admin")
        assert page.status_code == 200 and 'action="/login"' in page.text
        api = c.get("/admin/users", headers={"Accept": "application/json"})
        assert api.status_code == 401


def test_outbox_page_only_for_loopback(app):
    with TestClient(app) as c:  # the test client's address is "testclient", not loopback
        assert c.get("/outbox").status_code == 404
    with TestClient(app, client=("127.0.0.1", 50000)) as c:
        assert c.get("/outbox").status_code == 200
        assert c.get("/outbox/..%2Fpaperradar.db").status_code == 404
    production_like = app.state.settings.model_copy(update={"smtp_url": "smtp://127.0.0.1:9"})
    app.state.settings = production_like
    with TestClient(app, client=("127.0.0.1", 50000)) as c:
        assert c.get("/outbox").status_code == 404


def test_unconfirmed_upvote_offers_a_new_link(app):
    store = app.state.store
    store.create_user("new@example.org", "newbie", Passwords(app.state.settings).hash("p" * 12))
    with TestClient(app, client=("127.0.0.1", 50000)) as c:
        r = c.post("/login", data={"email": "new@example.org", "password": "p" * 12},
                   headers=ORIGIN, follow_redirects=False)
        assert r.status_code == 303
        home = c.get("/").text
        token = home.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        refused = c.post("/papers/2611.00001/upvote", data={"csrf_token": token, "action": "up"},
                         headers=ORIGIN)
        assert refused.status_code == 403 and 'action="/verify/resend"' in refused.text
        assert 'href="/outbox"' in refused.text
        again = c.post("/verify/resend", data={"csrf_token": token}, headers=ORIGIN)
        assert again.status_code == 200 and "Check your inbox" in again.text
        mails = c.get("/outbox").text
        assert "Confirm your email address" in mails and "/verify?token=" in mails


def test_offline_submit_page_says_so_plainly(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    settings = Settings(data_dir=tmp_path, env="test", base_url="http://testserver",
                        rate_limits_enabled=False, search_warmup=False, http_max_retries=0,
                        http_min_interval=0, arxiv_api_url=f"http://127.0.0.1:{closed}/api/query",
                        **FAST)
    app = create_app(settings)
    app.state.store.create_user("sub@example.org", "subby",
                                Passwords(settings).hash("p" * 12), verified=True)
    with TestClient(app) as c:
        c.post("/login", data={"email": "sub@example.org", "password": "p" * 12}, headers=ORIGIN)
        form = c.get("/papers/submit").text
        token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        r = c.post("/papers/submit", data={"csrf_token": token, "paper": "2612.99999"},
                   headers=ORIGIN)
    assert r.status_code == 502
    error = r.text.split('class="error" role="alert">', 1)[1].split("</p>", 1)[0]
    assert error.startswith("arXiv could not be reached") and "127.0.0.1" not in error
    assert '<details class="technical"><summary>Technical details</summary>' in r.text
    # the configured upstream address is logged, never shown (hardening issue, item 3)
    assert f"127.0.0.1:{closed}" not in r.text.split('<details class="technical">', 1)[1]


def test_digest_mail_uses_the_site_palette():
    import re
    from importlib import resources

    css = (resources.files("paperradar.web") / "static" / "site.css").read_text()
    light = css.split(":root {", 1)[1].split("}", 1)[0]
    palette = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", light))
    mail = (resources.files("paperradar.notify") / "templates" / "digest.html").read_text()
    brand = re.search(r'paper<span style="color:(#[0-9a-fA-F]{6});">radar', mail).group(1)
    assert brand == palette["accent"]
    assert set(re.findall(r"#[0-9a-fA-F]{6}", mail)) <= set(palette.values()) | {"#ffffff"}
