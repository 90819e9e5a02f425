"""HTML pages: daily lists (day/week/month), trending, search, paper pages and their
Markdown/BibTeX/RIS renditions, the OpenSearch description."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from markupsafe import Markup

from paperradar import latex
from paperradar.web.render.ids import canonical_or_404
from paperradar.web import site
from paperradar.web.deps import SettingsDep, StoreDep
from paperradar.web.render import exports
from paperradar.web.render.native import paper_dict
from paperradar.web.render.listing import (TRENDING_WINDOWS, daily_views, latest_period, pager,
                                           trending_views)
from paperradar.web.render.periods import PARSERS, BadPeriod, Period, month_of, neighbours, week_of
from paperradar.web.render.searching import (SearchForm, run_search, similar_model, similar_ranked,
                                             with_typed_filters)
from paperradar.web.render.text import arxiv_abs_url, arxiv_pdf_url
from paperradar.web.render.views import card_view, view_of

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
VARY = {"Vary": "Accept"}  # these URLs answer HTML or JSON
_PARAGRAPH = re.compile(r"\n\s*\n")
Page = Annotated[int, Query(ge=1, le=10_000)]


def install(app: FastAPI) -> None:
    site.install(app)


def _daily_page(request: Request, store, period: Period, page: int) -> Response:
    offset = (page - 1) * PER_PAGE
    views = daily_views(store, period, limit=PER_PAGE, offset=offset)
    nav = store.daily_nav(period.start.isoformat(), period.end.isoformat())
    total, last_in = nav.total, nav.last_in
    prev, nxt = neighbours(period, nav.before, nav.after)
    if site.wants_json(request):  # the same URL answers JSON (as /api/v1/daily does)
        base = request.app.state.settings.base_url.rstrip("/")
        return JSONResponse({"items": [paper_dict(v, base) for v in views], "total": total,
                             "page": page, "per_page": PER_PAGE,
                             "info": {"kind": period.kind, "key": period.key,
                                      "prev": prev.key if prev else None,
                                      "next": nxt.key if nxt else None}}, headers=VARY)
    ctx = {
        "nav": "daily", "period": period, "views": views, "prev": prev, "next": nxt,
        "latest": None if views else _latest_key(store),
        "day_url": f"/papers/date/{last_in or period.start}",
        "week_url": week_of(period.start).url, "month_url": month_of(period.start).url,
        "pager": pager(period.url, {}, page, PER_PAGE, total, len(views)),
        "picker": {"value": (last_in or period.start.isoformat())[:10],
                   "min": nav.first, "max": nav.last},
    }
    return site.render(request, "daily.html", ctx, headers=VARY)


def _latest_key(store) -> str | None:
    latest = latest_period(store)
    return latest.key if latest else None


@router.get("/")
async def home(request: Request, store: StoreDep, page: Page = 1):
    period = latest_period(store)
    if period is None:
        return site.render(request, "error.html", {
            "status": 200, "heading": "No papers yet",
            "detail": "This database is empty. Run `paperradar demo` or `paperradar import FILES`."})
    return _daily_page(request, store, period, page)


@router.get("/papers/{kind}/{key}")
async def daily(request: Request, store: StoreDep, kind: str, key: str, page: Page = 1):
    parse = PARSERS.get(kind)
    if parse is None:  # an old-style id such as hep-th/9901001 has two segments too
        return paper_or_export(request, store, f"{kind}/{key}")
    try:
        period = parse(key)
    except BadPeriod as exc:
        raise HTTPException(400, str(exc)) from exc
    return _daily_page(request, store, period, page)


@router.get("/papers/date")
async def pick_date(date: str = Query("", max_length=20)):
    """The date picker's GET form: on to that day's list."""
    try:
        period = PARSERS["date"](date.strip())
    except BadPeriod as exc:
        raise HTTPException(400, str(exc)) from exc
    return RedirectResponse(period.url, status_code=303)


@router.get("/papers/trending")
async def trending(request: Request, store: StoreDep, window: str = "week"):
    if window not in TRENDING_WINDOWS:
        raise HTTPException(400, f"window must be one of {', '.join(TRENDING_WINDOWS)}")
    views = trending_views(store, window, limit=30)
    return site.render(request, "trending.html", {
        "nav": "trending", "views": views, "window": window,
        "windows": [("day", "Today"), ("week", "This week"), ("month", "This month")],
        "explanation": "Ranked by upvotes and comments, decayed by age, over the latest "
                       f"{TRENDING_WINDOWS[window]} {'day' if TRENDING_WINDOWS[window] == 1 else 'days'} of "
                       "daily lists."})


@router.get("/search")
def search_page(request: Request, form: Annotated[SearchForm, Query()],
                page: Page = 1):
    form = with_typed_filters(form)
    ctx = {"nav": "search", "q": form.q, "form": form, "searched": False, "views": [],
           "categories": [], "total": 0, "message": None, "error": None, "pager": None,
           "feed_query": form.feed_query(), "total_exact": True, "suggestion": None,
           "fetchable": []}
    if form.q or form.category or form.date_from or form.date_to or form.has_code:
        result = run_search(request, form, page=page, per_page=20)
        pageable = min(result.total, result.max_results or result.total)
        ctx.update(searched=True, views=result.items, total=result.total,
                   message=result.message, error=result.error,
                   total_exact=result.total_exact, fetchable=result.fetchable,
                   suggestion=result.suggestion and form.model_copy(update={"q": result.suggestion}),
                   pager=pager("/search", form.params(), page, 20, pageable, len(result.items)))
    return site.render(request, "search.html", ctx, status_code=200)


@router.get("/opensearch.xml")
def opensearch(request: Request, settings: SettingsDep):
    body = site.templates_of(request).env.get_template("opensearch.xml").render(
        base_url=settings.base_url.rstrip("/"))
    return Response(body, media_type="application/opensearchdescription+xml")


_EXPORTS = {".md": "markdown", ".bib": "bibtex", ".ris": "ris"}


@router.get("/papers/{paper_path:path}")
def paper_page(request: Request, store: StoreDep, paper_path: str):
    return paper_or_export(request, store, paper_path)


def paper_or_export(request: Request, store, paper_path: str) -> Response:
    suffix = next((s for s in _EXPORTS if paper_path.endswith(s)), None)
    raw = paper_path[: -len(suffix)] if suffix else paper_path
    pid = canonical_or_404(raw)
    if pid == raw and suffix is None and not site.wants_json(request):
        return _paper_html(request, store, pid)
    paper = store.get_paper(pid)
    if paper is None:
        raise HTTPException(404, f"no paper {pid} in this database")
    if pid != raw:  # versioned or URL-ish id: send to the canonical address
        return RedirectResponse(f"/papers/{pid}{suffix or ''}", status_code=308)
    if suffix == ".bib":
        return PlainTextResponse(exports.bibtex(paper), media_type="application/x-bibtex; charset=utf-8")
    if suffix == ".ris":
        return PlainTextResponse(exports.ris(paper), media_type="application/x-research-info-systems")
    view = view_of(store, paper)
    if suffix == ".md":
        return PlainTextResponse(exports.markdown(view, request.app.state.settings.base_url),
                                 media_type="text/markdown; charset=utf-8")
    return JSONResponse(paper_dict(view, request.app.state.settings.base_url), headers=VARY)


def _paper_html(request: Request, store, pid: str) -> Response:
    """The paper page in two store calls: the paper with all the page shows of it (daily
    entry, counts, enrichment, rank, comments, the viewer's vote, its embedding), then the
    cards of its similar papers (one pipelined round trip each on PostgreSQL)."""
    community = getattr(request.app.state, "community", None)
    viewer = community.user(request) if community is not None else None
    viewer_id = viewer.id if viewer is not None else None
    found = store.paper_page(pid, model=similar_model(request), viewer_id=viewer_id)
    if found is None:
        raise HTTPException(404, f"no paper {pid} in this database")
    paper = found.card.paper
    ids, similar_message = similar_ranked(request, paper, found.embedding)
    cards = store.paper_cards(ids, viewer_id=viewer_id) if ids else {}
    view = card_view(found.card)
    view.day_rank = found.day_rank
    similar = [card_view(cards[i]) for i in ids if i in cards]
    if community is not None:
        if viewer is not None:
            community.prime_voted(request, {paper.id: found.card.voted,
                                            **{i: c.voted for i, c in cards.items()}})
        community.prime_discussion(request, paper.id, found.comments, found.claimants)
    return site.render(request, "paper.html", {
        "p": paper, "v": view, "abs_url": arxiv_abs_url(paper), "pdf_url": arxiv_pdf_url(paper),
        "paragraphs": [Markup(latex.to_html(x.strip()))
                       for x in _PARAGRAPH.split(paper.abstract or "") if x.strip()],
        "bibtex": exports.bibtex(paper), "similar": similar, "similar_message": similar_message},
        headers=VARY)
