"""The search page (issue 14): filters typed in the query box show in the form and can be
removed there; a misspelt query offers its correction; a pasted arXiv id finds that paper;
the count is the number the pages hold."""

from __future__ import annotations

import re

from .test_pages import html


def test_typed_filters_fill_the_form_and_unticking_removes_them(client):
    page = html(client, "/search?q=sorting+has:code+cat:cs.DS+since:2024-05")
    assert re.search(r'id="has_code"[^>]*checked', page)
    assert 'id="q" type="search" name="q" value="sorting"' in page
    assert 'id="category" name="category" value="cs.DS"' in page
    assert 'id="date_from" type="date" name="date_from" value="2024-05-01"' in page
    assert "2506.99902" in page
    # the form submitted again without the box: the filter is gone, not stuck in the query
    back = html(client, "/search?q=sorting&category=cs.DS&date_from=2024-05-01")
    assert not re.search(r'id="has_code"[^>]*checked', back)
    # a filter that does not parse stays in the box with its warning
    bad = html(client, "/search?q=sorting+since:someday")
    assert "since:someday" in bad and "is not a date" in bad


def test_pasted_id_and_spelling_suggestion(client):
    page = html(client, "/search?q=https://arxiv.org/abs/2506.99902v1")
    assert page.count('class="card') >= 1 and "2506.99902" in page
    assert re.search(r'role="status">1 result<', page)
    missing = html(client, "/search?q=2599.00001")
    assert "Fetch arXiv:2599.00001" in missing and 'href="/papers/submit"' in missing
    typo = html(client, "/search?q=vidoe+genration")
    assert "Did you mean" in typo and "<strong>video generation</strong>" in typo
