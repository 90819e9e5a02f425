"""The notify CLI as a user runs it (``python -m paperradar`` subprocesses against a real SQLite
file and a real SMTP server): subscribers add/import/list/unsubscribe/inbound, digest preview and
send (dry run, --at), and ``worker --once``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from notify_helpers import active, load_fixture_papers

from paperradar.notify.subscriptions import link_token
from paperradar.store import open_store

AT = "2025-06-30T09:00:00Z"


@pytest.fixture
def cli(digest_settings, smtp):
    base = dict(os.environ, PAPERRADAR_DATA_DIR=str(digest_settings.data_dir),
               PAPERRADAR_DATABASE_URL=digest_settings.database_url,
               PAPERRADAR_ENV="test", PAPERRADAR_SMTP_URL=smtp.url, PAPERRADAR_SMTP_RATE_LIMIT="0",
               PAPERRADAR_DIGEST_SEARCH_MODE="lexical", PAPERRADAR_BASE_URL="https://papers.example",
               PAPERRADAR_MAIL_FROM="paperradar <digest@papers.example>")

    def run(*args, stdin: bytes | None = None, ok: bool = True, env: dict | None = None):
        r = subprocess.run([sys.executable, "-m", "paperradar", *args], env={**base, **(env or {})},
                           input=stdin, capture_output=True, timeout=120)
        if ok:
            assert r.returncode == 0, r.stderr.decode()
        return r
    return run


def _store(settings):
    return open_store(settings.resolved_database_url)


def test_add_list_unsubscribe(cli, digest_settings, smtp):
    cli("subscribers", "add", "ops@example.org", "--confirmed", "--frequency", "weekly",
        "--category", "cs.CL", "--query", "retrieval augmented", "--timezone", "Europe/Paris")
    cli("subscribers", "add", "optin@example.org")
    assert len(smtp.received("optin@example.org")) == 1  # confirmation mail, status pending
    dup = cli("subscribers", "add", "ops@example.org", "--confirmed", ok=False)
    assert dup.returncode == 2 and b"already a subscriber" in dup.stderr
    bad = cli("subscribers", "add", "nope", "--confirmed", ok=False)
    assert bad.returncode == 2 and b"valid email" in bad.stderr and b"Traceback" not in bad.stderr
    bad_tz = cli("subscribers", "add", "x@example.org", "--confirmed", "--timezone", "Nowhere/X",
                 ok=False)
    assert bad_tz.returncode == 2 and b"time zone" in bad_tz.stderr
    rows = [json.loads(line) for line in cli("subscribers", "list", "--json").stdout.splitlines()]
    assert [(r["email"], r["status"]) for r in rows] == [("ops@example.org", "active"),
                                                         ("optin@example.org", "pending")]
    assert rows[0]["categories"] == ["cs.CL"] and rows[0]["queries"] == ["retrieval augmented"]
    cli("subscribers", "unsubscribe", "ops@example.org")
    assert b"unsubscribed" in cli("subscribers", "list", "--status", "unsubscribed").stdout
    assert b"deleted 0" in cli("subscribers", "purge-pending").stdout  # optin is fresh
    assert b"deleted 1" in cli("subscribers", "purge-pending", "--older-than-days", "0").stdout
    cli("subscribers", "remove", "ops@example.org")
    assert cli("subscribers", "list").stdout == b""
    assert cli("subscribers", "remove", "ops@example.org", ok=False).returncode == 2


def test_import_csv_all_or_nothing(cli, digest_settings, tmp_path, smtp):
    good = tmp_path / "good.csv"
    good.write_text("email,frequency,categories,queries,timezone\n"
                    "a@example.org,daily,cs.CL;cs.LG,,UTC\n"
                    "b@example.org,weekly,,graph neural networks,Asia/Tokyo\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("email,hour\nc@example.org,7\nbroken,8\nd@example.org,99\n", encoding="utf-8")
    r = cli("subscribers", "import", str(bad), "--confirmed", ok=False)
    assert r.returncode == 2 and b"line 3" in r.stderr and b"line 4" in r.stderr
    with _store(digest_settings) as st:
        assert st.list_subscribers() == []  # nothing written
    cli("subscribers", "import", str(good), "--confirmed")
    again = cli("subscribers", "import", str(good), "--confirmed")
    assert b"imported 0 subscriber(s), 2 already present" in again.stdout
    with _store(digest_settings) as st:
        subs = st.list_subscribers()
    assert [(s.email, s.status, s.categories, s.timezone) for s in subs] == [
        ("a@example.org", "active", ["cs.CL", "cs.LG"], "UTC"),
        ("b@example.org", "active", [], "Asia/Tokyo")]
    assert smtp.received() == []
    optin = tmp_path / "optin.csv"
    optin.write_text("email\ne@example.org\n", encoding="utf-8")
    cli("subscribers", "import", str(optin))
    assert len(smtp.received("e@example.org")) == 1


def test_preview_and_send(cli, digest_settings, store, smtp, tmp_path):
    load_fixture_papers(digest_settings, store)
    store.add_subscriber(active("reader@example.org"))
    html = tmp_path / "d.html"
    r = cli("digest", "preview", "--email", "reader@example.org", "--html", str(html), "--at", AT)
    assert b"BlenderFusion" in r.stdout and "<!DOCTYPE html>" in html.read_text()
    assert smtp.received() == []
    dry = cli("digest", "send", "--dry-run", "--at", AT)
    assert b"reader@example.org\tdaily:2025-06-30" in dry.stdout and smtp.received() == []
    sent = cli("digest", "send", "--at", AT)
    assert b"sent=1" in sent.stdout and len(smtp.received("reader@example.org")) == 1
    assert b"due=0" in cli("digest", "send", "--at", AT).stdout
    assert cli("digest", "send", "--at", "yesterday", ok=False).returncode == 2


def test_inbound_mailto_unsubscribe(cli, digest_settings, store):
    sub, _ = store.add_subscriber(active("mailer@example.org"))
    token = link_token(digest_settings, "unsubscribe", sub)
    mail = (f"From: mailer@example.org\r\nTo: digest@papers.example\r\n"
            f"Subject: unsubscribe {token}\r\n\r\n").encode()
    cli("subscribers", "inbound", stdin=mail)
    assert store.get_subscriber(sub.id).status == "unsubscribed"
    forged = mail.replace(token.encode(), f"{sub.id}.{'a' * 32}".encode())
    assert cli("subscribers", "inbound", stdin=forged, ok=False).returncode == 2


def test_worker_once_runs_due_jobs(cli, digest_settings, store, smtp):
    load_fixture_papers(digest_settings, store)
    store.add_subscriber(active("w@example.org"))
    r = cli("worker", "--once", "--at", AT, "--job", "digest")
    assert b"digest={'due': 1, 'sent': 1" in r.stdout
    assert len(smtp.received("w@example.org")) == 1
    idle = cli("worker", "--once", "--at", AT, "--job", "digest")
    assert b"'due': 0" in idle.stdout and len(smtp.received("w@example.org")) == 1
    bad = cli("worker", "--once", "--job", "coffee", ok=False)
    assert bad.returncode == 2


def test_worker_once_runs_index_subprocess(cli, digest_settings, store):
    from notify_helpers import FIXTURES

    from paperradar.ingest.files import import_paths

    import_paths(store, [FIXTURES / "arxiv_60.jsonl"])
    r = cli("worker", "--once", "--at", "2026-03-10T00:40:00Z", "--job", "index", "--job",
            "harvest",  # only the index spec (minute 40) matches this minute
            env={"PAPERRADAR_WORKER_INDEX_ARGS": "index --no-embed"})
    assert b"index=exit 0" in r.stdout and b"harvest" not in r.stdout
    from paperradar.notify.runner import make_searcher

    page = make_searcher(digest_settings.model_copy(update={"digest_search_mode": "lexical"}),
                         store).search("", category="cs.CV", limit=3)
    assert page.hits  # the index job built the lexical index


DSN = b"""From: MAILER-DAEMON@mx.example.org
To: digest@papers.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; gone@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected

Final-Recipient: rfc822; later@example.org
Action: delayed
Status: 4.4.1

--B
Content-Type: message/rfc822

From: digest@papers.example
To: gone@example.org
Subject: paperradar daily digest

body
--B--
"""


def test_inbound_delivery_status_reports_count_as_bounces(cli, digest_settings, store):
    for _ in range(digest_settings.bounce_threshold - 1):
        r = cli("subscribers", "inbound", stdin=DSN)
        assert b"gone@example.org bounced" in r.stdout and b"suppressed" not in r.stdout
    assert not store.is_suppressed("gone@example.org")
    last = cli("subscribers", "inbound", stdin=DSN)
    assert b"now suppressed" in last.stdout and store.is_suppressed("gone@example.org")
    assert not store.is_suppressed("later@example.org")  # a delay is not a bounce
    junk = cli("subscribers", "inbound", stdin=b"Subject: hello\r\n\r\nhi\r\n", ok=False)
    assert junk.returncode == 2
