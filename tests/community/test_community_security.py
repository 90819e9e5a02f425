"""The security list: CSRF matrix (cross-site blocked, same-origin allowed, token fallback,
cookie-less requests pass by design), rate limits answered with 429, security headers and CSP,
login CSRF on the cookie-less account forms."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from community_fixtures import ORIGIN, add_papers, logged_in, login, make_user
from paperradar.web.auth_deps import session_csrf


@pytest.fixture
def signed(app, cstore):
    add_papers(cstore, 2)
    return logged_in(app, cstore, "csrf@example.org")


def _csrf(app, c: TestClient) -> str:
    return session_csrf(app, f"paperradar_session={c.cookies.get('paperradar_session')}")


@pytest.mark.parametrize("headers, allowed", [
    ({"Sec-Fetch-Site": "cross-site"}, False),
    ({"Sec-Fetch-Site": "same-site"}, False),
    ({"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"}, False),
    ({"Origin": "https://evil.example"}, False),
    ({"Origin": "null"}, False),
    ({}, False),  # no browser metadata and no token
    ({"X-CSRF-Token": "wrong"}, False),
    ({"Sec-Fetch-Site": "same-origin"}, True),
    ({"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}, True),
    ({"Origin": "http://testserver"}, True),
])
def test_csrf_matrix_json_api(app, signed, headers, allowed):
    for method in ("POST", "DELETE"):
        r = signed.request(method, "/api/papers/2611.00001/upvote", headers=headers)
        assert r.status_code == (200 if allowed else 403), (method, headers, r.text)


def test_csrf_token_fallback_header_and_form(app, signed, cstore):
    token = _csrf(app, signed)
    assert token
    r = signed.post("/api/papers/2611.00001/upvote", headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["upvoted"]
    r = signed.post("/papers/2611.00002/upvote", data={"csrf_token": token, "action": "up"},
                    follow_redirects=False)
    assert r.status_code == 303
    r = signed.post("/papers/2611.00002/upvote", data={"csrf_token": "forged", "action": "down"},
                    follow_redirects=False)
    assert r.status_code == 403
    assert cstore.local_upvote_counts(["2611.00002"])["2611.00002"] == 1  # forged post lost


def test_cross_site_form_post_changes_nothing(app, signed, cstore):
    r = signed.post("/papers/2611.00001/comments", data={"body": "csrf!"},
                    headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
    assert r.status_code == 403
    assert cstore.list_comments("2611.00001") == []
    r = signed.post("/logout", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


def test_cookieless_requests_pass_the_csrf_layer(app, cstore, client):
    """Bearer API calls and mail-provider one-click POSTs carry no cookie: not CSRF-able."""
    from paperradar.web.community.account import issue_token

    add_papers(cstore, 1)
    user = make_user(cstore, "bot@example.org", "bot")
    token = issue_token(cstore, user.id, "bot")
    r = client.post("/api/papers/2611.00001/upvote", headers={
        "Authorization": f"Bearer {token}", "Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 200 and r.json()["upvotes"] == 1
    r = client.post("/api/papers/2611.00001/upvote", headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 401  # reached the app: no cookie, no authority
    r = client.post("/api/papers/2611.00001/upvote", headers={"Authorization": "Bearer prt_nope"})
    assert r.status_code == 401


def test_login_csrf_refused(client, cstore):
    make_user(cstore, "victim@example.org", "victim")
    r = login(client, "victim@example.org", **{"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403 and "set-cookie" not in r.headers
    r = login(client, "victim@example.org", Origin="https://evil.example")
    assert r.status_code == 403


def test_login_rate_limit_per_account_and_per_ip(app, cstore, client):
    make_user(cstore, "brute@example.org", "brute")
    for _ in range(10):
        assert login(client, "brute@example.org", "wrong password").status_code == 401
    r = login(client, "brute@example.org")  # even the right password waits
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    # per IP: many accounts from one address (30 per 5 minutes by default)
    for i in range(19):
        login(client, f"spray{i}@example.org", "wrong password")
    assert login(client, "someone-else@example.org", "x").status_code == 429


@pytest.mark.parametrize("kind, path, data", [
    ("signup", "/signup", {"email": "a{i}@example.org", "name": "a{i}", "password": "p" * 12}),
    ("reset", "/reset", {"email": "r{i}@example.org"}),
])
def test_signup_and_reset_rate_limits(csettings, tmp_path, kind, path, data):
    from paperradar.web.app import create_app

    s = csettings.model_copy(update={f"rate_limit_{kind}": "3/1h"})
    with TestClient(create_app(s)) as c:
        codes = [c.post(path, data={k: v.format(i=i) for k, v in data.items()},
                        headers=ORIGIN).status_code for i in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429


def test_comment_rate_limit(app, cstore, csettings):
    add_papers(cstore, 1)
    c = logged_in(app, cstore, "chatty@example.org")
    codes = [c.post("/api/papers/2611.00001/comments", json={"body": f"hello {i}"},
                    headers=ORIGIN).status_code for i in range(11)]
    assert codes[:10] == [201] * 10 and codes[10] == 429
    assert len(cstore.list_comments("2611.00001")) == 10


def test_security_headers_and_csp(client, cstore):
    add_papers(cstore, 1)
    for path in ("/", "/papers/2611.00001", "/login", "/api/papers/2611.00001/comments"):
        r = client.get(path)
        assert r.status_code == 200, path
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self';" in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"]
