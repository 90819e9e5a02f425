"""Accounts end to end against the real app and a real SMTP server: sign-up, verification
(GET shows, POST confirms), login/logout, reset, argon2id with rehash, no enumeration,
cookie flags, session rotation, session death at logout, the user CLI."""

from __future__ import annotations

from fastapi.testclient import TestClient

from paperradar.config import Settings
from paperradar.web.app import create_app
from paperradar.web.security import Passwords, hash_secret

from community_fixtures import ORIGIN, PASSWORD, body_of, link_in, login, make_user


def test_signup_verify_login_logout(client, cstore, smtp):
    sink, _ = smtp
    r = client.post("/signup", data={"email": "ann@example.org", "name": "ann",
                                     "password": PASSWORD}, headers=ORIGIN)
    assert r.status_code == 200 and "Check your inbox" in r.text
    user = cstore.get_user_by_email("ann@example.org")
    assert user.password_hash.startswith("$argon2id$") and not user.verified
    token = link_in(sink.wait_for("ann@example.org")[-1], "verify")
    assert client.get(f"/verify?token={token}").status_code == 200
    assert not cstore.get_user_by_email("ann@example.org").verified  # GET changes nothing
    assert client.post("/verify", data={"token": token}).status_code == 200
    assert cstore.get_user_by_email("ann@example.org").verified
    assert client.post("/verify", data={"token": token}).status_code == 400  # single use
    r = login(client, "ann@example.org")
    assert r.status_code == 303
    sid = client.cookies.get("paperradar_session")
    assert sid and cstore.get_session(hash_secret(sid), "2000-01-01T00:00:00Z")
    assert "ann" in client.get("/collections").text
    r = client.post("/logout", headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 303
    assert cstore.get_session(hash_secret(sid), "2000-01-01T00:00:00Z") is None
    replay = TestClient(client.app)
    replay.cookies.set("paperradar_session", sid)
    assert replay.get("/collections", follow_redirects=False).status_code == 303  # to /login


def test_no_account_enumeration(client, cstore, smtp):
    sink, _ = smtp
    make_user(cstore, "known@example.org", "known")
    a = client.post("/signup", data={"email": "known@example.org", "name": "other1",
                                     "password": PASSWORD}, headers=ORIGIN)
    b = client.post("/signup", data={"email": "fresh@example.org", "name": "other2",
                                     "password": PASSWORD}, headers=ORIGIN)
    assert a.status_code == b.status_code == 200
    assert _main(a.text) == _main(b.text)
    assert "already" in body_of(sink.wait_for("known@example.org")[-1])  # told by mail only
    a = login(client, "known@example.org", "wrong password!")
    b = login(client, "nobody@example.org", "wrong password!")
    assert a.status_code == b.status_code == 401
    assert _main(a.text).replace("known@", "X@") == _main(b.text).replace("nobody@", "X@")
    a = client.post("/reset", data={"email": "known@example.org"}, headers=ORIGIN)
    b = client.post("/reset", data={"email": "nobody@example.org"}, headers=ORIGIN)
    assert a.status_code == b.status_code == 200 and _main(a.text) == _main(b.text)
    sink.wait_for("known@example.org", 2)
    assert sink.to("nobody@example.org") == []


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def test_password_reset_flow(client, cstore, smtp):
    sink, _ = smtp
    make_user(cstore, "rita@example.org", "rita")
    other = TestClient(client.app)
    assert login(other, "rita@example.org").status_code == 303
    client.post("/reset", data={"email": "rita@example.org"}, headers=ORIGIN)
    token = link_in(sink.wait_for("rita@example.org")[-1], "reset/confirm")
    r = client.post("/reset/confirm", data={"token": token, "password": "short"}, headers=ORIGIN)
    assert r.status_code == 400
    r = client.post("/reset/confirm", data={"token": token, "password": "a brand new one!"},
                    headers=ORIGIN)
    assert r.status_code == 200
    assert client.post("/reset/confirm", data={"token": token, "password": "again again!"},
                       headers=ORIGIN).status_code == 400  # single use
    assert login(client, "rita@example.org").status_code == 401
    assert login(client, "rita@example.org", "a brand new one!").status_code == 303
    # the old session elsewhere died with the reset
    assert other.get("/collections", follow_redirects=False).status_code == 303


def test_rehash_when_parameters_change(tmp_path, smtp):
    weak = Settings(data_dir=tmp_path, env="test", argon2_time_cost=1, argon2_memory_cost=1024,
                    argon2_parallelism=1, base_url="http://testserver")
    stronger = weak.model_copy(update={"argon2_time_cost": 2, "argon2_memory_cost": 2048})
    app = create_app(weak)
    make_user(app.state.store, "old@example.org", "old", settings=weak)
    before = app.state.store.get_user_by_email("old@example.org").password_hash
    assert "m=1024,t=1" in before
    app.state.store.close()
    app2 = create_app(stronger)
    with TestClient(app2) as c:
        assert login(c, "old@example.org").status_code == 303
    after = app2.state.store.get_user_by_email("old@example.org").password_hash
    assert after != before and "m=2048,t=2" in after and after.startswith("$argon2id$")
    assert Passwords(stronger).verify(after, PASSWORD) == (True, False)


def test_unknown_user_still_costs_a_hash(app):
    pw = Passwords(app.state.settings)
    assert pw.verify(None, "anything") == (False, False)
    assert pw._dummy is not None  # a real argon2 verification ran


def _sid(response) -> str:
    return response.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]


