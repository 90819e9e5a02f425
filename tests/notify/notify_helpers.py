"""Plain helpers of the notify tests: fixture papers and active subscribers."""

from __future__ import annotations

from pathlib import Path

from paperradar.ingest.files import import_paths
from paperradar.store.base.notify import Subscriber

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
