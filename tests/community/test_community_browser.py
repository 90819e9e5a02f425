"""Real headless Chromium against a real uvicorn server: log in through the form, toggle an
upvote on the list and on the paper page without a reload, comment, save to the reading
list; no console errors (so no CSP violations). Signed-in pages validate with vnu and axe-core
finds no serious or critical violations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from community_fixtures import PASSWORD, add_papers, make_user

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NPM = Path.home() / ".cache" / "paperradar-test-npm" / "node_modules"


def skip_or_fail(reason: str) -> None:
    """Skip on a developer machine; in CI (``CI`` set) a missing tool is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it: scripts/system-deps.sh)")
    pytest.skip(reason)
DAY = "2026-11-01"
CARD2 = "[id='p-2611.00002'] button.upvotes"  # the card of paper 2611.00002


def _driver():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "community_load", Path(__file__).parents[2] / "bench" / "community_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from paperradar.store import open_store

    if not Path(CHROMIUM).exists():
        skip_or_fail("headless Chromium missing")
    data = tmp_path_factory.mktemp("live")
    with open_store(f"sqlite:///{data / 'paperradar.db'}") as store:
        add_papers(store, 3, date=DAY, upvotes=7)
        make_user(store, "web@example.org", "webby", admin=True)
    server = _driver().Server(data, workers=1)
    with server:
        yield server.url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _signed_in_page(browser, live, **context_args):
    context = browser.new_context(**context_args)
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
          if m.type in ("error", "warning") else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.problems = problems
    pg.goto(live + "/login")
    pg.fill("#email", "web@example.org")
    pg.fill("#password", PASSWORD)
    pg.click("form.stack button[type=submit]")
    pg.wait_for_url(live + "/")
    return context, pg


@pytest.fixture
def page(browser, live):
    context, pg = _signed_in_page(browser, live)
    yield pg
    context.close()


def test_upvote_toggles_without_reload(page, live):
    from playwright.sync_api import expect

    page.goto(f"{live}/papers/date/{DAY}")
    page.evaluate("window.__stay = 42")
    button = page.locator(CARD2)
    assert button.inner_text().split()[-1] == "7"
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert button.inner_text().split()[-1] == "8"
    assert page.evaluate("window.__stay") == 42  # no reload happened
    page.reload()
    assert page.locator(CARD2).inner_text().split()[-1] == "8"
    page.locator(CARD2).click()
    expect(page.locator(CARD2)).to_have_attribute("aria-pressed", "false")
    assert page.locator(CARD2).inner_text().split()[-1] == "7"
    assert httpx.get(f"{live}/api/papers/2611.00002/upvote").json()["upvotes"] == 7
    assert page.problems == []


def test_paper_page_vote_comment_save(page, live):
    from playwright.sync_api import expect

    page.goto(f"{live}/papers/2611.00001")
    page.evaluate("window.__stay = 1")
    page.click(".paperbar button.upvotes")
    expect(page.locator(".paperbar button.upvotes")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__stay") == 1
    page.fill("#new-comment", "**Great** paper <script>alert(1)</script>")
    page.click(".comment-form button")
    page.wait_for_selector("article.comment strong")
    assert "<script>alert(1)</script>" in page.inner_text("article.comment .body")
    page.click(".paperbar .save-form button")
    page.wait_for_url(f"{live}/papers/2611.00001?saved=*")  # back, with a confirmation
    expect(page.locator(".notice")).to_have_text("Saved to Reading list.")
    page.goto(f"{live}/collections")
    page.click("text=Reading list")
    assert page.locator("article.card").count() == 1
    assert page.problems == []


def _signed_in_pages(page, live) -> dict[str, str]:
    out = {}
    for url in ("/", f"/papers/date/{DAY}", "/papers/2611.00001", "/papers/submit",
                "/collections", "/collections/1", "/users/webby", "/users/webby?tab=comments",
                "/account/tokens", "/admin/users", "/admin/comments", "/admin/papers"):
        page.goto(live + url)
        out[url] = page.content()
    return out


def test_signed_in_pages_validate_and_are_accessible(browser, live, tmp_path):
    try:  # the web tests' installer (npm, cached), when the tests package is importable
        from tests.web.tools import npm_tools

        tools = npm_tools()
        vnu, axe = tools["vnu"], tools["axe"]
    except ImportError:
        vnu, axe = NPM / "vnu-jar/build/dist/vnu.jar", NPM / "axe-core/axe.min.js"
    if not (vnu.exists() and axe.exists() and shutil.which("java")):
        skip_or_fail("vnu-jar/axe-core not installed (tests/web installs them with npm)")
    context, page = _signed_in_page(browser, live, bypass_csp=True)  # axe is injected inline
    pages = _signed_in_pages(page, live)
    pages.update({u: httpx.get(live + u).text for u in ("/login", "/signup", "/reset")})
    files = []
    for n, (url, html) in enumerate(pages.items()):
        f = tmp_path / f"p{n}.html"
        f.write_text(html, encoding="utf-8")
        files.append((f, url))
    done = subprocess.run(["java", "-jar", str(vnu), "--errors-only", "--format", "json",
                           *[str(f) for f, _ in files]], capture_output=True, text=True,
                          timeout=300)
    names = {f"file:{f}": url for f, url in files}
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    errors = [(names.get(m.get("url"), m.get("url")), m.get("message"))
              for m in messages if m.get("type") == "error"]
    assert errors == []
    script = axe.read_text(encoding="utf-8")
    found = {}
    for url in ("/papers/2611.00001", f"/papers/date/{DAY}", "/collections", "/account/tokens",
                "/admin/users"):
        page.goto(live + url)
        page.add_script_tag(content=script)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
        if bad:
            found[url] = bad
    context.close()
    assert found == {}
