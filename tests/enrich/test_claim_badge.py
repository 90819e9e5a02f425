"""Confirmed authorship claims mark their holders as authors in a paper's discussion, through
the real app on a real database (each backend): the "author" badge on the page and
``is_author`` in the comments API, for a confirmed claim on this paper only (not a pending or
rejected claim, not a claim on another paper); the claims page is one of the admin tabs."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from paperradar.config import Settings
from paperradar.enrich.build import enrich_new
from paperradar.models import Author, Paper, Record
from paperradar.store import open_store
from paperradar.web.app import create_app
from paperradar.web.security import Passwords

from .test_claims import FAST, ORIGIN, PASSWORD, _client, _csrf

PAPER, OTHER = "2611.00001", "2611.00009"
USERS = ["ada", "bob", "cyd", "dee", "eve"]  # confirmed, pending, rejected, other paper, none
BADGE = '<span class="badge author-badge"'


@pytest.fixture
def bapp(tmp_path, new_database):
    settings = Settings(data_dir=tmp_path / "data", env="test", base_url="http://testserver",
                        database_url=new_database(), **FAST)
    store = open_store(settings.resolved_database_url)
    store.upsert_records([
        Record(Paper(id=PAPER, title="Analytical engines", abstract="We describe an engine.",
                     published="2026-11-01", sources=["test"],
                     authors=[Author("Ada Lovelace"), Author("Charles Babbage")])),
        Record(Paper(id=OTHER, title="Compilers for everyone", abstract="We compile code.",
                     published="2026-11-02", authors=[Author("Grace Hopper")],
                     sources=["test"]))])
    enrich_new(store)
    pw = Passwords(settings)
    for name in USERS:
        store.create_user(f"{name}@example.org", name, pw.hash(PASSWORD), verified=True)
    store.create_user("root@example.org", "root", pw.hash(PASSWORD), is_admin=True,
                      verified=True)
    store.close()
    return create_app(settings)


def _claim(c: TestClient, name: str) -> None:
    page = c.get("/authors/" + name.replace(" ", "%20")).text
    r = c.post("/claims", data={"name": name, "csrf_token": _csrf(page)}, headers=ORIGIN,
               follow_redirects=False)
    assert r.status_code == 303, r.text


def _decide(root: TestClient, user: str, name: str, action: str) -> None:
    page = root.get("/admin/claims").text
    uid = re.search(rf'<a href="/users/{user}">{user}</a>.*?name="user_id" value="(\d+)"',
                    page, re.S).group(1)
    r = root.post("/admin/claims/decide", headers=ORIGIN, follow_redirects=False,
                  data={"user_id": uid, "name": name, "action": action,
                        "csrf_token": _csrf(page)})
    assert r.status_code == 303, r.text


def _comment(c: TestClient, paper: str, body: str) -> None:
    page = c.get(f"/papers/{paper}").text
    r = c.post(f"/papers/{paper}/comments", data={"body": body, "csrf_token": _csrf(page)},
               headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 303, r.text


def _badged(page: str) -> dict[str, bool]:
    """Commenter name -> whether the page shows the author badge on their comment."""
    out = {}
    for art in re.findall(r'<article class="comment[^"]*" id="c\d+">(.*?)</article>', page, re.S):
        who = re.search(r'class="who">([^<]+)</a>', art)
        if who:
            out[who.group(1)] = BADGE in art
    return out


def test_confirmed_claimants_are_marked_as_authors(bapp):
    clients = {n: _client(bapp, f"{n}@example.org") for n in USERS + ["root"]}
    root = clients["root"]
    try:
        for user, name in [("ada", "Ada Lovelace"), ("bob", "Charles Babbage"),
                           ("cyd", "Charles Babbage"), ("dee", "Grace Hopper")]:
            _claim(clients[user], name)
        _decide(root, "ada", "ada lovelace", "confirm")
        _decide(root, "cyd", "charles babbage", "reject")
        _decide(root, "dee", "grace hopper", "confirm")
        for user in USERS:
            _comment(clients[user], PAPER, f"A comment by {user}.")
        _comment(clients["ada"], OTHER, "Ada on a paper she did not write.")
        _comment(clients["dee"], OTHER, "Dee on her own paper.")

        want = {"ada": True, "bob": False, "cyd": False, "dee": False, "eve": False}
        anon = TestClient(bapp)
        assert _badged(anon.get(f"/papers/{PAPER}").text) == want
        assert _badged(anon.get(f"/papers/{OTHER}").text) == {"ada": False, "dee": True}
        listed = anon.get(f"/api/papers/{PAPER}/comments").json()["comments"]
        assert {d["author"]: d["is_author"] for d in listed} == want
        listed = anon.get(f"/api/papers/{OTHER}/comments").json()["comments"]
        assert {d["author"]: d["is_author"] for d in listed} == {"ada": False, "dee": True}

        # single-comment answers carry the field too
        ada = clients["ada"]
        token = _csrf(ada.get(f"/papers/{PAPER}").text)
        r = ada.post(f"/api/papers/{PAPER}/comments", json={"body": "Via the API."},
                     headers={**ORIGIN, "X-CSRF-Token": token})
        assert r.status_code == 201, r.text
        assert r.json()["is_author"] is True
        r = ada.post(f"/api/papers/{OTHER}/comments", json={"body": "Not mine."},
                     headers={**ORIGIN, "X-CSRF-Token": token})
        assert r.status_code == 201 and r.json()["is_author"] is False
        dee_id = next(d["id"] for d in listed if d["author"] == "dee")
        eve = clients["eve"]
        r = eve.post(f"/api/papers/{OTHER}/comments", json={"body": "A reply.",
                     "parent_id": dee_id}, headers={**ORIGIN, "X-CSRF-Token": _csrf(
                         eve.get(f"/papers/{OTHER}").text)})
        assert r.status_code == 201 and r.json()["is_author"] is False
        r = root.post(f"/api/comments/{dee_id}/hide", headers={
            **ORIGIN, "X-CSRF-Token": _csrf(root.get("/admin/claims").text)})
        assert r.status_code == 200 and r.json()["is_author"] is True  # the admin sees who
        hidden = [d for d in anon.get(f"/api/papers/{OTHER}/comments").json()["comments"]
                  if d["id"] == dee_id]  # kept for its reply, without a name or a badge
        assert [(d["author"], d["is_author"]) for d in hidden] == [(None, False)]
        assert _badged(anon.get(f"/papers/{OTHER}").text) == {"ada": False, "eve": False}
    finally:
        for c in clients.values():
            c.close()


def test_claims_is_an_admin_tab(bapp):
    with _client(bapp, "root@example.org") as root:
        for tab in ("users", "papers", "comments"):
            page = root.get(f"/admin/{tab}").text
            assert '<a href="/admin/claims">Claims</a>' in page, tab
        page = root.get("/admin/claims").text
        assert '<a href="/admin/claims" aria-current="page">Claims</a>' in page
        assert '<a href="/admin/users">Users</a>' in page
