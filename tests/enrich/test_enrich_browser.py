"""Real headless Chromium over a real uvicorn server: from a paper page, follow a keyphrase
to its topic page and an author (a non-Latin and a slash name) to their author page."""

from __future__ import annotations

import pytest

from tests.web.tools import CHROMIUM_ARGS, live_server, require_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(enrich_settings):
    with live_server(enrich_settings) as url:
        yield url


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        pg = browser.new_page()
        pg.problems = []
        pg.on("pageerror", lambda e: pg.problems.append(str(e)))
        pg.on("console", lambda m: pg.problems.append(m.text) if m.type == "error" else None)
        yield pg
        browser.close()


def test_keyphrase_and_author_links_in_a_browser(page, live):
    page.goto(live + "/papers/2506.99911")
    page.click("section.keyphrases a >> nth=0")
    page.wait_for_url("**/topics/**")
    assert page.inner_text("h1").startswith("Topic: hostile sparse autoencoder")
    assert page.locator("article.card").count() == 1
    for name in ("王小明", "A/B Slash", "percent %2F name"):
        page.goto(live + "/papers/2506.99911")
        page.click(f"p.authors a:text-is('{name}')")
        page.wait_for_url("**/authors/**")
        assert page.inner_text("h1") == name
        assert "same name share this page" in page.inner_text("main")
    assert page.problems == []
