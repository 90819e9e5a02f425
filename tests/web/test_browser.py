"""Real headless Chromium (Playwright driving the system ``chromium``): browse the site,
see math rendered, no console errors; axe-core finds no serious or critical violations
(light and dark); the HTML of the main pages validates with vnu."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest

from .conftest import LATEST
from .tools import CHROMIUM_ARGS, npm_tools, require_chromium

pytestmark = pytest.mark.browser
MAIN_PAGES = ["/", f"/papers/date/{LATEST}", "/papers/week/2025-W26", "/papers/month/2025-06",
              "/papers/trending", "/search", "/search?q=video", "/search?q=zzqqxxnonexistent",
              "/papers/2506.99902", "/papers/2506.99901", "/papers/hep-th/9901001",
              "/papers/date/2001-01-01", "/papers/2506.00000"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    exe = require_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
          if m.type in ("error", "warning") else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # a navigation cancels requests still in flight (e.g. the favicon): net::ERR_ABORTED is
    # the browser's own doing, not a failure of the server
    pg.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})")
          if r.failure != "net::ERR_ABORTED" else None)
    pg.problems = problems
    yield pg
    context.close()


def test_browse_days_search_and_paper(page, live_url):
    page.goto(live_url + "/")
    assert "Monday, 30 June 2025" in page.inner_text("h1")
    assert page.locator("article.card").count() >= 5
    page.click("a[rel=prev]")
    page.wait_for_url("**/papers/date/2025-06-27")
    assert "27 June 2025" in page.inner_text("h1")
    page.click("a[rel=next]")
    page.wait_for_url(f"**/papers/date/{LATEST}")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-q"
    page.keyboard.type("video generation")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=video+generation")
    assert page.locator("article.card mark").count() >= 1
    first = page.locator("article.card .title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_selector("h1#title")
    assert page.inner_text("h1#title") == title
    assert page.problems == []


def test_math_is_rendered_with_bundled_katex(page, live_url):
    page.goto(live_url + "/papers/2506.99902")
    page.wait_for_selector(".abstract .katex")
    assert page.locator(".abstract .katex").count() >= 2
    assert page.locator(".abstract .katex-display").count() == 1
    assert page.locator("h1#title .katex").count() == 2
    page.goto(live_url + "/")  # titles in lists are rendered too
    page.wait_for_selector("#p-2506\\.99902 .title .katex")
    assert page.locator("#p-2506\\.99902 .title .katex").count() == 2
    font_ok = page.evaluate("document.fonts.ready.then(() => document.fonts.check('16px KaTeX_Main'))")
    assert font_ok
    assert page.problems == []


def test_hostile_title_does_not_run(page, live_url):
    page.goto(live_url + "/papers/2506.99901")
    assert page.inner_text("h1#title").startswith("<script>alert(1)</script>")
    assert page.evaluate("document.querySelectorAll('main script, main img, main svg').length") == 0
    assert page.problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_no_serious_violations(browser, live_url, scheme):
    axe = npm_tools()["axe"].read_text(encoding="utf-8")
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)
    pg = context.new_page()
    found = {}
    for url in ["/", "/papers/trending", "/search?q=video", "/search?q=zzqqxxnonexistent",
                "/papers/2506.99902", "/papers/week/2025-W26", "/papers/2506.00000"]:
        pg.goto(live_url + url)
        pg.wait_for_load_state("networkidle")
        pg.add_script_tag(content=axe)
        result = pg.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
        if bad:
            found[url] = bad
    context.close()
    assert found == {}


def test_html_validates_with_vnu(live_url, tmp_path):
    vnu = npm_tools()["vnu"]
    files = []
    for n, url in enumerate(MAIN_PAGES):
        r = httpx.get(live_url + url)
        assert r.status_code in (200, 404)
        f = tmp_path / f"page{n}.html"
        f.write_bytes(r.content)
        files.append((f, url))
    done = subprocess.run(["java", "-jar", str(vnu), "--errors-only", "--format", "json",
                           *[str(f) for f, _ in files]], capture_output=True, text=True, timeout=300)
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    names = {f"file:{f}": url for f, url in files}
    errors = [(names.get(m.get("url"), m.get("url")), m.get("message"), m.get("extract", "")[:80])
              for m in messages if m.get("type") == "error"]
    assert errors == []


def test_api_docs_render_offline(page, live_url):
    page.goto(live_url + "/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 10
    assert not [p for p in page.problems if "request failed" in p]


def test_responsive_and_keyboard(browser, live_url):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    pg = context.new_page()
    for url in ["/", "/papers/2506.99902", "/search?q=video", "/papers/trending"]:
        pg.goto(live_url + url)
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (url, overflow)
    pg.goto(live_url + "/")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.className") == "skip"
    assert pg.evaluate("document.activeElement.getBoundingClientRect().left") >= 0  # visible
    pg.keyboard.press("Enter")
    assert pg.url.endswith("#main")
    context.close()
