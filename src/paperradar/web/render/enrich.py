"""Enrichment shown with papers: our keyphrases (with their topic keys), the extracted
summary, "#N paper of the day", and the links to author and topic pages."""

from __future__ import annotations

from urllib.parse import quote

from paperradar.enrich.text import author_key, topic_key


def segment(key: str) -> str:
    """A key as one URL path segment (dots too: "." and ".." are resolved by clients)."""
    return quote(key, safe="").replace(".", "%2E")


def author_url(name: str) -> str:
    return "/authors/" + segment(author_key(name))


def topic_url(phrase: str) -> str:
    return "/topics/" + segment(topic_key(phrase))


def raw_tail(request, prefix: str, decoded: str) -> str:
    """The path after ``prefix`` decoded exactly once (from ``raw_path``, so a literal
    ``%2F`` in a name survives); ``decoded`` when the raw path is not available."""
    from urllib.parse import unquote

    raw = request.scope.get("raw_path")
    if not raw:
        return decoded
    text = raw.decode("latin-1").split("?", 1)[0]
    return unquote(text[len(prefix):], errors="replace") if text.startswith(prefix) else decoded


def claimed_views(request, user_id: int, limit: int = 50) -> list:
    """Views of the papers a user claimed (confirmed), for their profile."""
    from paperradar.web.render.views import views_of

    store = request.app.state.store
    ids = store.claimed_paper_ids(user_id, limit)
    found = store.get_papers(ids)
    return views_of(store, [found[i] for i in ids if i in found])


def install_template_globals(env) -> None:
    env.globals.setdefault("author_url", author_url)
    env.globals.setdefault("topic_url", topic_url)
    env.globals.setdefault("claimed_views", claimed_views)
