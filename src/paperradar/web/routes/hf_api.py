"""Hugging Face compatible JSON API: ``/api/daily_papers``, ``/api/papers/{id}``,
``/api/papers/search``, answering in Hugging Face's shapes so ``huggingface_hub`` works."""

from __future__ import annotations

from datetime import date as date_cls
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from paperradar.web.deps import StoreDep
from paperradar.web.render.hf import hf_list_item, hf_paper
from paperradar.web.render.ids import canonical_or_404, register_convertors
from paperradar.web.render.listing import daily_views, latest_period
from paperradar.web.render.periods import BadPeriod, Period, parse_day, parse_month, parse_week
from paperradar.web.render.searching import SearchForm, run_search
from paperradar.web.render.views import view_of

router = APIRouter(prefix="/api", tags=["hugging face compatible"])
_SORTS = {"publishedAt": "date", "trending": "upvotes", "upvotes": "upvotes", "date": "date"}
_ALL_TIME = Period("all", "all", date_cls(1, 1, 1), date_cls(9999, 12, 31))


def _period(store, date: str | None, week: str | None, month: str | None,
            submitter: str | None) -> Period | None:
    given = [(v, f) for v, f in ((date, parse_day), (week, parse_week), (month, parse_month)) if v]
    if len(given) > 1:
        raise HTTPException(400, "give at most one of date, week, month")
    if given:
        try:
            return given[0][1](given[0][0])
        except BadPeriod as exc:
            raise HTTPException(400, str(exc)) from exc
    return _ALL_TIME if submitter else latest_period(store)


@router.get("/daily_papers", summary="Daily papers (Hugging Face shape)")
async def daily_papers(
    store: StoreDep,
    date: Annotated[str | None, Query(max_length=20, description="YYYY-MM-DD")] = None,
    week: Annotated[str | None, Query(max_length=20, description="YYYY-Www")] = None,
    month: Annotated[str | None, Query(max_length=20, description="YYYY-MM")] = None,
    submitter: Annotated[str | None, Query(max_length=100)] = None,
    sort: Annotated[str, Query(max_length=20, description="publishedAt | trending")] = "trending",
    p: Annotated[int, Query(ge=0, le=10_000, description="page, from 0")] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[dict]:  # documented shape; returned as JSONResponse (no re-validation)
    if sort not in _SORTS:
        raise HTTPException(400, "sort must be publishedAt or trending")
    period = _period(store, date, week, month, submitter)
    if period is None:
        return JSONResponse([])
    views = daily_views(store, period, sort=_SORTS[sort], limit=limit, offset=p * limit,
                        submitter=submitter)
    return JSONResponse([hf_list_item(v) for v in views])


@router.get("/papers/search", summary="Search papers (Hugging Face shape)")
def papers_search(request: Request,
                  q: Annotated[str, Query(max_length=1000)] = "",
                  limit: Annotated[int, Query(ge=1, le=100)] = 50) -> list[dict]:
    if not q.strip():
        return []
    result = run_search(request, SearchForm(q=q), per_page=limit, snippets=False)
    if result.error:
        raise HTTPException(503, result.error)
    return JSONResponse([hf_list_item(v) for v, _ in result.items])


@router.get("/papers/{paper_id}", summary="Paper (Hugging Face shape)")
async def paper_info(paper_id: str, store: StoreDep) -> dict:
    """One paper (Hugging Face ``paper_info`` shape)."""
    pid = canonical_or_404(paper_id)
    paper = store.get_paper(pid)
    if paper is None:
        raise HTTPException(404, "Paper not found")
    return JSONResponse(hf_paper(view_of(store, paper)))


def install(app: FastAPI) -> None:
    register_convertors()
    app.add_api_route("/api/papers/{paper_id:oldid}", paper_info, methods=["GET"],
                      include_in_schema=False)  # old-style ids such as hep-th/9901001
