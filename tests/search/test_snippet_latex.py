"""Snippets show what a reader sees: LaTeX text markup converted (``\\emph{}``, ``\\textbf{}``,
``\\url{}``, ``~``, ``--``) and ``\\$`` without its backslash (wrapped, so KaTeX never pairs
it), the query's words marked in the converted text, math intact: never cut by the window,
never marked inside. On the searcher, and on the real search page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from paperradar.models import Author, Paper, Record
from paperradar.search import Searcher
from paperradar.search.lexical import LexicalIndex
from paperradar.search.snippets import _highlight_general, highlight
from paperradar.web.app import create_app

from .conftest import FIXTURE, arxiv_records
from .tools import search_client

ABSTRACT = (r"We train \emph{robust} diffusion models for under \$5 a run, with "
            r"$\sum_{i=1}^n \ell_i$ as the loss and \textbf{fast} sampling --- see Fig.~2 and "
            r"pages 3--4 at \url{https://x.org/~me}. Costs \$2 <b>&</b> \textit{more}.")
DOLLAR = '<span class="tex-dollar">$</span>'


def _check_snippet(html: str) -> None:
    html = html.replace("&nbsp;", "\u00a0")  # nh3 writes the tie as an entity
    assert "<mark>robust</mark> <mark>diffusion</mark> models" in html
    assert "\\emph" not in html and "\\textbf" not in html and "\\url" not in html
    assert f"under {DOLLAR}5 a run" in html and f"Costs {DOLLAR}2" in html
    assert "\\$" not in html and html.count("\\") == 2  # \sum and \ell, in the math
    assert r"$\sum_{i=1}^n \ell_i$" in html
    assert "and fast sampling \u2014 see Fig.\u00a02 and pages 3\u20134" in html
    assert "https://x.org/~me." in html and "&lt;b&gt;&amp;&lt;/b&gt; more." in html


def test_searcher_snippet_converts_latex_and_marks_the_query(settings, store):
    store.upsert_records(arxiv_records(30) + [Record(Paper(
        id="2612.00001", title=r"\emph{Robust} diffusion for \$1", abstract=ABSTRACT,
        authors=[Author("Ada Lovelace")], categories=["cs.LG"], published="2026-12-01"))])
    searcher = Searcher(settings, store)
    searcher.sync_lexical()
    hit = next(h for h in searcher.search("robust diffusion", mode="lexical").hits
               if h.id == "2612.00001")
    _check_snippet(hit.snippet_html)
    assert hit.title_html == f"<mark>Robust</mark> <mark>diffusion</mark> for {DOLLAR}1"


def test_search_page_shows_the_converted_snippet(settings, store):
    store.upsert_records(arxiv_records(30) + [Record(Paper(
        id="2612.00001", title="Robust diffusion", abstract=ABSTRACT,
        authors=[Author("Ada Lovelace")], categories=["cs.LG"], published="2026-12-01"))])
    Searcher(settings, store).build(embed=False)
    with search_client(settings) as c:
        page = c.get("/search", params={"q": "robust diffusion", "mode": "lexical"})
        assert page.status_code == 200
        card = page.text.split('id="p-2612.00001"', 1)[1].split("</article>", 1)[0]
        snippet = card.split('<p class="snippet math">', 1)[1].split("</p>", 1)[0]
        _check_snippet(snippet)
        api = c.get("/api/v1/search", params={"q": "robust diffusion", "mode": "lexical"})
        item = next(i for i in api.json()["items"] if i["id"] == "2612.00001")
        _check_snippet(item["snippet_html"])


@pytest.fixture(scope="module")
def lx(tmp_path_factory) -> LexicalIndex:
    return LexicalIndex(tmp_path_factory.mktemp("lx"))


def _terms(lx: LexicalIndex, q: str) -> set[str]:
    return {t for w in q.split() for t in lx.analyze(w)}


def test_no_mark_inside_math_and_no_formula_cut(lx):
    out = highlight(r"The $\sum x$ and \(\sum y\) bound the sum.", _terms(lx, "sum"),
                    lx.analyze_word)
    assert out == r"The $\sum x$ and \(\sum y\) bound the <mark>sum</mark>."
    # the window (5 words before the first hit) starts inside "$x + y + z$": it grows to hold it
    text = "filler " * 50 + "$x + y + z$ then robust results " + "filler " * 50
    window = highlight(text, _terms(lx, "robust"), lx.analyze_word)
    assert window.startswith("… $x + y + z$ then <mark>robust</mark> results")
    assert window.count("$") == 2
    tail = "filler " * 60 + "robust " + "filler " * 31 + "$a + b + c$ " + "filler " * 20
    window = highlight(tail, _terms(lx, "robust"), lx.analyze_word)
    assert window.endswith("filler $a + b + c$ …") and window.count("$") == 2


def test_markup_cannot_smuggle_html_or_the_placeholder(lx):
    out = highlight("\\emph{<img src=x onerror=alert(1)>} a\x00b \\textbf{\"q\"}", set(),
                    lx.analyze_word)
    assert out == "&lt;img src=x onerror=alert(1)&gt; ab &quot;q&quot;"
    assert highlight("\\$ \\$", set(), lx.analyze_word) == f"{DOLLAR} {DOLLAR}"


def test_fast_and_general_paths_agree_on_marked_up_abstracts(lx):
    import json
    import random

    rng = random.Random(7)
    forms = [r"\emph{%s}", r"\textbf{%s}", "%s~(Fig.~3)", r"\$5 %s", "%s $\\sum_i x_i$", "%s 1--2"]
    rows = [json.loads(line) for line in open(FIXTURE, encoding="utf-8")][:60]
    for q in ("language models reasoning", "image segmentation", "diffusion sum"):
        terms = _terms(lx, q)
        for r in rows:
            words = r["abstract"].split()
            for _ in range(5):
                i = rng.randrange(len(words))
                words[i] = rng.choice(forms) % words[i]
            text = " ".join(words)
            fast = highlight(text, terms, lx.analyze_word)
            assert fast == _highlight_general(text, terms, lx.analyze_word, 40)
            assert "\\emph" not in fast and "\\$" not in fast
            assert len(re.findall(r"(?<!>)\$", fast)) % 2 == 0  # formulas whole (not the wrapped)


def test_the_one_pass_conversion_finds_the_math_of_the_converted_text():
    """``latex.to_text_and_math`` (what snippets use) equals ``to_text`` then ``math_spans``
    with the snippets' placeholder dollar, on real abstracts with markup added."""
    import json
    import random

    from paperradar import latex

    rng = random.Random(11)
    forms = [r"\emph{%s}", r"\textbf{%s}", "%s~(Fig.~3)", r"\$5 %s", "%s $\\sum_i x_i$",
             "%s 1--2", "%s \\(a+b\\)", "see https://x.org/~%s"]
    rows = [json.loads(line) for line in open(FIXTURE, encoding="utf-8")]
    for r in rows:
        words = r["abstract"].split()
        for _ in range(6):
            i = rng.randrange(len(words))
            words[i] = rng.choice(forms) % words[i]
        for text in (r["abstract"], " ".join(words), r["title"]):
            plain = latex.to_text(text, dollar="\x00")
            assert latex.to_text_and_math(text, dollar="\x00") == (plain, latex.math_spans(plain))


