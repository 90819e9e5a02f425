"""The first run from the command line, with real subprocesses on real SQLite files: mail
without SMTP lands in the outbox (``paperradar mail outbox``), operators can verify a user
and confirm a subscriber, production refuses to start without mail settings, the demo keeps
and reuses its data directory, commands say which database they opened when it is empty,
``paperradar search ""`` is a user mistake, ``serve`` checks its port first."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from paperradar.config import Settings
from paperradar.notify import outbox
from paperradar.notify.mail import send_message
from paperradar.store import open_store

STRONG = "k" * 40


def run(data: Path, *args: str, stdin: str | None = None, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PAPERRADAR_")}
    base.update({"PAPERRADAR_DATA_DIR": str(data), "PAPERRADAR_ENV": "development", **env})
    return subprocess.run([sys.executable, "-m", "paperradar", *args], capture_output=True,
                          text=True, timeout=300, env=base, input=stdin)


def test_mail_without_smtp_goes_to_the_outbox(tmp_path):
    s = Settings(data_dir=tmp_path, env="test")
    assert s.mail_outbox == tmp_path / "outbox"
    r = send_message(s, "ada@example.org", "Hello Ada", "Open https://x.example/a?token=1 now.")
    assert r.ok and "outbox" in r.detail
    (m,) = outbox.messages(tmp_path / "outbox")
    assert (m.to, m.subject) == ("ada@example.org", "Hello Ada")
    assert "https://x.example/a?token=1" in m.text
    assert outbox.read(tmp_path / "outbox", m.name).subject == "Hello Ada"
    assert outbox.read(tmp_path / "outbox", "../paperradar.db") is None
    configured = Settings(data_dir=tmp_path, smtp_url="smtp://127.0.0.1:2525")
    assert configured.mail_outbox is None


def test_outbox_keeps_a_bounded_number(tmp_path, monkeypatch):
    monkeypatch.setattr(outbox, "KEEP", 3)
    for n in range(5):
        outbox.write(tmp_path, f"To: a@example.org\r\nSubject: n{n}\r\n\r\nbody\r\n".encode())
    assert [m.subject for m in outbox.messages(tmp_path)] == ["n4", "n3", "n2"]


def test_subscriber_confirmation_is_readable_and_operator_can_confirm(tmp_path):
    added = run(tmp_path, "subscribers", "add", "bob@example.org")
    assert added.returncode == 0, added.stderr
    shown = run(tmp_path, "mail", "outbox")
    assert "to bob@example.org" in shown.stdout and "/subscribe/confirm/" in shown.stdout
    assert "pending" in run(tmp_path, "subscribers", "list").stdout
    done = run(tmp_path, "subscribers", "confirm", "bob@example.org")
    assert done.returncode == 0 and "confirmed" in done.stdout
    assert "bob@example.org\tactive" in run(tmp_path, "subscribers", "list").stdout
    assert run(tmp_path, "subscribers", "confirm", "nobody@example.org").returncode == 2


def test_operator_verifies_a_user(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'paperradar.db'}") as store:
        store.create_user("cy@example.org", "cyril", None)
        assert not store.get_user_by_email("cy@example.org").verified
    again = run(tmp_path, "user", "create", "cy@example.org")
    assert again.returncode == 2 and "paperradar user verify cy@example.org" in again.stderr
    done = run(tmp_path, "user", "verify", "cy@example.org")
    assert done.returncode == 0, done.stderr
    with open_store(f"sqlite:///{tmp_path / 'paperradar.db'}") as store:
        assert store.get_user_by_email("cy@example.org").verified
    assert run(tmp_path, "user", "verify", "nobody@example.org").returncode == 2


def test_production_needs_mail_settings_or_says_mail_is_off(tmp_path):
    prod = dict(PAPERRADAR_ENV="production", PAPERRADAR_SECRET_KEY=STRONG,
                PAPERRADAR_BASE_URL="https://papers.example")
    refused = run(tmp_path, "serve", "--port", str(_free_port()), **prod)
    assert refused.returncode == 2 and "PAPERRADAR_SMTP_URL must be set" in refused.stderr
    assert "Traceback" not in refused.stderr
    with pytest.raises(ValueError):
        Settings(env="production", secret_key=STRONG, base_url="https://papers.example")
    off = Settings(env="production", secret_key=STRONG, base_url="https://papers.example",
                   smtp_url="outbox", data_dir=tmp_path)
    assert off.mail_outbox == tmp_path / "outbox"
    from paperradar.cli import common, web_cmds

    with common.console.capture() as cap:
        web_cmds.announce_mail(off)
    assert "mail is OFF" in cap.get()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_checks_the_port_before_announcing(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run(tmp_path, "serve", "--port", str(port))
    assert done.returncode == 2 and f"port {port}" in done.stderr and "in use" in done.stderr
    assert "serving" not in done.stderr


def test_empty_database_is_named_and_empty_query_is_an_error(tmp_path):
    stats = run(tmp_path / "nothing-here", "stats")
    assert stats.returncode == 0
    assert "nothing-here/paperradar.db has no papers" in stats.stderr.replace("\n", "")
    found = run(tmp_path / "nothing-here", "search", "diffusion")
    assert found.returncode == 0 and "has no papers" in found.stderr
    assert "semantic index not built" not in found.stderr
    for query in ("", "   "):
        empty = run(tmp_path, "search", query)
        assert empty.returncode == 2 and "the query is empty" in empty.stderr


def test_demo_keeps_and_reuses_its_data_directory(tmp_path):
    first = run(tmp_path / "d", "demo", "--no-serve", "--no-embed")
    assert first.returncode == 0, first.stderr
    assert "indexing (lexical): 1,335 of 1,335" in first.stderr  # progress lines without a TTY
    assert (tmp_path / "d" / "paperradar.db").is_file() and (tmp_path / "d" / "demo-ready").is_file()
    with open_store(f"sqlite:///{tmp_path / 'd' / 'paperradar.db'}") as store:
        store.create_user("keep@example.org", "keeper", None, verified=True)
    second = run(tmp_path / "d", "demo", "--no-serve", "--no-embed")
    assert second.returncode == 0 and "reused" in second.stderr
    assert "papers:" not in second.stderr  # nothing imported again
    with open_store(f"sqlite:///{tmp_path / 'd' / 'paperradar.db'}") as store:
        assert store.get_user_by_email("keep@example.org") is not None
    # a keyword-only demo is not taken for a full one
    wants_embed = run(tmp_path / "d", "demo", "--no-serve", "--help")
    assert wants_embed.returncode == 0 and "--fresh" in wants_embed.stdout


def test_help_screens_have_no_bool_placeholders():
    for args in (["demo", "--help"], ["search", "--help"], ["subscribers", "add", "--help"]):
        shown = run(Path("/nonexistent"), *args)
        assert shown.returncode == 0 and "<bool>" not in shown.stdout, shown.stdout
