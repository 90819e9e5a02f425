"""No oracle in sign-up (a taken name answers the same for known and unknown addresses) and
no lock-out by strangers: wrong passwords from many IPs stop brute force but not the owner on
a browser that logged in before."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from community_fixtures import ORIGIN, PASSWORD, body_of, login, make_user


def _main_text(html: str) -> str:
    m = re.search(r"<main.*?</main>", html, re.S)
    return m.group(0) if m else html


def test_signup_with_a_taken_name_does_not_tell_whether_the_email_has_an_account(
        client, cstore, smtp):
    sink, _ = smtp
    before = len(sink.to("newbie@example.org"))  # the sink outlives one backend's run
    make_user(cstore, "alice@example.org", "alice")
    form = {"name": "alice", "password": "p" * 12}
    known = client.post("/signup", data={**form, "email": "alice@example.org"}, headers=ORIGIN)
    unknown = client.post("/signup", data={**form, "email": "newbie@example.org"},
                          headers=ORIGIN)
    assert known.status_code == unknown.status_code == 200
    assert _main_text(known.text) == _main_text(unknown.text)
    assert cstore.get_user_by_email("newbie@example.org") is None
    *_, note = sink.wait_for("newbie@example.org", before + 1)  # the person learns it by mail
    assert len(sink.to("newbie@example.org")) == before + 1
    assert "already taken" in body_of(note) and "/signup" in body_of(note)


def test_wrong_passwords_from_many_ips_do_not_lock_out_a_known_device(app, cstore):
    make_user(cstore, "owner@example.org", "owner")
    owner = TestClient(app, client=("198.51.100.7", 40000))
    assert login(owner, "owner@example.org").status_code == 303  # a device that logged in
    owner.post("/logout", headers=ORIGIN)
    for i in range(30):  # a distributed attack: 30 IPs, one guess each
        attacker = TestClient(app, client=(f"203.0.113.{i}", 40000))
        code = login(attacker, "owner@example.org", f"guess {i}").status_code
        assert code == (401 if i < 9 else 429), (i, code)  # 10 per account, 1 was ok
    stranger = TestClient(app, client=("203.0.113.200", 40000))
    # Brute force is stopped: even the right password from a new browser waits ...
    assert login(stranger, "owner@example.org").status_code == 429
    # ... but the owner's browser still gets in, right away.
    assert login(owner, "owner@example.org").status_code == 303
    assert owner.get("/api/me").json()["name"] == "owner"


def test_brute_force_from_one_ip_is_stopped_even_with_a_device_cookie(app, cstore):
    make_user(cstore, "target@example.org", "target")
    attacker = TestClient(app, client=("203.0.113.50", 40000))
    assert login(attacker, "target@example.org").status_code == 303  # even a known device
    attacker.post("/logout", headers=ORIGIN)
    codes = [login(attacker, "target@example.org", f"guess {i}").status_code for i in range(11)]
    assert codes == [401] * 9 + [429, 429]  # the pair (account, IP): 10 attempts, one was ok
    assert login(attacker, "target@example.org", PASSWORD).status_code == 429


def test_forged_device_cookie_does_not_lift_the_account_limit(app, cstore):
    user = make_user(cstore, "forged@example.org", "forged")
    for i in range(10):
        TestClient(app, client=(f"192.0.2.{i}", 1)).post(
            "/login", data={"email": "forged@example.org", "password": "nope"}, headers=ORIGIN)
    forger = TestClient(app, client=("192.0.2.99", 1))
    forger.cookies.set("paperradar_device", f"{user.id}.abc.{'0' * 32}", path="/login")
    assert login(forger, "forged@example.org").status_code == 429
