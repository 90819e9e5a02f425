"""SMTP sending against a real aiosmtpd server: delivery, retries, bounces, suppression,
TLS/STARTTLS with authentication, DKIM signatures verified, the rate limit."""

from __future__ import annotations

import subprocess
import time

import pytest
from aiosmtpd.smtp import AuthResult

from paperradar.notify.mail import (Mailer, MailConfigError, RateLimiter, build_message,
                                    parse_smtp_url, send_message)


def test_parse_smtp_url():
    t = parse_smtp_url("smtp+starttls://us%40er:p%3Ass@mail.example:2525?cafile=/x.pem")
    assert (t.host, t.port, t.security, t.username, t.password, t.cafile) == (
        "mail.example", 2525, "starttls", "us@er", "p:ss", "/x.pem")
    assert parse_smtp_url("smtps://h").port == 465
    assert parse_smtp_url("smtp://h").security == "plain"
    with pytest.raises(MailConfigError):
        parse_smtp_url("http://h")


def test_send_message_delivers_both_parts(mail_settings, smtp, store):
    r = send_message(mail_settings, "reader@example.org", "Hello", "plain body",
                     html="<p>html <b>body</b></p>", store=store, kind="verify")
    assert r.ok and r.attempts == 1 and r.code == 250
    (msg,) = smtp.received("reader@example.org")
    assert msg["Subject"] == "Hello" and msg["From"] == "paperradar <digest@papers.example>"
    assert msg["Message-ID"] == r.message_id and msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    assert msg.get_body(("plain",)).get_content().strip() == "plain body"
    assert "<b>body</b>" in msg.get_body(("html",)).get_content()
    (entry,) = store.mail_log("reader@example.org")
    assert (entry.kind, entry.status, entry.code) == ("verify", "sent", 250)


def test_4xx_and_dropped_connections_are_retried(mail_settings, smtp, store):
    sleeps: list[float] = []
    smtp.script("slow@example.org", "451 4.3.0 try later", "drop", "421 4.7.0 busy")
    with Mailer(mail_settings, store, sleep=sleeps.append) as m:
        r = m.send(build_message(mail_settings, "slow@example.org", "s", "t"))
    assert r.ok and r.attempts == 4
    assert sleeps == [0.01, 0.02, 0.04]  # exponential backoff
    assert len(smtp.received("slow@example.org")) == 1


def test_retries_exhausted_is_deferred(mail_settings, smtp, store):
    s = mail_settings.model_copy(update={"smtp_max_retries": 2})
    smtp.script("never@example.org", *["451 later"] * 5)
    r = send_message(s, "never@example.org", "s", "t", store=store)
    assert (r.status, r.code, r.attempts) == ("deferred", 451, 3)
    assert smtp.received("never@example.org") == []
    assert not store.is_suppressed("never@example.org")


def test_5xx_bounces_then_suppression(mail_settings, smtp, store):
    s = mail_settings.model_copy(update={"bounce_threshold": 2})
    smtp.script("gone@example.org", "550 5.1.1 no such user", "550 5.1.1 no such user")
    first = send_message(s, "gone@example.org", "s", "t", store=store)
    assert (first.status, first.code, first.attempts) == ("bounced", 550, 1)
    assert not store.is_suppressed("gone@example.org")
    second = send_message(s, "GONE@example.org", "s", "t", store=store)
    assert second.status == "bounced" and store.is_suppressed("gone@example.org")
    third = send_message(s, "gone@example.org", "s", "t", store=store)
    assert third.status == "suppressed" and third.attempts == 0
    assert smtp.handler.attempts["gone@example.org"] == 2  # the server never saw the third
    assert [e.status for e in store.mail_log("gone@example.org")] == ["suppressed", "bounced",
                                                                      "bounced"]


def test_rate_limiter_spaces_messages():
    t = [0.0]
    waits: list[float] = []
    lim = RateLimiter(4.0, clock=lambda: t[0], sleep=waits.append)
    for _ in range(4):
        lim.acquire()
    assert waits == pytest.approx([0.25, 0.5, 0.75])


def test_rate_limit_applies_to_real_sends(mail_settings, smtp):
    s = mail_settings.model_copy(update={"smtp_rate_limit": 20.0})
    with Mailer(s, limiter=RateLimiter(20.0)) as m:
        start = time.monotonic()
        for i in range(6):
            assert m.send(build_message(s, f"r{i}@example.org", "s", "t")).ok
    assert time.monotonic() - start >= 5 / 20 - 0.01


