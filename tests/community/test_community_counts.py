"""Counts everywhere papers are listed: upvotes shown are local + imported, comment counts are
visible local comments + imported, in the pages, the Hugging Face-shaped API and the paper API."""

from __future__ import annotations

import re

from community_fixtures import ORIGIN, add_papers, logged_in


def test_counts_agree_across_pages_and_apis(app, cstore, client):
    add_papers(cstore, 2, date="2026-11-01", upvotes=10)
    from paperradar.models import DailyEntry, Record

    paper2 = cstore.get_paper("2611.00002")  # imported: 11, more than paper 1's 10
    cstore.upsert_records([Record(paper2, DailyEntry(paper_id="2611.00002", date="2026-11-01",
                                                     upvotes=11))])
    a = logged_in(app, cstore, "ca@example.org")
    b = logged_in(app, cstore, "cb@example.org")
    for c in (a, b):
        assert c.post("/api/papers/2611.00001/upvote", headers=ORIGIN).status_code == 200
    a.post("/api/papers/2611.00001/comments", json={"body": "one"}, headers=ORIGIN)
    cid = a.post("/api/papers/2611.00001/comments", json={"body": "two"}, headers=ORIGIN).json()["id"]
    a.delete(f"/api/comments/{cid}", headers=ORIGIN)  # deleted ones do not count

    assert client.get("/api/papers/2611.00001/upvote").json()["upvotes"] == 12
    assert client.get("/api/papers/2611.00001/comments").json()["count"] == 1
    info = client.get("/api/papers/2611.00001").json()
    assert info["upvotes"] == 12 and info["numComments"] == 1
    items = {i["paper"]["id"]: i for i in client.get("/api/daily_papers?date=2026-11-01").json()}
    assert items["2611.00001"]["paper"]["upvotes"] == 12
    assert items["2611.00001"]["numComments"] == 1
    assert items["2611.00002"]["paper"]["upvotes"] == 11
    page = client.get("/papers/date/2026-11-01").text
    card = page[page.index('id="p-2611.00001"'):]
    card = card[:card.index("</article>")]
    assert re.search(r'class="count">12<', card) and ">1 comment<" in card
    # the daily list is sorted by the total (12 > 11), not by the imported count (10 < 11)
    assert page.index('id="p-2611.00001"') < page.index('id="p-2611.00002"')


def test_openapi_documents_the_community_api(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, methods in {"/api/papers/{paper_id}/upvote": {"get", "post", "delete"},
                          "/api/papers/{paper_id}/comments": {"get", "post"},
                          "/api/comments/{comment_id}": {"patch", "delete"},
                          "/api/papers/submit": {"post"},
                          "/api/collections": {"get", "post"},
                          "/api/collections/{collection_id}": {"get", "patch", "delete"},
                          "/api/collections/{collection_id}/papers/{paper_id}": {"put", "delete"}
                          }.items():
        assert methods <= set(paths[path]), path
        assert all("community" in paths[path][m]["tags"] for m in methods)
    assert "/login" not in paths  # HTML forms stay out of the API docs
