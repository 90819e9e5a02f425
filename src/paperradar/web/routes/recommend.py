"""Routes of the recommender: the "For you" page (signed-in readers, period tabs, reasons,
"not interested"), library import on the settings page, and ``POST /api/v1/recommend`` for
anonymous and scripted use. Rankings come from ``rank.foryou`` (the same code path as the CLI
and the digests)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.datastructures import UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from paperradar.ids import InvalidId, parse_arxiv_id
from paperradar.rank import foryou
from paperradar.rank.trending import period_window
from paperradar.web.auth_deps import OptionalUser
from paperradar.web.community.pages import login_redirect, need_user, render, safe_next
from paperradar.web.deps import SettingsDep, StoreDep

router = APIRouter()
PERIODS = (("day", "Today"), ("week", "This week"), ("month", "This month"))
MAX_DAYS = 31
MAX_IDS = 500
API_RATE = (60, 60.0)  # requests per window (seconds) per client address


def page_window(store, period: str, now: datetime | None = None) -> tuple[str, str, str]:
    """(since, until, note) of a period tab, anchored at the newest stored paper when the
    period ending today has none (an archive that stopped being updated)."""
    now = now or datetime.now(timezone.utc)
    since, until = period_window(period, now)
    latest = store.latest_published_date()
    if latest and latest < since:
        anchor = datetime.combine(date.fromisoformat(latest), datetime.min.time(), timezone.utc)
        since, until = period_window(period, anchor)
        return since, until, f"The newest papers here are from {latest}."
    return since, until, ""


@router.get("/for-you", include_in_schema=False)
def for_you(request: Request, store: StoreDep, settings: SettingsDep, user: OptionalUser,
            period: str = "week"):
    from paperradar.web.render.views import views_of

    if user is None:
        return login_redirect(request)
    if period not in dict(PERIODS):
        raise HTTPException(400, "period must be day, week or month")
    since, until, note = page_window(store, period)
    result = foryou.recommend_user(store, settings, user.id, since=since, until=until, limit=30)
    views = views_of(store, [i.paper for i in result.items])
    return render(request, "recommend/for_you.html", {
        "nav": "for-you", "periods": PERIODS, "period": period, "result": result,
        "rows": list(zip(views, result.items)), "window_note": note})


@router.post("/for-you/{paper_id:path}/dismiss", include_in_schema=False)
def dismiss(request: Request, store: StoreDep, user: OptionalUser, paper_id: str,
            next: str = Form("/for-you", max_length=300), undo: str = Form("", max_length=5)):
    user = need_user(request, user)
    try:
        pid = parse_arxiv_id(paper_id)[0]
    except InvalidId:
        pid = paper_id
    try:
        store.set_dismissed(user.id, pid, not undo)
    except KeyError as exc:
        raise HTTPException(404, "no such paper") from exc
    return RedirectResponse(safe_next(next, "/for-you"), status_code=303)


@router.get("/settings/library", include_in_schema=False)
def library_page(request: Request, user: OptionalUser):
    if user is None:
        return login_redirect(request)
    return render(request, "recommend/library.html", {"nav": "for-you", "report": None,
                                                      "error": None})


@router.post("/settings/library", include_in_schema=False)
async def library_upload(request: Request, store: StoreDep, user: OptionalUser):
    from paperradar.ingest.library import MAX_BYTES, LibraryError, parse_library
    from paperradar.ingest.library_import import import_library

    user = need_user(request, user)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BYTES + 65536:
        return _library_error(request, f"the file is too large: at most {MAX_BYTES:,} bytes", 413)
    form = await request.form(max_files=1, max_fields=5)
    upload, name = form.get("file"), str(form.get("name") or "")[:200]
    if not isinstance(upload, UploadFile):
        return _library_error(request, "choose a file to upload", 400)
    data = await upload.read(MAX_BYTES + 1)
    try:
        lib = parse_library(data, upload.filename or "")
        report = import_library(store, user.id, lib, name or "Imported library")
    except (LibraryError, ValueError) as exc:
        return _library_error(request, str(exc), 400)
    return render(request, "recommend/library.html", {"nav": "for-you", "report": report,
                                                      "error": None})


def _library_error(request: Request, message: str, status: int):
    return render(request, "recommend/library.html", {"nav": "for-you", "report": None,
                                                      "error": message}, status)


# -- JSON API ---------------------------------------------------------------------------------
class RecommendRequest(BaseModel):
    papers: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=MAX_IDS,
        description="arXiv ids (or arxiv.org URLs) the reader likes; none: the trending list")
    since: date | None = Field(None, description="first publication day of the candidates "
                               "(default: 6 days before `until`)")
    until: date | None = Field(None, description="last day (default: today, UTC)")
    limit: int = Field(20, ge=1, le=foryou.MAX_LIMIT)


class Reasons(BaseModel):
    paper_id: str
    title: str
    text: str


class RecommendItem(BaseModel):
    id: str
    title: str
    score: float
    reasons: list[Reasons]
    abstract: str
    published: str | None
    url: str


class RecommendResponse(BaseModel):
    items: list[RecommendItem]
    mode: str = Field(description="`recommended`, or `trending` when no paper was usable")
    since: str
    until: str
    unknown: list[str] = Field(description="ids not found in this paperradar (not fatal)")
    invalid: list[str] = Field(description="entries that are not arXiv ids")
    note: str


class ErrorBody(BaseModel):
    error: str
    status: int
    detail: Any


ERRORS = {400: {"model": ErrorBody, "description": "bad dates (until before since, or a "
                "range of more than 31 days)"},
          422: {"model": ErrorBody, "description": "malformed body (not JSON, wrong types, "
                "more than 500 ids, limit out of 1..200)"},
          429: {"model": ErrorBody, "description": "too many requests from this address"}}


@router.post("/api/v1/recommend", response_model=RecommendResponse, responses=ERRORS,
             tags=["paperradar"], summary="Recommend papers of a period from a list of papers")
def recommend_api(request: Request, body: RecommendRequest, store: StoreDep,
                  settings: SettingsDep):
    """Rank the papers first published in [since, until] for a reader who likes ``papers``,
    best first, each with the reasons (the liked papers it is closest to)."""
    _rate_limit(request, store)
    until = body.until or datetime.now(timezone.utc).date()
    since = body.since or until - timedelta(days=6)
    if since > until:
        raise HTTPException(400, "since is after until")
    if (until - since).days >= MAX_DAYS:
        raise HTTPException(400, f"the range may span at most {MAX_DAYS} days")
    ids, invalid = [], []
    for raw in body.papers:
        try:
            ids.append(parse_arxiv_id(raw)[0])
        except InvalidId:
            invalid.append(raw)
    result = foryou.recommend_ids(store, settings, ids, since=since.isoformat(),
                                  until=until.isoformat(), limit=body.limit)
    base = settings.base_url.rstrip("/")
    items = [RecommendItem(id=i.paper.id, title=" ".join(i.paper.title.split()), score=i.score,
                           reasons=[Reasons(paper_id=r.paper_id, title=r.title,
                                            text=r.sentence()) for r in i.reasons],
                           abstract=i.paper.abstract, published=i.paper.published,
                           url=f"{base}/papers/{i.paper.id}") for i in result.items]
    out = RecommendResponse(items=items, mode=result.mode, since=result.since,
                            until=result.until, unknown=result.unknown, invalid=invalid,
                            note=result.note)
    return JSONResponse(out.model_dump())


def _rate_limit(request: Request, store) -> None:
    import time

    client = request.client.host if request.client else "unknown"
    wait = store.rate_limit_hit(f"recommend:{client}", API_RATE[0], API_RATE[1], time.time())
    if wait:
        raise HTTPException(429, f"too many requests; try again in {int(wait) + 1} s",
                            headers={"Retry-After": str(int(wait) + 1)})
