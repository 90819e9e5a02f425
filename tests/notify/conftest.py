"""Fixtures of the notify tests: a real aiosmtpd server on loopback, settings pointing at it."""

from __future__ import annotations

import pytest
from smtp_sink import SmtpSink  # tests/notify is on sys.path (pytest rootdir import mode)


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


from pathlib import Path  # noqa: E402

from paperradar.ingest.files import import_paths  # noqa: E402
from paperradar.store.base.notify import Subscriber  # noqa: E402

FIXTURES = Path(__file__).parent.parent / "fixtures" / "notify"


def load_fixture_papers(settings, store) -> None:
    """Import the trimmed real papers and build the lexical index the digests search."""
    from paperradar.search import Searcher

    report = import_paths(store, sorted(FIXTURES.glob("*.json*")))
    assert not report.errors
    Searcher(settings, store).sync_lexical()


def active(email: str, **prefs) -> Subscriber:
    base = dict(email=email, status="active", created_at="2025-01-01T00:00:00.000000Z",
                confirmed_at="2025-01-01T00:00:00.000000Z", source="cli")
    base.update(prefs)
    return Subscriber(**base)


@pytest.fixture
def digest_settings(mail_settings):
    return mail_settings.model_copy(update={"digest_search_mode": "lexical"})


@pytest.fixture
def papers_store(digest_settings, store):
    load_fixture_papers(digest_settings, store)
    return store
