"""Authorship claims through the real app on a real database (each backend): a verified user claims
the papers under a name, an administrator confirms, the papers show on the profile and
the author page; others cannot decide or claim without signing in."""

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

FAST = {"argon2_time_cost": 1, "argon2_memory_cost": 1024, "argon2_parallelism": 1}
ORIGIN = {"Origin": "http://testserver"}
PASSWORD = "correct horse battery"


@pytest.fixture
def capp(tmp_path, new_database):
    settings = Settings(data_dir=tmp_path / "data", env="test", base_url="http://testserver",
                        database_url=new_database(), **FAST)
    store = open_store(settings.resolved_database_url)
    store.upsert_records([Record(Paper(
        id=f"2611.{i:05d}", title=f"Analytical engines, part {i}",
        abstract=f"We describe analytical engine number {i}.", published=f"2026-11-0{i}",
        authors=[Author("Ada Lovelace"), Author("Charles Babbage")], sources=["test"]))
        for i in range(1, 4)])
    enrich_new(store)
    pw = Passwords(settings)
    store.create_user("ada@example.org", "ada", pw.hash(PASSWORD), verified=True)
    store.create_user("root@example.org", "root", pw.hash(PASSWORD), is_admin=True,
                      verified=True)
    store.close()
    return create_app(settings)


def _client(app, email: str | None) -> TestClient:
    c = TestClient(app)
    if email:
        r = c.post("/login", data={"email": email, "password": PASSWORD}, headers=ORIGIN,
                   follow_redirects=False)
        assert r.status_code == 303, r.text
    return c


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_claim_confirm_and_show(capp):
    with _client(capp, "ada@example.org") as ada, _client(capp, "root@example.org") as root:
        page = ada.get("/authors/ada%20lovelace").text
        assert "These are my papers" in page
        r = ada.post("/claims", data={"name": "Ada Lovelace", "csrf_token": _csrf(page)},
                     headers=ORIGIN, follow_redirects=False)
        assert r.status_code == 303
        assert "3 pending" in ada.get("/authors/ada%20lovelace").text
        assert ada.get("/admin/claims").status_code == 403  # not an admin
        admin_page = root.get("/admin/claims").text
        assert "ada lovelace" in admin_page and "<td>3</td>" in admin_page
        uid = re.search(r'name="user_id" value="(\d+)"', admin_page).group(1)
        r = root.post("/admin/claims/decide", headers=ORIGIN, follow_redirects=False,
                      data={"user_id": uid, "name": "ada lovelace", "action": "confirm",
                            "csrf_token": _csrf(admin_page)})
        assert r.status_code == 303
        assert "No pending claims" in root.get("/admin/claims").text
        profile = ada.get("/users/ada").text
        assert "Author of" in profile and profile.count("/papers/2611.0000") >= 3
        author = root.get("/authors/ada%20lovelace").text
        assert 'Claimed as author (confirmed) by <a href="/users/ada">ada</a>' in author
        assert "Claimed as author" not in root.get("/authors/charles%20babbage").text
        r = root.post("/admin/claims/decide", headers=ORIGIN, follow_redirects=False,
                      data={"user_id": uid, "name": "ada lovelace", "action": "reject",
                            "csrf_token": _csrf(admin_page)})
        assert r.status_code == 404  # nothing pending any more


def test_claims_need_a_signed_in_user_and_a_known_name(capp):
    with _client(capp, None) as anon:
        r = anon.post("/claims", data={"name": "Ada Lovelace"}, headers=ORIGIN,
                      follow_redirects=False)
        assert r.status_code in (401, 403)
        assert "These are my papers" not in anon.get("/authors/ada%20lovelace").text
    with _client(capp, "ada@example.org") as ada:
        token = _csrf(ada.get("/authors/ada%20lovelace").text)
        r = ada.post("/claims", data={"name": "Ada Lovelace"}, follow_redirects=False,
                     headers={"Origin": "https://evil.example"})
        assert r.status_code == 403  # cross-site form post
        for name in ("Nobody Here", "x" * 301):
            r = ada.post("/claims", data={"name": name, "csrf_token": token}, headers=ORIGIN,
                         follow_redirects=False)
            assert r.status_code in (404, 422), (name, r.status_code)
