"""Feeds and list exports: Atom, BibTeX and RIS for the daily list, trending, any search
and any category (``/feeds/{daily,trending,search}.{atom,bib,ris}``,
``/feeds/category/{cat}.{atom,bib,ris}``)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from paperradar.web.deps import StoreDep
from paperradar.web.openapi import errors, media
from paperradar.web.render import exports
from paperradar.web.render.atom import site_feed
from paperradar.web.render.listing import TRENDING_WINDOWS, daily_views, latest_period, trending_views
from paperradar.web.render.periods import PARSERS, BadPeriod
from paperradar.web.render.searching import SearchForm, run_search
from paperradar.web.render.views import PaperView, views_of

router = APIRouter(prefix="/feeds", tags=["feeds and exports"])
FORMATS = {"atom": "application/atom+xml; charset=utf-8",
           "bib": "application/x-bibtex; charset=utf-8",
           "ris": "application/x-research-info-systems; charset=utf-8"}
FEED_SIZE = 50
FEED_RESPONSES = {**media(*(t.split(";")[0] for t in FORMATS.values()),
                          description="The feed or export in the format of the extension"),
                  **errors(503)}
Fmt = Annotated[str, "atom | bib | ris"]


def _respond(request: Request, fmt: str, title: str, html_path: str,
             views: list[PaperView]) -> Response:
    if fmt not in FORMATS:
        raise HTTPException(404, f"unknown format {fmt!r}: use .atom, .bib or .ris")
    base = request.app.state.settings.base_url.rstrip("/")
    if fmt == "atom":
        self_url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        body = site_feed(title, self_url, base + html_path, views, base)
    elif fmt == "bib":
        body = exports.bibtex_list(v.paper for v in views)
    else:
        body = exports.ris_list(v.paper for v in views)
    return Response(body, media_type=FORMATS[fmt],
                    headers={"Cache-Control": "public, max-age=300"})


@router.get("/daily.{fmt}", summary="Daily list (date, week or month; default latest day)",
            response_class=Response, responses=FEED_RESPONSES)
async def daily(request: Request, store: StoreDep, fmt: Fmt,
          date: Annotated[str | None, Query(max_length=20)] = None,
          week: Annotated[str | None, Query(max_length=20)] = None,
          month: Annotated[str | None, Query(max_length=20)] = None):
    given = [(k, v) for k, v in (("date", date), ("week", week), ("month", month)) if v]
    if len(given) > 1:
        raise HTTPException(400, "give at most one of date, week, month")
    try:
        period = PARSERS[given[0][0]](given[0][1]) if given else latest_period(store)
    except BadPeriod as exc:
        raise HTTPException(400, str(exc)) from exc
    if period is None:
        return _respond(request, fmt, "Daily papers", "/", [])
    views = daily_views(store, period, limit=FEED_SIZE)
    return _respond(request, fmt, f"Daily papers — {period.label}", period.url, views)


@router.get("/trending.{fmt}", summary="Trending papers",
            response_class=Response, responses=FEED_RESPONSES)
async def trending(request: Request, store: StoreDep, fmt: Fmt,
             window: Annotated[str, Query(pattern="^(day|week|month)$")] = "week"):
    views = trending_views(store, window, limit=FEED_SIZE)
    return _respond(request, fmt, f"Trending papers ({TRENDING_WINDOWS[window]} days)",
                    f"/papers/trending?window={window}", views)


@router.get("/search.{fmt}", summary="Any search, newest first by default",
            response_class=Response, responses=FEED_RESPONSES)
def search(request: Request, fmt: Fmt, form: Annotated[SearchForm, Query()]):
    if not (form.q or form.category):
        raise HTTPException(400, "give a query q or a category")
    result = run_search(request, form, per_page=FEED_SIZE, snippets=False)
    if result.error:
        raise HTTPException(503, result.error)
    return _respond(request, fmt, f"Search: {form.q or form.category}",
                    "/search?" + urlencode(form.params()), [v for v, _ in result.items])


@router.get("/category/{category}.{fmt}", summary="Newest papers of a category",
            response_class=Response, responses=FEED_RESPONSES)
async def category(request: Request, store: StoreDep, category: str, fmt: Fmt):
    if len(category) > 100:
        raise HTTPException(400, "category too long")
    papers = store.list_papers(category=category, sort="published", limit=FEED_SIZE)
    return _respond(request, fmt, f"Newest papers in {category}",
                    "/search?" + urlencode({"category": category, "sort": "date"}),
                    views_of(store, papers))
