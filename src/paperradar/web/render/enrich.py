"""Enrichment shown with papers: our keyphrases (with their topic keys), the extracted
summary, "#N paper of the day", and the links to author and topic pages."""

from __future__ import annotations

from urllib.parse import quote

from paperradar.enrich.text import author_key, topic_key


def with_enrichment(store, views: list):
    """Fill ``keyphrases`` and ``extracted_summary`` of views (one batched read)."""
    get = getattr(store, "get_enrichments", None)
    if not views or get is None:
        return views
    found = get([v.id for v in views])
    for v in views:
        e = found.get(v.id)
        if e is not None:
            v.keyphrases = list(e.keyphrases)
            v.extracted_summary = e.summary
    return views


def author_url(name: str) -> str:
    return "/authors/" + quote(author_key(name), safe="")


def topic_url(phrase: str) -> str:
    return "/topics/" + quote(topic_key(phrase), safe="")


def install_template_globals(env) -> None:
    env.globals.setdefault("author_url", author_url)
    env.globals.setdefault("topic_url", topic_url)
