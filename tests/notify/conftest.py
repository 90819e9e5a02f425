"""Fixtures of the notify tests: a real aiosmtpd server on loopback, settings pointing at it."""

from __future__ import annotations

import pytest
from notify_helpers import load_fixture_papers  # tests/notify is on sys.path (rootdir import mode)
from smtp_sink import SmtpSink


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def mail_settings(settings, smtp):
    return settings.model_copy(update={
        "smtp_url": smtp.url, "smtp_rate_limit": 0.0, "smtp_retry_base": 0.01,
        "mail_from": "paperradar <digest@papers.example>",
        "secret_key": settings.secret_key, "base_url": "https://papers.example"})


@pytest.fixture
def digest_settings(mail_settings):
    return mail_settings.model_copy(update={"digest_search_mode": "lexical"})


@pytest.fixture
def papers_store(digest_settings, store):
    load_fixture_papers(digest_settings, store)
    return store
