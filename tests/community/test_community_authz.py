"""Authorisation and moderation: nobody edits or deletes what is not theirs, private
collections stay private (API, pages, exports), admins hide/delete but do not edit, banning
hides a user's comments, votes and submissions (and unbanning restores them)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from community_fixtures import ORIGIN, add_papers, logged_in


@pytest.fixture
def world(app, cstore):
    add_papers(cstore, 3, upvotes=4)
    alice = logged_in(app, cstore, "alice@example.org")
    bob = logged_in(app, cstore, "bob@example.org")
    admin = logged_in(app, cstore, "admin@example.org", admin=True)
    return alice, bob, admin, TestClient(app)


def _comment(c, body="hello", pid="2611.00001", parent=None):
    r = c.post(f"/api/papers/{pid}/comments", json={"body": body, "parent_id": parent},
               headers=ORIGIN)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_comments_edit_delete_ownership(world, cstore):
    alice, bob, admin, anon = world
    cid = _comment(alice, "mine")
    reply = _comment(bob, "a reply", parent=cid)
    assert bob.patch(f"/api/comments/{cid}", json={"body": "hacked"}, headers=ORIGIN).status_code == 403
    assert bob.delete(f"/api/comments/{cid}", headers=ORIGIN).status_code == 403
    assert anon.delete(f"/api/comments/{cid}").status_code == 401
    assert admin.patch(f"/api/comments/{cid}", json={"body": "x"}, headers=ORIGIN).status_code == 403
    assert bob.post(f"/comments/{cid}/edit", data={"body": "hacked"}, headers=ORIGIN).status_code == 403
    assert cstore.get_comment(cid).body == "mine"
    r = alice.patch(f"/api/comments/{cid}", json={"body": "edited"}, headers=ORIGIN)
    assert r.status_code == 200 and r.json()["edited_at"]
    # the reply keeps its place in the thread
    items = anon.get("/api/papers/2611.00001/comments").json()["comments"]
    assert [(i["id"], i["depth"]) for i in items] == [(cid, 0), (reply, 1)]
    assert alice.delete(f"/api/comments/{cid}", headers=ORIGIN).status_code == 204
    items = anon.get("/api/papers/2611.00001/comments").json()["comments"]
    assert items[0]["state"] == "deleted" and items[0]["body"] is None
    assert admin.delete(f"/api/comments/{reply}", headers=ORIGIN).status_code == 204
    assert anon.get("/api/papers/2611.00001/comments").json()["comments"] == []


def test_reply_must_be_on_same_paper(world):
    alice, *_ = world
    cid = _comment(alice, pid="2611.00001")
    r = alice.post("/api/papers/2611.00002/comments", json={"body": "x", "parent_id": cid},
                   headers=ORIGIN)
    assert r.status_code == 422


def test_admin_hides_and_only_admin(world, cstore):
    alice, bob, admin, anon = world
    cid = _comment(alice, "rude")
    assert bob.post(f"/api/comments/{cid}/hide", headers=ORIGIN).status_code == 403
    assert admin.post(f"/api/comments/{cid}/hide", headers=ORIGIN).status_code == 200
    assert anon.get("/api/papers/2611.00001/comments").json()["comments"] == []
    assert "rude" not in anon.get("/papers/2611.00001").text
    assert "rude" in admin.get("/admin/comments").text
    assert bob.get("/admin/comments").status_code == 403
    signed_out = anon.get("/admin/users", follow_redirects=False)  # a browser: log in first
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/login?next=/admin/users"
    assert anon.get("/admin/users", headers={"Accept": "application/json"}).status_code == 401


def test_private_collections_stay_private(world, cstore):
    alice, bob, admin, anon = world
    r = alice.post("/api/collections", json={"name": "secret stuff"}, headers=ORIGIN)
    cid = r.json()["id"]
    assert alice.put(f"/api/collections/{cid}/papers/2611.00001", headers=ORIGIN).json()["added"]
    for c in (bob, anon, admin):
        for path in (f"/api/collections/{cid}", f"/collections/{cid}", f"/collections/{cid}.bib",
                     f"/collections/{cid}.ris", f"/collections/{cid}.atom"):
            assert c.get(path).status_code == 404, path
        assert c.put(f"/api/collections/{cid}/papers/2611.00002", headers=ORIGIN).status_code in (401, 404)
        assert c.delete(f"/api/collections/{cid}", headers=ORIGIN).status_code in (401, 404)
        assert c.patch(f"/api/collections/{cid}", json={"public": True},
                       headers=ORIGIN).status_code in (401, 404)
    assert "secret stuff" not in bob.get("/users/alice").text
    assert alice.get(f"/collections/{cid}.bib").status_code == 200
    # made public: readable by all, still writable only by its owner
    alice.patch(f"/api/collections/{cid}", json={"public": True}, headers=ORIGIN)
    assert anon.get(f"/api/collections/{cid}").json()["papers"][0]["id"] == "2611.00001"
    assert bob.put(f"/api/collections/{cid}/papers/2611.00002", headers=ORIGIN).status_code == 404


def test_api_tokens_revocable_and_owned(world, cstore, app):
    alice, bob, *_ = world
    r = alice.post("/account/tokens", data={"name": "script"}, headers=ORIGIN)
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    token = r.text.split("<code>prt_", 1)[1].split("</code>", 1)[0]
    token = "prt_" + token
    h = {"Authorization": f"Bearer {token}"}
    api = TestClient(app)
    assert api.get("/api/me", headers=h).json()["name"] == "alice"
    assert api.get("/api/me").status_code == 401
    assert api.post("/api/papers/2611.00003/upvote", headers=h).json()["upvoted"]
    tid = cstore.list_api_tokens(cstore.get_user_by_email("alice@example.org").id)[0].id
    assert bob.post(f"/account/tokens/{tid}/delete", headers=ORIGIN).status_code == 404
    assert alice.post(f"/account/tokens/{tid}/delete", headers=ORIGIN,
                      follow_redirects=False).status_code == 303
    assert api.post("/api/papers/2611.00003/upvote", headers=h).status_code == 401


def test_unverified_users_cannot_post(app, cstore):
    add_papers(cstore, 1)
    c = logged_in(app, cstore, "new@example.org", verified=False)
    assert c.post("/api/papers/2611.00001/upvote", headers=ORIGIN).status_code == 403
    assert c.post("/api/papers/2611.00001/comments", json={"body": "hi"},
                  headers=ORIGIN).status_code == 403


def test_ban_hides_content_and_unban_restores(world, cstore, app):
    alice, bob, admin, anon = world
    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    add_papers(cstore, 1, date="", published=now, prefix="2612")
    assert bob.post("/api/papers/submit", json={"id": "2612.00001"}, headers=ORIGIN).status_code == 201
    _comment(bob, "spam spam")
    bob.post("/api/papers/2611.00001/upvote", headers=ORIGIN)
    assert anon.get("/api/papers/2611.00001/upvote").json()["upvotes"] == 5
    bob_id = cstore.get_user_by_email("bob@example.org").id
    r = admin.post(f"/admin/users/{bob_id}", data={"action": "ban"}, headers=ORIGIN,
                   follow_redirects=False)
    assert r.status_code == 303
    assert anon.get("/api/papers/2611.00001/upvote").json()["upvotes"] == 4
    assert anon.get("/api/papers/2611.00001/comments").json()["comments"] == []
    assert "spam spam" not in anon.get("/papers/2611.00001").text
    assert cstore.daily_entries_for("2612.00001") == []
    assert anon.get("/users/bob").status_code == 404
    assert bob.post("/api/papers/2611.00002/upvote", headers=ORIGIN).status_code == 401
    admin.post(f"/admin/users/{bob_id}", data={"action": "unban"}, headers=ORIGIN)
    assert anon.get("/api/papers/2611.00001/upvote").json()["upvotes"] == 5
    assert cstore.daily_entries_for("2612.00001")[0].submitted_by == "bob"
    assert admin.post(f"/admin/users/{cstore.get_user_by_email('admin@example.org').id}",
                      data={"action": "ban"}, headers=ORIGIN).status_code == 409


def test_admin_removes_a_submission(world, cstore):
    alice, bob, admin, anon = world
    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    add_papers(cstore, 1, date="", published=now, prefix="2612")
    alice.post("/api/papers/submit", json={"id": "2612.00001"}, headers=ORIGIN)
    assert "2612.00001" in admin.get("/admin/papers").text
    assert bob.post("/admin/papers/2612.00001/remove", headers=ORIGIN).status_code == 403
    assert admin.post("/admin/papers/2612.00001/remove", headers=ORIGIN,
                      follow_redirects=False).status_code == 303
    assert cstore.daily_entries_for("2612.00001") == []
