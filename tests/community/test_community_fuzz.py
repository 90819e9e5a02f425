"""Any path segment, id, query or body on the community routes gives a 2xx/3xx or a clean
4xx, never a 500, signed in or not (hypothesis against the real app), and bad input writes
nothing."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_fixtures import ORIGIN, add_papers, logged_in

GET_TEMPLATES = ["/api/papers/{s}/upvote", "/api/papers/{s}/comments", "/collections/{i}",
                 "/api/collections/{i}", "/collections/{i}.bib", "/collections/{i}.atom",
                 "/users/{s}", "/users/{s}?tab={s}&p={i}", "/api/users/{s}/collections",
                 "/comments/{i}/edit", "/verify?token={s}", "/reset/confirm?token={s}",
                 "/login?next={s}", "/admin/users?q={s}&p={i}", "/admin/comments?p={i}",
                 "/api/collections/{i}?limit={i}&offset={i}"]
WRITE_TEMPLATES = [("POST", "/api/papers/{s}/upvote", None), ("DELETE", "/api/papers/{s}/upvote", None),
                   ("POST", "/api/papers/{s}/comments", "json"), ("PATCH", "/api/comments/{i}", "json"),
                   ("DELETE", "/api/comments/{i}", None), ("POST", "/api/comments/{i}/hide", None),
                   ("POST", "/api/papers/submit", "json"), ("POST", "/api/collections", "json"),
                   ("PATCH", "/api/collections/{i}", "json"), ("PUT", "/api/collections/{i}/papers/{s}", None),
                   ("POST", "/papers/{s}/comments", "form"), ("POST", "/papers/{s}/upvote", "form"),
                   ("POST", "/papers/{s}/save", "form"), ("POST", "/collections/{i}/settings", "form"),
                   ("POST", "/comments/{i}/delete", "form"), ("POST", "/papers/submit", "form"),
                   ("POST", "/login", "form"), ("POST", "/signup", "form"), ("POST", "/reset", "form"),
                   ("POST", "/admin/users/{i}", "form"), ("POST", "/account/tokens/{i}/delete", "form")]

segments = st.one_of(st.text(max_size=40), st.sampled_from(
    ["2611.00001", "hep-th/9901001", "..", "%2e%2e", "x" * 300, "<script>", "\x00", " "]))
ints = st.one_of(st.integers(min_value=-2 ** 70, max_value=2 ** 70),
                 st.sampled_from([0, 1, 2 ** 63, -1]))
values = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2 ** 70, max_value=2 ** 70),
                   st.text(max_size=60), st.lists(st.integers(), max_size=3))
bodies = st.dictionaries(st.sampled_from(["body", "parent_id", "id", "name", "public", "email",
                                          "password", "paper", "action", "hidden", "csrf_token",
                                          "collection", "next", "token"]), values, max_size=5)


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    from community_fixtures import FAST_ARGON
    from paperradar.config import Settings
    from paperradar.web.app import create_app

    s = Settings(data_dir=tmp_path_factory.mktemp("fuzz"), env="test", base_url="http://testserver",
                 smtp_url="smtp://127.0.0.1:9", smtp_max_retries=0, rate_limits_enabled=False,
                 **FAST_ARGON)
    app = create_app(s)
    add_papers(app.state.store, 2)
    anon = TestClient(app, raise_server_exceptions=False)
    user = logged_in(app, app.state.store, "fuzz@example.org", admin=True)
    user = TestClient(app, raise_server_exceptions=False, cookies=dict(user.cookies))
    assert user.get("/api/collections").status_code == 200  # really signed in
    return anon, user, app.state.store


def _fill(template: str, s: str, i: int) -> str:
    return template.replace("{s}", quote(s, safe="")).replace("{i}", str(i))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(t=st.sampled_from(GET_TEMPLATES), s=segments, i=ints, who=st.booleans())
def test_get_never_500(clients, t, s, i, who):
    c = clients[1] if who else clients[0]
    r = c.get(_fill(t, s, i), follow_redirects=False)
    assert r.status_code < 500, (t, s, i, r.status_code, r.text[:300])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(w=st.sampled_from(WRITE_TEMPLATES), s=segments, i=ints, body=bodies, who=st.booleans())
def test_writes_never_500(clients, w, s, i, body, who):
    method, t, kind = w
    c = clients[1] if who else clients[0]
    kw: dict = {"headers": ORIGIN, "follow_redirects": False}
    if kind == "json":
        kw["json"] = body
    elif kind == "form":
        kw["data"] = {k: "" if v is None else str(v) for k, v in body.items()}
    r = c.request(method, _fill(t, s, i), **kw)
    assert r.status_code < 500, (method, t, s, i, body, r.status_code, r.text[:300])