@pytest.fixture
def tls_cert(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return key, cert


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"mailer" and auth_data.password == b"s3cret"
    return AuthResult(success=ok)


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_tls_and_auth(mail_settings, tls_cert, mode):
    import ssl

    from smtp_sink import SinkHandler, SmtpSink

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(tls_cert[1], tls_cert[0])
    handler = SinkHandler()
    kw = dict(authenticator=_authenticator, auth_required=True,
              auth_require_tls=mode == "starttls")  # aiosmtpd sees only STARTTLS as TLS
    kw.update(tls_context=ctx, require_starttls=True) if mode == "starttls" else kw.update(
        ssl_context=ctx)
    ctl = SmtpSink(handler=handler, **kw).start()
    try:
        port = ctl.port
        scheme = "smtp+starttls" if mode == "starttls" else "smtps"
        url = f"{scheme}://mailer:s3cret@127.0.0.1:{port}?cafile={tls_cert[1]}"
        s = mail_settings.model_copy(update={"smtp_url": url})
        assert send_message(s, "tls@example.org", "s", "t").ok
        assert len(handler.messages) == 1
        # Without credentials the server (auth_required) refuses the sender: a config error.
        anonymous = s.model_copy(update={"smtp_url": url.replace("mailer:s3cret@", "")})
        with pytest.raises(MailConfigError):
            send_message(anonymous, "tls@example.org", "s", "t")
        assert len(handler.messages) == 1
    finally:
        ctl.stop()


def test_dkim_signature_verifies(mail_settings, smtp, tmp_path):
    import dkim

    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True, capture_output=True)
    pub = subprocess.run(["openssl", "rsa", "-in", key, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    import base64

    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(pub)
    s = mail_settings.model_copy(update={"dkim_domain": "papers.example", "dkim_selector": "pr1",
                                         "dkim_private_key_file": str(key)})
    assert send_message(s, "dkim@example.org", "Signed", "body", html="<p>body</p>").ok
    (raw,) = smtp.raw("dkim@example.org")
    assert raw.startswith(b"DKIM-Signature:")

    def dns(name, timeout=5):
        return record if name == b"pr1._domainkey.papers.example." else None

    assert dkim.verify(raw, dnsfunc=dns)
    tampered = raw.replace(b"Subject: Signed", b"Subject: Changed")
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_rate_limit_is_global_across_mailers(mail_settings, smtp, store):
    """Two mailers (as in two processes) sharing one database share one rate."""
    import threading

    s = mail_settings.model_copy(update={"smtp_rate_limit": 20.0})
    start = time.monotonic()

    def send(tag):
        with Mailer(s, store) as m:
            for i in range(4):
                assert m.send(build_message(s, f"{tag}{i}@example.org", "s", "t")).ok

    threads = [threading.Thread(target=send, args=(t,)) for t in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(smtp.received()) == 8
    assert time.monotonic() - start >= 7 / 20 - 0.02


def test_fast_builder_matches_the_email_package(mail_settings, smtp, tmp_path):
    import base64
    import email
    from email import policy

    import dkim

    from paperradar.notify.mail import RawMessage, build_alternative

    text, html = "Ünïcode “text” …\nline two\n" * 50, "<p>Ünïcode “html” …</p>\n" * 50
    kw = dict(headers={"List-Unsubscribe": "<https://papers.example/u/1.x>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
              message_id="<m.1@papers.example>")
    fast = build_alternative(mail_settings, "f@example.org", "Subject", text, html, **kw)
    slow = build_message(mail_settings, "f@example.org", "Subject", text, html, **kw)
    assert isinstance(fast, RawMessage)
    a = email.message_from_bytes(fast.as_bytes(), policy=policy.default)
    b = email.message_from_bytes(slow.as_bytes(policy=policy.SMTP), policy=policy.default)
    for h in ("From", "To", "Subject", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"):
        assert a[h] == b[h]
    assert a.get_content_type() == b.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        assert a.get_body((kind,)).get_content() == b.get_body((kind,)).get_content()
    assert fast.get_body(("plain",)).get_content() == text  # parsed lazily on demand
    # a non-ASCII display name takes the email package's path (RFC 2047 encoding)
    intl = mail_settings.model_copy(update={"mail_from": "Pâper Radar <digest@papers.example>"})
    assert not isinstance(build_alternative(intl, "f@example.org", "S", text, html, **kw), RawMessage)
    # and the fast path signs and verifies with DKIM too
    key = tmp_path / "k.pem"
    subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True, capture_output=True)
    pub = subprocess.run(["openssl", "rsa", "-in", key, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    s = mail_settings.model_copy(update={"dkim_domain": "papers.example", "dkim_selector": "s",
                                         "dkim_private_key_file": str(key)})
    with Mailer(s) as m:
        assert m.send(fast).ok
    (raw,) = smtp.raw("f@example.org")
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(pub)
    assert dkim.verify(raw, dnsfunc=lambda name, timeout=5: record)
