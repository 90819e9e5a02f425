"""Subscribing through the running app (TestClient, real SQLite, real SMTP): double opt-in,
no enumeration, one click for signed-in users, the RFC 8058 unsubscribe matrix through the
CSRF layer, preferences pages and the JSON API."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from notify_helpers import active
from fastapi.testclient import TestClient

from paperradar.notify import subscriptions as subs
from paperradar.web.app import create_app
from paperradar.web.security import Passwords

ORIGIN = {"Origin": "https://papers.example"}
FAST_ARGON = {"argon2_time_cost": 1, "argon2_memory_cost": 1024, "argon2_parallelism": 1}


@pytest.fixture
def wsettings(mail_settings):
    return mail_settings.model_copy(update={"rate_limit_subscribe": "100/1h", **FAST_ARGON})


@pytest.fixture
def app(wsettings):
    return create_app(wsettings)


@pytest.fixture
def client(app):
    with TestClient(app, base_url="https://papers.example") as c:
        yield c


def _store(app):
    return app.state.store


def _link(msg, path: str) -> str:
    return re.search(rf"https://papers\.example{path}\S+", msg.get_body(("plain",)).get_content()).group(0)


def _strip(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def test_double_opt_in(client, app, smtp):
    r = client.post("/subscribe", data={"email": "New@Example.org", "frequency": "weekly"},
                    headers=ORIGIN)
    assert r.status_code == 200 and subs.NEUTRAL_MESSAGE in r.text
    sub = _store(app).get_subscriber_by_email("new@example.org")
    assert (sub.status, sub.frequency) == ("pending", "weekly")
    (mail,) = smtp.received("New@example.org")
    link = _link(mail, "/subscribe/confirm/")
    page = client.get(link)  # a link scanner's GET confirms nothing
    assert page.status_code == 200 and 'action="/subscribe/confirm/' in page.text
    assert _store(app).get_subscriber(sub.id).status == "pending"
    done = client.post(link)
    assert done.status_code == 200 and "confirmed" in done.text
    assert _store(app).get_subscriber(sub.id).status == "active"
    again = client.post(link)  # single use
    assert again.status_code == 400 and _store(app).get_subscriber(sub.id).status == "active"
    assert client.get(link).status_code == 400


def test_confirm_tokens_expire(wsettings, store, smtp):
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    subs.request_subscription(wsettings, store, "late@example.org", now=t0)
    token = _link(smtp.received("late@example.org")[0], "/subscribe/confirm/").rsplit("/", 1)[1]
    later = t0 + timedelta(hours=wsettings.digest_confirm_ttl_hours, seconds=1)
    assert subs.confirm(store, token, now=later) is None
    assert store.get_subscriber_by_email("late@example.org").status == "pending"
    assert subs.confirm(store, "forged" + token, now=t0) is None


def test_no_enumeration(client, app, smtp):
    _store(app).add_subscriber(active("known@example.org"))
    answers = [client.post("/subscribe", data={"email": e}, headers=ORIGIN)
               for e in ("known@example.org", "fresh@example.org")]
    assert [a.status_code for a in answers] == [200, 200]
    assert _strip(answers[0].text) == _strip(answers[1].text)
    api = [client.post("/api/subscribe", json={"email": e}) for e in ("known@example.org",
                                                                      "fresh2@example.org")]
    assert [a.status_code for a in api] == [202, 202] and api[0].json() == api[1].json()
    # the known address gets a note with its manage link, not a confirmation
    notes = smtp.received("known@example.org")
    assert len(notes) == 2 and all("already subscribed" in m.get_body(("plain",)).get_content()
                                   for m in notes)
    assert _store(app).get_subscriber_by_email("known@example.org").status == "active"


def test_bad_email_is_a_clear_400(client, app):
    r = client.post("/subscribe", data={"email": "not an address"}, headers=ORIGIN)
    assert r.status_code == 400 and "valid email" in r.text
    j = client.post("/api/subscribe", json={"email": "x@", "frequency": "hourly"})
    assert j.status_code == 400
    assert client.post("/api/subscribe", content=b"[1,2", headers={
        "content-type": "application/json"}).status_code == 400
    assert _store(app).list_subscribers() == []


def test_subscribe_rate_limited(wsettings, smtp):
    app = create_app(wsettings.model_copy(update={"rate_limit_subscribe": "2/1h"}))
    with TestClient(app, base_url="https://papers.example") as c:
        codes = [c.post("/api/subscribe", json={"email": f"r{i}@example.org"}).status_code
                 for i in range(3)]
    assert codes == [202, 202, 429]


def _logged_in(app, email: str, wsettings) -> TestClient:
    pw = Passwords(wsettings)
    _store(app).create_user(email, email.split("@")[0], pw.hash("correct horse 9"), verified=True)
    c = TestClient(app, base_url="https://papers.example")
    r = c.post("/login", data={"email": email, "password": "correct horse 9"}, headers=ORIGIN,
               follow_redirects=False)
    assert r.status_code == 303, r.text
    return c


def test_signed_in_one_click_and_api(app, wsettings, smtp):
    c = _logged_in(app, "member@example.org", wsettings)
    assert c.get("/api/subscription").status_code == 404
    r = c.post("/subscribe", data={}, headers=ORIGIN)
    assert r.status_code == 200 and "You are subscribed" in r.text
    assert smtp.received("member@example.org") == []  # no confirmation needed
    got = c.get("/api/subscription").json()["subscription"]
    assert (got["email"], got["status"]) == ("member@example.org", "active")
    upd = c.put("/api/subscription", json={"frequency": "weekly", "weekday": 4, "hour": 7,
                                           "timezone": "Asia/Tokyo", "queries": ["graph neural"]},
                headers=ORIGIN)
    assert upd.status_code == 200
    sub = upd.json()["subscription"]
    assert (sub["frequency"], sub["weekday"], sub["timezone"], sub["queries"]) == (
        "weekly", 4, "Asia/Tokyo", ["graph neural"])
    bad = c.put("/api/subscription", json={"timezone": "Mars/Olympus"}, headers=ORIGIN)
    assert bad.status_code == 400 and "time zone" in bad.text
    assert c.get("/api/subscription").json()["subscription"]["timezone"] == "Asia/Tokyo"
    cross = c.put("/api/subscription", json={"hour": 3}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    page = c.get("/settings/digest")
    assert page.status_code == 200 and "Asia/Tokyo" in page.text
    assert c.delete("/api/subscription", headers=ORIGIN).json()["subscription"]["status"] == \
        "unsubscribed"


def test_one_click_unsubscribe_matrix(app, wsettings, client):
    sub, _ = _store(app).add_subscriber(active("leaver@example.org"))
    url = subs.links(wsettings, sub)["unsubscribe"]
    # GET shows a confirmation page and changes nothing
    page = client.get(url)
    assert page.status_code == 200 and 'method="post"' in page.text
    assert _store(app).get_subscriber(sub.id).status == "active"
    # forged tokens: 4xx on GET and POST, nothing changes
    sid, mac = url.rsplit("/", 1)[1].split(".")
    other, _ = _store(app).add_subscriber(active("other@example.org"))
    forged = [f"{sid}.{'0' * 32}", f"{other.id}.{mac}", "garbage", f"{sid}.{mac[:-1]}",
              subs.link_token(wsettings, "manage", sub), f"\u00b2.{mac}", f"{sid}\u00b9.{mac}"]
    for token in forged:
        for method in ("GET", "POST"):
            r = client.request(method, f"/unsubscribe/{token}", data={
                "List-Unsubscribe": "One-Click"})
            assert 400 <= r.status_code < 500, (token, method, r.status_code)
    assert {s.status for s in _store(app).list_subscribers()} == {"active"}
    # RFC 8058: a cookie-less POST (as mail providers send it) unsubscribes at once, 2xx, no redirect
    with TestClient(app, base_url="https://papers.example") as bare:
        for _ in range(2):  # idempotent
            r = bare.post(url, content=b"List-Unsubscribe=One-Click", follow_redirects=False,
                          headers={"content-type": "application/x-www-form-urlencoded"})
            assert 200 <= r.status_code < 300 and "location" not in r.headers
            assert _store(app).get_subscriber(sub.id).status == "unsubscribed"
    assert _store(app).get_subscriber(other.id).status == "active"


def test_one_click_passes_csrf_layer_but_cookie_posts_are_checked(app, wsettings):
    c = _logged_in(app, "cookie@example.org", wsettings)
    sub, _ = _store(app).add_subscriber(active("target@example.org"))
    url = subs.links(wsettings, sub)["unsubscribe"]
    # with a session cookie the CSRF layer applies: cross-site refused, same-origin allowed
    assert c.post(url, headers={"Origin": "https://evil.example"}).status_code == 403
    assert _store(app).get_subscriber(sub.id).status == "active"
    assert c.post(url, headers=ORIGIN).status_code == 200
    assert _store(app).get_subscriber(sub.id).status == "unsubscribed"


def test_preferences_page_by_manage_link(app, wsettings, client):
    sub, _ = _store(app).add_subscriber(active("prefs@example.org"))
    url = subs.links(wsettings, sub)["manage"]
    page = client.get(url)
    assert page.status_code == 200 and "prefs@example.org" in page.text
    form = {"form": "1", "frequency": "weekly", "weekday": "2", "hour": "18",
            "timezone": "Europe/Paris", "categories": "cs.CL\ncs.LG", "queries": "retrieval",
            "authors": "", "trending": "1"}
    r = client.post(url, data=form)
    assert r.status_code == 200 and "Saved" in r.text
    got = _store(app).get_subscriber(sub.id)
    assert (got.frequency, got.weekday, got.hour, got.timezone, got.categories, got.queries,
            got.recommendations) == ("weekly", 2, 18, "Europe/Paris", ["cs.CL", "cs.LG"],
                                     ["retrieval"], False)
    bad = client.post(url, data={**form, "hour": "25", "categories": "<script>"})
    assert bad.status_code == 400 and "<script>" not in bad.text
    assert _store(app).get_subscriber(sub.id).hour == 18  # nothing written
    api = client.put(f"/api/subscriptions/{url.rsplit('/', 1)[1]}", json={"authors": ["Ada"]})
    assert api.status_code == 200 and api.json()["subscription"]["authors"] == ["Ada"]
    assert client.get("/subscription/1.deadbeef").status_code == 400


def test_any_input_gives_a_clean_answer(app, wsettings):
    """Hostile tokens, form fields and JSON bodies: a 2xx or a clean 4xx, never a 500."""
    from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

    sub, _ = _store(app).add_subscriber(active("fuzz@example.org"))
    manage = subs.link_token(wsettings, "manage", sub)
    text = st.text(max_size=60)
    scalar = st.one_of(text, st.integers(-10**20, 10**20), st.booleans(), st.none(),
                       st.floats(allow_nan=False, allow_infinity=False))
    body = st.dictionaries(st.sampled_from(["email", "frequency", "hour", "weekday", "timezone",
                                            "trending", "categories", "queries", "authors"]),
                           st.one_of(scalar, st.lists(scalar, max_size=4)), max_size=6)

    with TestClient(app, base_url="https://papers.example", raise_server_exceptions=False) as c:
        @hsettings(max_examples=50, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(token=text, form=st.dictionaries(text, text, max_size=4), payload=body)
        def run(token, form, payload):
            from urllib.parse import quote

            t = quote(token, safe="") or "x"
            for method, path in (("GET", f"/unsubscribe/{t}"), ("POST", f"/unsubscribe/{t}"),
                                 ("GET", f"/subscribe/confirm/{t}"),
                                 ("POST", f"/subscribe/confirm/{t}"),
                                 ("GET", f"/subscription/{t}"), ("POST", f"/subscription/{t}")):
                assert c.request(method, path, data=form).status_code < 500
            assert c.post("/subscribe", data=form).status_code < 500
            assert c.post("/api/subscribe", json=payload).status_code < 500
            assert c.put(f"/api/subscriptions/{manage}", json=payload).status_code < 500
            assert c.post(f"/subscription/{manage}", data={**form, **{
                k: str(v) for k, v in payload.items()}}).status_code < 500

        run()


def test_subscribe_box_on_every_page(app, wsettings, client, smtp):
    home = client.get("/")
    assert home.status_code == 200
    assert 'action="/subscribe"' in home.text and 'name="email"' in home.text
    # a signed-in user with a verified address gets the one-click button, then a settings link
    c = _logged_in(app, "boxed@example.org", wsettings)
    page = c.get("/papers/trending")
    assert 'action="/subscribe"' in page.text and 'name="email"' not in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = c.post("/subscribe", data={"csrf_token": token, "frequency": "daily"},
               headers={"Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200 and "You are subscribed" in r.text
    assert 'href="/settings/digest"' in c.get("/").text
    assert smtp.received("boxed@example.org") == []
