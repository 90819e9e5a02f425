"""The "For you" page in a real Chromium (playwright) against a real uvicorn server: sign in,
recommendations with their reasons, "not interested" hides a paper for good (reload), and
the period tabs switch."""

from __future__ import annotations

import pytest

from paperradar.config import Settings
from paperradar.web.security import Passwords
from recommend_fixtures import library_id, rows, seed
from tests.web.tools import CHROMIUM_ARGS, live_server, require_chromium

FAST = {"argon2_time_cost": 1, "argon2_memory_cost": 1024, "argon2_parallelism": 1}
PASSWORD = "correct horse battery"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A seeded app (one reader who upvoted a library paper) served by uvicorn on loopback."""
    root = tmp_path_factory.mktemp("foryou")

    def settings(port: int) -> Settings:
        return Settings(data_dir=root / "data", env="test",
                        base_url=f"http://127.0.0.1:{port}", **FAST)

    def prepare(app) -> None:
        seed(app.state.store)
        user = app.state.store.create_user("reader@example.org", "reader",
                                           Passwords(app.state.settings).hash(PASSWORD),
                                           verified=True)
        app.state.store.set_vote(user.id, library_id(77), True)

    with live_server(settings, prepare) as url:
        yield url


@pytest.fixture(scope="module")
def page(live):
    from playwright.sync_api import sync_playwright

    exe = require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        pg = browser.new_context().new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.errors = errors
        yield pg
        browser.close()


def test_for_you_in_a_browser(page, live):
    target = rows()[77]["id"]  # the candidate the upvoted library paper rewords
    page.goto(f"{live}/for-you")
    assert "/login" in page.url  # signed-out readers are sent to sign in
    page.goto(f"{live}/login?next=/for-you")
    page.fill("#email", "reader@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.goto(f"{live}/for-you?period=week")
    sel = f'[id="p-{target}"]'
    card = page.locator(sel)
    assert card.count() == 1
    first_reason = page.locator(".foryou-why .reason").first
    assert "because you upvoted" in first_reason.inner_text()
    assert "Earlier work 77" in first_reason.inner_text()
    assert page.locator(".foryou-why .reason").count() >= 5

    # "not interested" hides the paper, and it stays hidden on reload
    page.locator(".foryou-why").first.locator("button:has-text('Not interested')").click()
    page.wait_for_load_state()
    assert "period=week" in page.url
    assert page.locator(sel).count() == 0
    page.reload()
    assert page.locator(sel).count() == 0
    assert page.locator(".foryou-why .reason").count() >= 5  # the others are still there

    # the period tabs switch (the current one is marked)
    page.click("nav.periods a:has-text('This month')")
    page.wait_for_load_state()
    assert page.url.endswith("/for-you?period=month")
    assert page.locator("nav.periods a[aria-current=page]").inner_text() == "This month"
    assert page.locator(sel).count() == 0
    page.click("nav.periods a:has-text('Today')")
    page.wait_for_load_state()
    assert page.url.endswith("/for-you?period=day")
    assert page.locator("nav.periods a[aria-current=page]").inner_text() == "Today"
    assert page.errors == []
