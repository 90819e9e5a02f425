"""The recommender where readers meet it: POST /api/v1/recommend, the "For you" page with
"not interested", library import on the settings page, and ``paperradar recommend``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from recommend_fixtures import DAY, library_id, rows, seed
from paperradar.config import Settings
from paperradar.web.app import create_app
from paperradar.web.security import Passwords

ORIGIN = {"Origin": "http://testserver"}
FAST = {"argon2_time_cost": 1, "argon2_memory_cost": 1024, "argon2_parallelism": 1}


@pytest.fixture
def app(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", env="test", base_url="http://testserver",
                        **FAST)
    app = create_app(settings)
    seed(app.state.store)
    return app


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def signed_in(app, client, email="reader@example.org"):
    pw = Passwords(app.state.settings)
    user = app.state.store.create_user(email, email.split("@")[0], pw.hash("correct horse battery"),
                                       verified=True)
    r = client.post("/login", data={"email": email, "password": "correct horse battery"},
                    headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 303
    return user


def test_api_ranks_reports_unknown_and_invalid(client):
    data = rows()
    body = {"papers": [library_id(40), "https://arxiv.org/abs/2601.55555", "not-an-id"],
            "since": DAY, "until": DAY, "limit": 5}
    r = client.post("/api/v1/recommend", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["mode"] == "recommended" and out["unknown"] == ["2601.55555"]
    assert out["invalid"] == ["not-an-id"]
    assert len(out["items"]) == 5 and out["items"][0]["id"] == data[40]["id"]
    assert out["items"][0]["reasons"][0]["paper_id"] == library_id(40)
    scores = [i["score"] for i in out["items"]]
    assert scores == sorted(scores, reverse=True)
    assert client.post("/api/v1/recommend", json=body).json() == out  # deterministic


def test_api_without_usable_papers_is_the_trending_list_said_so(client):
    r = client.post("/api/v1/recommend", json={"papers": ["2601.55555"], "since": DAY,
                                                "until": DAY})
    assert r.status_code == 200 and r.json()["mode"] == "trending"
    assert "trending" in r.json()["note"]


@pytest.mark.parametrize("body,status", [
    ({"papers": [], "since": "2026-03-02", "until": "2026-03-01"}, 400),
    ({"papers": [], "since": "2026-01-01", "until": "2026-03-01"}, 400),
    ({"papers": ["2401.00001"] * 501}, 422),
    ({"papers": "2401.00001"}, 422),
    ({"papers": [], "limit": 0}, 422),
    ({"papers": [], "since": "yesterday"}, 422),
])
def test_api_bad_input_is_a_clear_error(client, body, status):
    r = client.post("/api/v1/recommend", json=body)
    assert r.status_code == status, r.text
    assert r.json()["status"] == status and r.json()["detail"]


def test_api_is_documented_with_its_errors(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/v1/recommend"]["post"]
    assert {"200", "400", "422", "429"} <= set(op["responses"])
    assert "papers" in json.dumps(spec["components"]["schemas"]["RecommendRequest"])


def test_for_you_page_reasons_and_not_interested(app, client):
    data = rows()
    assert client.get("/for-you", follow_redirects=False).status_code == 303  # sign in first
    user = signed_in(app, client)
    page = client.get("/for-you?period=week")
    assert page.status_code == 200 and "trending" in page.text  # nothing to learn from yet
    app.state.store.set_vote(user.id, library_id(77), True)
    page = client.get("/for-you?period=week")
    assert "The newest papers here are from 2026-03-01" in page.text
    first = page.text.index(f'id="p-{data[77]["id"]}"')
    assert "because you upvoted" in page.text[first:first + 4000]
    assert "Earlier work 77" in page.text
    r = client.post(f"/for-you/{data[77]['id']}/dismiss", headers=ORIGIN,
                    data={"next": "/for-you?period=week"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/for-you?period=week"
    assert f'id="p-{data[77]["id"]}"' not in client.get("/for-you?period=week").text
    assert client.post("/for-you/2601.55555/dismiss", headers=ORIGIN).status_code == 404
    assert client.get("/for-you?period=year").status_code == 400


def test_library_import_into_a_private_collection(app, client):
    data = rows()
    user = signed_in(app, client)
    bib = (f"@misc{{a, title={{Mine}}, eprint={{{library_id(3)}}}}}\n"
           "@misc{b, title={Not here}, eprint={2601.55555}}\n"
           "@misc{c, title={No id}}\n").encode()
    r = client.post("/settings/library", headers=ORIGIN, data={"name": "Zotero"},
                    files={"file": ("refs.bib", bib, "application/x-bibtex")})
    assert r.status_code == 200, r.text
    assert "1 new paper" in r.text and "2601.55555" in r.text and "no arXiv id" in r.text
    [coll] = [c for c in app.state.store.list_collections(user.id) if c.name == "Zotero"]
    assert not coll.is_public
    assert app.state.store.collection_paper_ids(coll.id) == [library_id(3)]
    page = client.get("/for-you?period=week").text
    assert f'id="p-{data[3]["id"]}"' in page and "Zotero" in page


@pytest.mark.parametrize("payload,status,message", [
    (b"\x00\x01\x02 binary", 400, "not a text file"),
    (b"@misc{b, title={Not here}, eprint={2601.55555}}", 400, "none of the library"),
    (b"x" * (6 * 1024 * 1024), 413, "too large"),
])
def test_bad_uploads_are_clear_errors_that_write_nothing(app, client, payload, status, message):
    user = signed_in(app, client)
    r = client.post("/settings/library", headers=ORIGIN,
                    files={"file": ("lib.bib", payload, "text/plain")})
    assert r.status_code == status and message in r.text
    assert [c for c in app.state.store.list_collections(user.id) if not c.is_default] == []


def test_cli_recommend_from_a_library_file(app, tmp_path):
    data = rows()
    db = app.state.store.path
    lib = tmp_path / "ids.txt"
    lib.write_text(f"{library_id(40)}\nhttps://arxiv.org/abs/2601.55555\nnonsense\n")
    env = {**os.environ, "PAPERRADAR_DATABASE_URL": f"sqlite:///{db}",
           "PAPERRADAR_DATA_DIR": str(tmp_path / "data")}
    cmd = [sys.executable, "-m", "paperradar", "recommend", "--library", str(lib),
           "--since", DAY, "--until", DAY, "--limit", "3"]
    out = subprocess.run(cmd + ["--json"], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["items"][0]["id"] == data[40]["id"] and len(got["items"]) == 3
    assert got["library"]["missing"] == ["2601.55555"] and got["library"]["unusable"]
    text = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert text.returncode == 0 and "not stored (use --fetch): 2601.55555" in text.stderr
    assert "because your library has" in text.stdout
    bad = subprocess.run(cmd[:5] + [str(tmp_path / "missing.bib")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "cannot read" in bad.stderr
