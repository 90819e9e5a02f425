"""Hybrid search: BM25 full text (tantivy) + sentence embeddings, fused.

``Searcher`` is the service (one per process); ``search(settings, q, **kw)`` is the
one-call Python API returning plain dicts in rank order.
"""

from __future__ import annotations

from typing import Any

from paperradar.search.query import ParsedQuery, parse_query
from paperradar.search.searcher import Hit, Searcher, SearchPage


def search(settings, q: str, **kw: Any) -> list[dict[str, Any]]:
    """Open the configured store, search, close; ``[{"id", "title", "score", ...}]``."""
    from paperradar.store import open_store

    store = open_store(settings.resolved_database_url)
    try:
        page = Searcher(settings, store).search(q, **kw)
        return [h.to_dict() for h in page.hits]
    finally:
        store.close()


__all__ = ["Hit", "ParsedQuery", "SearchPage", "Searcher", "parse_query", "search"]
