"""Search as pages, feeds and APIs use it: the query form, one call into the app's
``Searcher``, hits turned into ``PaperView``s with sanitised highlight snippets."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

import nh3
from markupsafe import Markup
from pydantic import BaseModel, Field

from paperradar.web.render.views import PaperView, card_view, views_of

log = logging.getLogger(__name__)


class SearchForm(BaseModel):
    q: str = Field("", max_length=1000, description="words, \"phrases\", author:, cat:, since:, has:code")
    category: str = Field("", max_length=100, description="e.g. cs.CL, or cs for a whole archive")
    date_from: str = Field("", max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD")
    date_to: str = Field("", max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD")
    has_code: bool = False
    sort: str = Field("relevance", max_length=20, description="relevance | date | upvotes")
    mode: str = Field("hybrid", max_length=20, description="hybrid | lexical | semantic")

    def params(self) -> dict:
        return {k: v for k, v in self.model_dump().items()
                if v and not (k == "sort" and v == "relevance") and not (k == "mode" and v == "hybrid")}

    def feed_query(self) -> str:
        return urlencode({k: (1 if v is True else v) for k, v in self.params().items()})


@dataclass(slots=True)
class SearchResult:
    items: list[tuple[PaperView, Markup | None]] = field(default_factory=list)
    total: int = 0
    message: str | None = None
    error: str | None = None
    total_exact: bool = True
    suggestion: str | None = None  # a corrected query ("Did you mean ...?")
    fetchable: list[str] = field(default_factory=list)  # named arXiv ids not in the library
    max_results: int | None = None  # deepest result pages may reach


def with_typed_filters(form: SearchForm) -> SearchForm:
    """The form with the filters typed in the query box (``cat:``, ``since:``, ``until:``,
    ``year:``, ``has:code``) moved into their form fields, so that the form shows them (the
    box ticks, the dates fill in) and unticking or clearing a field removes them. Filters
    that do not parse stay in the query, where their warning is shown."""
    from paperradar.search.query import filter_tokens, parse_query

    kept, cats = [], [c for c in form.category.replace(",", " ").split() if c]
    date_from, date_to, has_code = form.date_from, form.date_to, form.has_code
    for token, is_filter in filter_tokens(form.q):
        parsed = parse_query(token) if is_filter else None
        if parsed is None or parsed.warnings or parsed.authors or parsed.text:
            kept.append(token)
            continue
        cats += [c for c in parsed.categories if c not in cats]
        if parsed.date_from and (not date_from or parsed.date_from > date_from):
            date_from = parsed.date_from
        if parsed.date_to and (not date_to or parsed.date_to < date_to):
            date_to = parsed.date_to
        if parsed.has_code:
            has_code = True
        elif parsed.has_code is False:
            kept.append(token)  # -has:code has no box to show it
    category = " ".join(cats)
    if len(category) > 100 or len(date_from) > 10 or len(date_to) > 10:
        return form
    return form.model_copy(update={"q": " ".join(kept), "category": category,
                                   "date_from": date_from, "date_to": date_to,
                                   "has_code": has_code})


def safe_snippet(html: str | None) -> Markup | None:
    """The searcher's highlighted snippet, reduced to text, ``<mark>`` and the literal
    dollar's ``<span class="tex-dollar">`` (which keeps KaTeX from pairing it)."""
    if not html:
        return None
    return Markup(nh3.clean(html, tags={"mark", "span"}, attributes={},
                            allowed_classes={"span": {"tex-dollar"}}))


def searcher_of(request):
    from paperradar.web.site import get_searcher

    return get_searcher(request)


def run_search(request, form: SearchForm, *, page: int = 1, per_page: int = 20,
               snippets: bool = True) -> SearchResult:
    try:
        searcher = searcher_of(request)
        result = searcher.search(form.q, mode=form.mode, limit=per_page,
                                 offset=(page - 1) * per_page, sort=form.sort,
                                 category=form.category or None, date_from=form.date_from or None,
                                 date_to=form.date_to or None, has_code=True if form.has_code else None,
                                 snippets=snippets, cards=True)
    except Exception as exc:  # index missing or broken: say so, never a 500
        log.exception("search failed")
        return SearchResult(error=f"Search is unavailable right now: {exc}")
    from paperradar.search.searcher import depth_cap

    views = [card_view(h.card) for h in result.hits]
    items = [(v, safe_snippet(h.snippet_html)) for v, h in zip(views, result.hits)]
    return SearchResult(items=items, total=result.total, message=result.message,
                        total_exact=result.total_exact, suggestion=result.suggestion,
                        fetchable=list(result.fetchable),
                        max_results=depth_cap(result.mode, form.sort) + per_page)


def similar_papers(request, paper_id: str, limit: int = 6,
                   paper=None) -> tuple[list, str | None]:
    """The papers similar to ``paper_id`` (``paper``: the paper itself, if already read),
    or none and a message saying why."""
    try:
        hits = searcher_of(request).similar(paper_id, limit=limit, paper=paper)
    except Exception as exc:
        log.exception("similar papers failed for %s", paper_id)
        return [], f"Similar papers are unavailable right now ({type(exc).__name__})."
    return [h.paper for h in hits], None


def similar_views(request, store, paper_id: str, limit: int = 6,
                  paper=None) -> tuple[list[PaperView], str | None]:
    papers, message = similar_papers(request, paper_id, limit, paper)
    return (views_of(store, papers) if papers else []), message


def similar_ranked(request, paper, stored, limit: int = 6) -> tuple[list[str], str | None]:
    """Ids of the papers similar to ``paper`` (``stored``: its embedding under
    ``similar_model``, read by the caller), best first, or none and a message saying why."""
    try:
        ranked = searcher_of(request).similar_ranked(paper, limit=limit, stored=stored)
    except Exception as exc:
        log.exception("similar papers failed for %s", paper.id)
        return [], f"Similar papers are unavailable right now ({type(exc).__name__})."
    return [pid for pid, _ in ranked], None


def similar_model(request) -> str | None:
    """The embedding model similar papers are found with (None when search is unavailable:
    ``similar_ranked`` then says so)."""
    try:
        return searcher_of(request).model_name()
    except Exception:
        log.exception("search is unavailable")
        return None
