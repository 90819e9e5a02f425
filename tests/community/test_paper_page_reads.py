"""The paper page reads the store in two calls: ``paper_page`` (the paper and everything the
page shows of it, the viewer's vote included) and ``paper_cards`` (its similar papers), none
of the separate per-fact reads besides; the votes and counts shown stay right for every card."""

from __future__ import annotations

import re
import threading
from collections import Counter

from fastapi.testclient import TestClient

from community_fixtures import ORIGIN, add_papers, logged_in
from paperradar.search import Searcher

WORDS = "Sparse attention kernels for long context transformers"


# The reads the page's two combined calls replace: none of them is called by the page.
SEPARATE = {"get_paper", "get_papers", "get_embeddings", "upvotes_for", "latest_daily_entries",
            "daily_entries_for", "local_upvote_counts", "local_comment_counts",
            "get_enrichments", "daily_rank", "list_comments", "confirmed_claimants_of",
            "voted_by"}


def count_calls(store, monkeypatch) -> Counter:
    """Calls made on the store from outside it (a store method calling another of its own,
    as the SQLite twin of a combined read does, counts once)."""
    calls: Counter = Counter()
    local = threading.local()  # the app's background follower calls the store too
    for name in dir(store):
        method = getattr(store, name)
        if name.startswith("_") or not callable(method):
            continue

        def counted(*a, _name=name, _method=method, **k):
            depth = getattr(local, "depth", 0)
            if depth == 0:
                calls[_name] += 1
            local.depth = depth + 1
            try:
                return _method(*a, **k)
            finally:
                local.depth = depth

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
    assert calls["paper_page"] == 1 and calls["paper_cards"] == 1, calls
    assert not SEPARATE & set(calls) and max(calls.values()) == 1, calls

    calls.clear()
    with TestClient(app) as anonymous:
        html = anonymous.get(f"/papers/{ids[0]}").text
    assert calls["paper_page"] == 1 and calls["paper_cards"] == 1, calls
    assert not SEPARATE & set(calls) and max(calls.values()) == 1, calls
    assert html.count('class="count">1<') == 2  # the two upvoted papers, voted or not