def test_cookie_flags_and_rotation(app, cstore):
    make_user(cstore, "cara@example.org", "cara")
    c = TestClient(app, cookies={"paperradar_session": "attacker-chosen-value"})
    r = login(c, "cara@example.org")
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # http base URL
    first = _sid(r)
    assert first != "attacker-chosen-value"
    c2 = TestClient(app, cookies={"paperradar_session": first})
    second = _sid(login(c2, "cara@example.org"))
    assert second != first  # rotates at every login; the old id is gone
    assert cstore.get_session(hash_secret(first), "2000-01-01T00:00:00Z") is None
    assert cstore.get_session(hash_secret(second), "2000-01-01T00:00:00Z") is not None


def test_secure_cookie_on_https(tmp_path):
    s = Settings(data_dir=tmp_path, env="test", base_url="https://papers.example.org",
                 argon2_time_cost=1, argon2_memory_cost=1024, argon2_parallelism=1)
    app = create_app(s)
    make_user(app.state.store, "sec@example.org", "sec", settings=s)
    with TestClient(app, base_url="https://papers.example.org") as c:
        r = c.post("/login", data={"email": "sec@example.org", "password": PASSWORD},
                   headers={"Origin": "https://papers.example.org"}, follow_redirects=False)
        assert r.status_code == 303
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("__Host-paperradar_session=") and "Secure" in cookie
        assert "strict-transport-security" in r.headers


def test_login_next_is_local_only(client, cstore):
    make_user(cstore, "nx@example.org", "nx")
    r = client.post("/login", data={"email": "nx@example.org", "password": PASSWORD,
                                    "next": "//evil.example/x"}, headers=ORIGIN,
                    follow_redirects=False)
    assert r.headers["location"] == "/"


def test_user_cli(env_settings, capsys, monkeypatch):
    import io

    from paperradar.cli import main
    from paperradar.store import open_store

    def run(argv):
        try:
            main(argv)
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    run(["user", "create", "op@example.org", "--admin", "--password-stdin"])
    run(["user", "token", "op@example.org"])
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("prt_")
    with open_store(env_settings.resolved_database_url) as store:
        user = store.get_user_by_email("op@example.org")
        assert user.is_admin and user.verified and user.password_hash.startswith("$argon2id$")
        assert store.user_for_api_token(hash_secret(token), "2000-01-01T00:00:00Z").id == user.id
        assert token not in str(_sql(store, "SELECT * FROM api_tokens"))


def _age_session(cstore, sid: str, hours: float) -> None:
    """Pretend the session was last used ``hours`` ago (the clock is the only thing faked)."""
    from paperradar.web.security import now_iso
    from datetime import timedelta

    _sql(cstore, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?",
         (now_iso(-timedelta(hours=hours)), hash_secret(sid)))


def _sql(store, sql: str, params: tuple = ()) -> list[tuple]:
    """Raw SQL on the store's own connection, either backend (a test looks at the rows)."""
    if type(store).__name__ == "PostgresStore":
        with store.db.transaction() as conn:
            cur = conn.execute(sql.replace("?", "%s"), params)
            return cur.fetchall() if cur.description else []
    with store.db.transaction() as conn:
        return conn.execute(sql, params).fetchall()


def _last_seen(cstore, sid: str) -> str:
    return _sql(cstore, "SELECT last_seen_at FROM sessions WHERE id_hash = ?",
                (hash_secret(sid),))[0][0]


def test_session_ends_when_idle_and_use_keeps_it_alive(client, cstore):
    make_user(cstore, "idle@example.org", "idle")
    login(client, "idle@example.org")
    sid = client.cookies.get("paperradar_session")
    assert client.get("/collections", follow_redirects=False).status_code == 200
    _age_session(cstore, sid, 2)  # used two hours ago: still live, and marked seen now
    before = _last_seen(cstore, sid)
    assert client.get("/collections", follow_redirects=False).status_code == 200
    assert _last_seen(cstore, sid) > before
    seen = _last_seen(cstore, sid)
    assert client.get("/collections", follow_redirects=False).status_code == 200
    assert _last_seen(cstore, sid) == seen  # fresh sessions are not rewritten on every read
    _age_session(cstore, sid, 24 * 8)  # unused for 8 days (> session_idle_days = 7)
    r = client.get("/collections", follow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["location"]
