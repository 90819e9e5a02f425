"""The HTML we produce validates with the Nu HTML checker (vnu-jar from npm, run by the system
Java): the digest's HTML part and the subscription pages (subscribe, confirm, unsubscribe,
preferences)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from notify_helpers import active
from test_notify_digest import AT, _digest

from paperradar.notify import subscriptions as subs
from paperradar.web.app import create_app


def _vnu() -> Path:
    root = Path(os.environ.get("PAPERRADAR_TEST_NPM_DIR",
                               Path.home() / ".cache" / "paperradar-test-npm"))
    jar = root / "node_modules/vnu-jar/build/dist/vnu.jar"
    if not jar.exists():
        if shutil.which("npm") is None:
            pytest.skip("npm is needed to fetch vnu-jar")
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(root),
                        "vnu-jar@26.9.27"], check=True, capture_output=True, timeout=600)
    if shutil.which("java") is None:
        pytest.skip("java is needed to run vnu")
    return jar


def test_digest_and_pages_validate(digest_settings, papers_store, smtp, tmp_path):
    jar = _vnu()
    sub, _, msg = _digest(digest_settings, papers_store, active("v@example.org"), AT)
    pages = {"digest": msg.get_body(("html",)).get_content()}
    subs.request_subscription(digest_settings, papers_store, "new@example.org")
    token = smtp.received("new@example.org")[0].get_body(("plain",)).get_content().split(
        "/subscribe/confirm/")[1].split()[0]
    links = subs.links(digest_settings, sub)
    with TestClient(create_app(digest_settings), base_url="https://papers.example") as c:
        for name, url in (("subscribe", "/subscribe"), ("confirm", f"/subscribe/confirm/{token}"),
                          ("unsubscribe", links["unsubscribe"]), ("manage", links["manage"]),
                          ("expired", "/subscribe/confirm/nope")):
            r = c.get(url)
            assert r.status_code in (200, 400), (name, r.status_code)
            pages[name] = r.text
    files = []
    for name, html in pages.items():
        f = tmp_path / f"{name}.html"
        f.write_text(html, encoding="utf-8")
        files.append(str(f))
    done = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json", *files],
                          capture_output=True, text=True, timeout=300)
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    errors = [(Path(m.get("url", "")).name, m.get("message"), m.get("extract", "")[:80])
              for m in messages if m.get("type") == "error"]
    assert errors == []
