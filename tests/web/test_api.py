"""The native JSON API: shapes, pagination, errors with the right status codes, OpenAPI."""

from __future__ import annotations

from .conftest import LATEST


def test_daily_api_and_pagination(client):
    body = client.get("/api/v1/daily").json()
    assert body["info"]["key"] == LATEST and body["info"]["prev"] == "2025-06-27"
    assert body["total"] == len(body["items"]) and body["info"]["next"] is None
    week = client.get("/api/v1/daily", params={"kind": "week", "key": "2025-W26", "per_page": 4}).json()
    page2 = client.get("/api/v1/daily", params={"kind": "week", "key": "2025-W26", "per_page": 4,
                                                "page": 2}).json()
    assert len(week["items"]) == 4 and week["total"] > 8
    assert not {p["id"] for p in week["items"]} & {p["id"] for p in page2["items"]}
    month = client.get("/api/v1/daily", params={"kind": "month"}).json()
    assert month["info"]["key"] == "2025-06"
    assert client.get("/api/v1/dates").json()[-1] == LATEST


def test_paper_api(client):
    p = client.get("/api/v1/papers/2506.99902").json()
    assert p["title"].startswith("Bounds") and p["upvotes"] == 7 and p["code_url"]
    assert p["links"]["bibtex"].endswith("/papers/2506.99902.bib")
    assert client.get("/api/v1/papers/hep-th/9901001").json()["id"] == "hep-th/9901001"
    sim = client.get("/api/v1/papers/2506.99902/similar", params={"limit": 3}).json()
    assert len(sim["items"]) <= 3 and all(i["id"] != "2506.99902" for i in sim["items"])


def test_search_and_trending_api(client):
    res = client.get("/api/v1/search", params={"q": "sorting oracles", "per_page": 5}).json()
    assert res["items"][0]["id"] == "2506.99902" and res["total"] >= 1
    marked = client.get("/api/v1/search", params={"q": "oracles structure"}).json()["items"][0]
    assert marked["id"] == "2506.99902" and "<mark>structure</mark>" in marked["snippet_html"]
    recent = client.get("/api/v1/search", params={"q": "model", "date_from": "2025-06-25",
                                                   "per_page": 50}).json()["items"]
    assert recent and all(p["published"][:10] >= "2025-06-25" for p in recent)
    old = client.get("/api/v1/search", params={"q": "strings", "date_to": "2000"}).json()["items"]
    assert [p["id"] for p in old] == ["hep-th/9901001"]
    trend = client.get("/api/v1/trending", params={"window": "month", "per_page": 5}).json()
    assert len(trend["items"]) == 5


def test_errors_are_json_with_status(client):
    cases = [("/api/v1/papers/2506.00000", 404), ("/api/v1/papers/bad id", 404),
             ("/api/v1/daily?kind=year", 422), ("/api/v1/daily?kind=date&key=2025-99-99", 400),
             ("/api/v1/search?per_page=0", 422), ("/api/v1/trending?window=x", 422),
             ("/api/nothing-here", 404)]
    for url, status in cases:
        r = client.get(url)
        assert r.status_code == status, url
        assert r.headers["content-type"].startswith("application/json")
        assert r.json()["status"] == status


def test_openapi_documents_the_api(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/daily", "/api/v1/search", "/api/v1/trending", "/api/daily_papers",
                 "/api/papers/search", "/api/query", "/feeds/daily.{fmt}"):
        assert path in spec["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in docs.text
    assert "http" not in docs.headers["content-security-policy"]  # no CDN allowed, none needed
