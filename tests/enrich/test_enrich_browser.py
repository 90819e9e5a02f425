"""Real headless Chromium over a real uvicorn server: from a paper page, follow a keyphrase
to its topic page and an author (a non-Latin and a slash name) to their author page."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn

from paperradar.web.app import create_app
from tests.web.tools import CHROMIUM_ARGS, require_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(enrich_settings):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(enrich_settings), log_level="warning",
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    sock.close()


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