def test_the_window_is_the_same_as_by_the_list_of_spaces():
    from paperradar.search.snippets import _space_at

    import random

    rng = random.Random(5)
    for _ in range(200):
        text = " ".join("w" * rng.randint(1, 9) for _ in range(rng.randint(2, 80)))
        spaces = [i for i, c in enumerate(text) if c == " "]
        assert [_space_at(text, k) for k in range(len(spaces))] == spaces


@pytest.mark.browser
def test_chromium_renders_the_snippet_math_and_keeps_the_dollars(settings, store):
    """Real Chromium on the real app's page (its requests answered by the app in process):
    KaTeX renders the formula of the snippet, the literal dollars stay text."""
    from playwright.sync_api import sync_playwright

    from web.tools import CHROMIUM_ARGS, require_chromium

    store.upsert_records([Record(Paper(
        id="2612.00001", title="Robust diffusion", abstract=ABSTRACT,
        authors=[Author("Ada Lovelace")], categories=["cs.LG"], published="2026-12-01"))])
    Searcher(settings, store).build(embed=False)
    app_settings = settings.model_copy(update={"base_url": "http://testserver",
                                               "rate_limits_enabled": False,
                                               "search_warmup": False})
    with TestClient(create_app(app_settings)) as c, sync_playwright() as p:
        def answer(route):
            got = c.get(route.request.url)
            route.fulfill(status=got.status_code, body=got.content,
                          headers={"content-type": got.headers.get("content-type", "")})

        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("http://testserver/**", answer)
            page.goto("http://testserver/search?q=robust+diffusion&mode=lexical")
            page.wait_for_selector(".snippet .katex")
            snippet = page.locator("#p-2612\\.00001 .snippet")
            assert snippet.locator(".katex").count() == 1
            text = snippet.inner_text()
            assert "under $5 a run" in text and "Costs $2" in text and "\\emph" not in text
            assert snippet.locator("mark").all_inner_texts() == ["robust", "diffusion"]
        finally:
            browser.close()
