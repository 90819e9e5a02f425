"""Native JSON API (``/api/v1``): daily lists, trending, search, papers, similar papers.

Every list is paginated (``page``, ``per_page``) and reports ``total`` where it is known;
errors are JSON ``{"error", "status", "detail"}`` with the right status code.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from paperradar.web.deps import StoreDep
from paperradar.web.render.ids import canonical_or_404
from paperradar.web.render.listing import TRENDING_WINDOWS, daily_views, latest_period, trending_views
from paperradar.web.render.native import paper_dict
from paperradar.web.render.periods import PARSERS, BadPeriod, month_of, neighbours, week_of
from paperradar.web.render.searching import SearchForm, run_search, similar_views
from paperradar.web.render.views import view_of

router = APIRouter(prefix="/api/v1", tags=["paperradar"])
PageQ = Annotated[int, Query(ge=1, le=10_000, description="page number, from 1")]
PerPageQ = Annotated[int, Query(ge=1, le=100)]


class PaperList(BaseModel):
    items: list[dict[str, Any]]
    total: int | None
    page: int
    per_page: int
    info: dict[str, Any] = {}


def _out(body: PaperList) -> JSONResponse:
    """The documented model, sent without FastAPI's second validation pass."""
    return JSONResponse(body.model_dump())


def _base(request: Request) -> str:
    return request.app.state.settings.base_url.rstrip("/")


@router.get("/daily", response_model=PaperList, summary="Papers featured in a day, week or month")
async def daily(request: Request, store: StoreDep,
          kind: Annotated[str, Query(pattern="^(date|week|month)$")] = "date",
          key: Annotated[str | None, Query(max_length=20, description="YYYY-MM-DD, YYYY-Www or YYYY-MM; default: latest day")] = None,
          sort: Annotated[str, Query(pattern="^(upvotes|date)$")] = "upvotes",
          submitter: Annotated[str | None, Query(max_length=100)] = None,
          page: PageQ = 1, per_page: PerPageQ = 50):
    if key is None:
        period = latest_period(store)
        if period is None:
            return PaperList(items=[], total=0, page=page, per_page=per_page)
        if kind != "date":
            period = week_of(period.start) if kind == "week" else month_of(period.start)
    else:
        try:
            period = PARSERS[kind](key)
        except BadPeriod as exc:
            raise HTTPException(400, str(exc)) from exc
    views = daily_views(store, period, sort=sort, limit=per_page, offset=(page - 1) * per_page,
                        submitter=submitter)
    nav = store.daily_nav(period.start.isoformat(), period.end.isoformat(), submitter=submitter)
    total = nav.total
    prev, nxt = neighbours(period, nav.before, nav.after)
    info = {"kind": period.kind, "key": period.key, "start": period.start.isoformat(),
            "end": period.end.isoformat(), "label": period.label,
            "prev": prev.key if prev else None, "next": nxt.key if nxt else None}
    return _out(PaperList(items=[paper_dict(v, _base(request)) for v in views], total=total,
                          page=page, per_page=per_page, info=info))


@router.get("/dates", summary="Every day that has a daily list, ascending")
async def dates(store: StoreDep) -> list[str]:
    return store.daily_dates()


@router.get("/trending", response_model=PaperList, summary="Trending papers")
async def trending(request: Request, store: StoreDep,
             window: Annotated[str, Query(pattern="^(day|week|month)$")] = "week",
             per_page: PerPageQ = 30):
    views = trending_views(store, window, limit=per_page)
    return _out(PaperList(items=[paper_dict(v, _base(request)) for v in views], total=len(views),
                          page=1, per_page=per_page, info={"window_days": TRENDING_WINDOWS[window]}))


@router.get("/search", response_model=PaperList, summary="Search papers (hybrid by default)")
def search(request: Request, form: Annotated[SearchForm, Query()],
           page: PageQ = 1, per_page: Annotated[int, Query(ge=1, le=100)] = 20,
           limit: Annotated[int | None, Query(ge=1, le=100, description="same as per_page")] = None):
    if limit is not None:
        if "per_page" in request.query_params and per_page != limit:
            raise HTTPException(400, "limit and per_page disagree: send one of them")
        per_page = limit
    result = run_search(request, form, page=page, per_page=per_page)
    if result.error:
        raise HTTPException(503, result.error)
    items = [dict(paper_dict(v, _base(request)), snippet_html=str(s) if s else None)
             for v, s in result.items]
    return _out(PaperList(items=items, total=result.total, page=page, per_page=per_page,
                          info={"message": result.message, "total_exact": result.total_exact,
                                "suggestion": result.suggestion, "max_results": result.max_results,
                                "not_in_library": result.fetchable}))


@router.get("/papers/{paper_path:path}", summary="A paper; append /similar for similar papers")
def paper(request: Request, store: StoreDep, paper_path: str,
          limit: Annotated[int, Query(ge=1, le=50)] = 10):
    similar = paper_path.endswith("/similar")
    pid = canonical_or_404(paper_path.removesuffix("/similar"))
    found = store.get_paper(pid)
    if found is None:
        raise HTTPException(404, f"no paper {pid} in this database")
    if not similar:
        return paper_dict(view_of(store, found), _base(request))
    views, message = similar_views(request, store, pid, limit=limit, paper=found)
    return PaperList(items=[paper_dict(v, _base(request)) for v in views], total=len(views),
                     page=1, per_page=limit, info={"message": message})
