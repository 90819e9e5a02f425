"""Per-account quotas and rates on collections and API tokens; unverified accounts write
nothing public (their collections stay private)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from community_fixtures import ORIGIN, add_papers, logged_in
from paperradar.web.app import create_app


@pytest.fixture
def tight(csettings):
    s = csettings.model_copy(update={"max_collections": 5, "max_api_tokens": 2,
                                     "max_collection_items": 2, "rate_limit_collection": "3/1h"})
    app = create_app(s)
    with TestClient(app):
        yield app


def test_unverified_accounts_cannot_publish_collections(tight):
    store = tight.state.store
    c = logged_in(tight, store, "new@example.org", verified=False)
    r = c.post("/api/collections", json={"name": "spam", "public": True}, headers=ORIGIN)
    assert r.status_code == 403 and "confirm your email" in r.json()["detail"]
    private = c.post("/api/collections", json={"name": "mine"}, headers=ORIGIN)
    assert private.status_code == 201
    cid = private.json()["id"]
    assert c.patch(f"/api/collections/{cid}", json={"public": True},
                   headers=ORIGIN).status_code == 403
    form = c.post("/collections", data={"name": "spam2", "public": "true"}, headers=ORIGIN)
    assert form.status_code == 403
    user = store.get_user_by_email("new@example.org")
    assert store.list_collections(user.id, public_only=True) == []


def test_collection_quota_and_rate(tight):
    store = tight.state.store
    c = logged_in(tight, store, "burst@example.org")
    codes = [c.post("/api/collections", json={"name": f"c{i}", "public": True},
                    headers=ORIGIN).status_code for i in range(5)]
    assert codes == [201, 201, 201, 429, 429]  # 3 per hour
    store.rate_limit_clear(f"collection:user:{store.get_user_by_email('burst@example.org').id}")
    # With the reading list: 1 + 3 + 1 = 5 = the quota.
    assert c.post("/api/collections", json={"name": "c5"}, headers=ORIGIN).status_code == 201
    r = c.post("/api/collections", json={"name": "one more"}, headers=ORIGIN)
    assert r.status_code == 403 and "at most 5 collections" in r.json()["detail"]


def test_token_quota(tight):
    c = logged_in(tight, tight.state.store, "tok@example.org")
    codes = [c.post("/account/tokens", data={"name": f"t{i}"}, headers=ORIGIN).status_code
             for i in range(3)]
    assert codes == [201, 201, 403]


def test_collection_size_quota(tight):
    store = tight.state.store
    ids = add_papers(store, 3)
    c = logged_in(tight, store, "saver@example.org")
    cid = c.post("/api/collections", json={"name": "small"}, headers=ORIGIN).json()["id"]
    codes = [c.put(f"/api/collections/{cid}/papers/{pid}", headers=ORIGIN).status_code
             for pid in ids]
    assert codes == [200, 200, 403]
