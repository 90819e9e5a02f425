"""A newcomer's first visit, in real headless Chromium against ``paperradar serve`` on the demo
database (built by ``paperradar demo --no-serve``), with no SMTP server configured: sign up,
read the confirmation in the mail outbox, be refused an upvote before confirming (and resend
the link), confirm, upvote, comment with math (KaTeX), save to a collection, subscribe, read
the digest in the outbox. Then screenshots of the main pages at 1280 and 390 px: no
horizontal overflow, the header on one row, no console errors (so no CSP violations)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.web.tools import skip_or_fail

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
EMAIL, NAME, PASSWORD = "newcomer@example.org", "newcomer", "a long enough password"
VIEWER = "viewer-with-a-long-name@example.org"  # signed in for the layout checks
PAPER = "2506.21862"  # a paper of the demo's last day (2025-06-30 list)
MATH = "Energy $E=mc^2$ and $$\\int_0^1 x^2\\,dx$$ ![plot](https://example.org/p.png)"
FAST = {"PAPERRADAR_ARGON2_TIME_COST": "1", "PAPERRADAR_ARGON2_MEMORY_COST": "1024",
        "PAPERRADAR_ARGON2_PARALLELISM": "1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data: Path, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERRADAR_")}
    env.update(PAPERRADAR_DATA_DIR=str(data), PAPERRADAR_ENV="development",
               PAPERRADAR_BASE_URL=url, PAPERRADAR_SEARCH_WARMUP="false", **FAST)
    return env


def cli(data: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paperradar", *args], capture_output=True,
                          text=True, timeout=300, env=_env(data, url))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        skip_or_fail("headless Chromium missing: run scripts/system-deps.sh")
    data = tmp_path_factory.mktemp("demo") / "paperradar-data"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    built = cli(data, url, "demo", "--no-serve", "--no-embed")
    assert built.returncode == 0, built.stderr
    viewer = subprocess.run([sys.executable, "-m", "paperradar", "user", "create", VIEWER,
                             "--name", "viewer", "--password-stdin"], input=PASSWORD + "\n",
                            capture_output=True, text=True, timeout=60, env=_env(data, url))
    assert viewer.returncode == 0, viewer.stderr
    proc = subprocess.Popen([sys.executable, "-m", "paperradar", "serve", "--port", str(port)],
                            env=_env(data, url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)
    yield data, url
    proc.terminate()
    proc.communicate(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _page(browser, width: int = 1280, height: int = 900, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
          if m.type in ("error", "warning") else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.problems = problems
    return context, pg


def _open_newest_mail(page, url: str, subject: str) -> None:
    page.goto(url + "/outbox")
    page.locator("article.mail h2 a", has_text=subject).first.click()
    page.wait_for_selector("pre.mail-text")


def test_newcomer_walkthrough(demo, browser, tmp_path):
    from playwright.sync_api import expect

    data, url = demo
    context, page = _page(browser, timezone_id="Europe/Paris")
    page.goto(url + "/")
    assert page.locator("article.card").count() >= 5
    # cards: a summary that opens to the abstract, HF comments counted as such, submitter link
    card = page.locator(f"[id='p-{PAPER}']")
    assert card.locator("details.summary p").is_hidden()
    card.locator("details.summary summary").click()
    assert card.locator("details.summary p").is_visible()
    hf = card.locator("a", has_text="on Hugging Face")
    if hf.count():
        assert hf.get_attribute("href") == f"https://huggingface.co/papers/{PAPER}#community"
    assert card.locator("a", has_text="0 comments").count() == 1
    assert page.locator("a.who[href^='https://huggingface.co/']").count() >= 1
    # the date picker beside previous / next
    page.fill("#pick-date", "2025-06-02")
    page.click(".datepick button")
    page.wait_for_url(url + "/papers/date/2025-06-02")
    expect(page.locator("h1")).to_contain_text("2 June 2025")
    # sign up; no SMTP here, so the page points to the outbox
    page.click("text=Sign up")
    page.fill("#email", EMAIL)
    page.fill("#name", NAME)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page.locator("h1")).to_have_text("Check your inbox")
    page.click(".outbox-hint a")
    expect(page.locator("article.mail h2").first).to_have_text("Confirm your email address")
    # log in before confirming: an upvote is refused, with a way to get the link again
    page.goto(url + "/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(url + "/")
    page.locator(f"[id='p-{PAPER}'] button.upvotes").click()
    expect(page.locator("h1")).to_have_text("Not allowed")
    assert all("403" in p for p in page.problems)  # the refused fetch and form post, logged
    page.problems.clear()
    page.click("text=Send the confirmation link again")
    expect(page.locator("h1")).to_have_text("Check your inbox")
    listed = cli(data, url, "mail", "outbox", "--to", EMAIL, "--list", "--limit", "10")
    assert listed.stdout.count("Confirm your email address") == 2, listed.stdout
    # confirm through the newest link
    _open_newest_mail(page, url, "Confirm your email address")
    page.locator("pre.mail-text a", has_text="/verify?token=").click()
    page.click("form[action='/verify'] button")
    expect(page.locator("h1")).to_have_text("Address confirmed")
    # upvote now works, in place
    page.goto(url + "/")
    button = page.locator(f"[id='p-{PAPER}'] button.upvotes")
    before = int(button.inner_text().split()[-1])
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert int(button.inner_text().split()[-1]) == before + 1
    # comment with math: KaTeX renders it, \, survives Markdown, the image leaves no "!"
    page.goto(f"{url}/papers/{PAPER}")
    page.fill("#new-comment", MATH)
    page.click(".comment-form button")
    body = page.locator("article.comment .body").last
    expect(body.locator(".katex")).to_have_count(2)
    tex = body.locator("annotation").evaluate_all("els => els.map(e => e.textContent)")
    assert tex == ["E=mc^2", "\\int_0^1 x^2\\,dx"]
    assert "!" not in body.inner_text() and body.locator("a", has_text="plot").count() == 1
    assert page.locator(".paper header a[href='#comments']").inner_text() == "1 comment"
    expect(page.locator("#comments-h .count")).to_have_text("(1)")  # this site's, not HF's
    # collections: save from the paper page, then from list cards (a confirmation each time,
    # the last collection used preselected), a note per saved paper, newest saved first
    page.click(".paperbar .save-form button")
    expect(page.locator(".notice")).to_have_text("Saved to Reading list.")
    page.goto(url + "/collections")
    page.fill("#name", "Math")
    page.click("form[action='/collections'] button")
    page.goto(url + "/")
    cards = page.locator("article.card")
    second = cards.nth(1).get_attribute("id")[2:]
    cards.nth(1).locator(".save-form select").select_option(label="Math")
    cards.nth(1).locator(".save-form button").click()
    expect(page.locator(".notice")).to_have_text("Saved to Math.")
    third = page.locator("article.card").nth(2)
    assert third.locator(".save-form select option:checked").inner_text() == "Math"
    third_id = third.get_attribute("id")[2:]
    third.locator(".save-form button").click()
    page.click(".notice a")
    expect(page.locator("article.card")).to_have_count(2)
    assert [c.get_attribute("id")[2:] for c in page.locator("article.card").all()] == [third_id, second]
    page.locator(".note-form textarea").first.fill("read section 3 first")
    page.locator(".note-form button").first.click()
    expect(page.locator(".note-form textarea").first).to_have_value("read section 3 first")
    page.goto(url + "/collections")
    page.click("text=Reading list")
    expect(page.locator("article.card")).to_have_count(1)
    # subscribe (signed in and confirmed: one click), then the digest lands in the outbox
    page.goto(url + "/")
    page.click(".subscribe-box button[type=submit]")
    expect(page.locator("h1")).to_have_text("You are subscribed")
    page.click("text=Choose what you get")  # the browser's zone is offered instead of UTC
    assert page.input_value("#timezone") == "Europe/Paris"
    page.click("form.prefs button[type=submit]")
    expect(page.locator(".notice")).to_have_text("Saved.")
    listed = cli(data, url, "subscribers", "list")
    assert f"{EMAIL}\tactive\tdaily\t08:00 Europe/Paris" in listed.stdout, listed.stdout
    sent = cli(data, url, "digest", "preview", "--email", EMAIL, "--at", "2025-07-01T08:30:00Z",
               "--send")  # the demo's days are from 2025: a digest of them, sent now
    assert sent.returncode == 0, sent.stderr
    _open_newest_mail(page, url, "digest")
    text = page.inner_text("pre.mail-text")
    assert f"{url}/papers/" in text and "unsubscribe" in text.lower()
    assert page.problems == []
    context.close()


PAGES = ("/", "/papers/trending", "/search?q=video+generation", f"/papers/{PAPER}",
         "/feeds/category/cs.CL.atom", "/collections", "/settings/digest", "/outbox")


@pytest.mark.parametrize("width", [1280, 390])
def test_main_pages_fit_and_header_is_one_row(demo, browser, width, tmp_path):
    data, url = demo
    context, page = _page(browser, width=width)
    page.goto(url + "/login")
    page.fill("#email", VIEWER)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(url + "/")
    shots = Path(os.environ.get("PAPERRADAR_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    for path in PAGES:
        if path.endswith(".atom"):
            continue
        page.goto(url + path)
        name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} overflows by {overflow}px at {width}px"
        tops = page.evaluate("""[...document.querySelectorAll('header.site .bar > *')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom])""")
        lowest_top = max(t for t, _ in tops)
        highest_bottom = min(b for _, b in tops)
        assert lowest_top < highest_bottom, f"{path}: header on more than one row at {width}px {tops}"
    assert page.problems == [], page.problems
    context.close()
