"""The paper page reads the store once per kind of fact: the paper, and one batch each of
daily entries, local counts, enrichment and (signed in) the viewer's votes for the paper and
its similar papers; the votes and counts shown stay right for every card."""

from __future__ import annotations

import re
from collections import Counter

from fastapi.testclient import TestClient

from community_fixtures import ORIGIN, add_papers, logged_in
from paperradar.search import Searcher

WORDS = "Sparse attention kernels for long context transformers"


def count_calls(store, monkeypatch) -> Counter:
    calls: Counter = Counter()
    for name in dir(store):
        method = getattr(store, name)
        if name.startswith("_") or not callable(method):
            continue

        def counted(*a, _name=name, _method=method, **k):
            calls[_name] += 1
            return _method(*a, **k)

        monkeypatch.setattr(store, name, counted)
    return calls


def buttons(html: str) -> dict[str, tuple[bool, int]]:
    """(pressed, count) of each upvote form on the page, by paper id."""
    found = re.findall(r'action="/papers/([^"]+)/upvote".*?aria-pressed="(true|false)".*?'
                       r'class="count">(\d+)<', html, re.S)
    return {pid: (pressed == "true", int(n)) for pid, pressed, n in found}


def test_paper_page_reads_each_fact_once(app, cstore, csettings, monkeypatch):
    ids = add_papers(cstore, 4, title=WORDS + " {i}", abstract=WORDS + " abstract {i}")
    Searcher(csettings, cstore).build(embed=False)
    reader = logged_in(app, cstore, "reader@example.org")
    for pid in (ids[0], ids[2]):
        assert reader.post(f"/api/papers/{pid}/upvote", headers=ORIGIN).status_code == 200

    calls = count_calls(cstore, monkeypatch)
    page = reader.get(f"/papers/{ids[0]}")
    assert page.status_code == 200
    shown = buttons(page.text)
    assert set(shown) == set(ids)  # the paper and its three similar papers
    assert shown[ids[0]] == (True, 1) and shown[ids[2]] == (True, 1)
    assert shown[ids[1]] == (False, 0) and shown[ids[3]] == (False, 0)
    assert calls["get_paper"] == 1 and calls["voted_by"] == 1
    assert max(calls.values()) == 1, calls

    calls.clear()
    with TestClient(app) as anonymous:
        html = anonymous.get(f"/papers/{ids[0]}").text
    assert "voted_by" not in calls and max(calls.values()) == 1, calls
    assert html.count('class="count">1<') == 2  # the two upvoted papers, voted or not
