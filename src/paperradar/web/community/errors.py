"""Where the community rules meet HTTP: each ``CommunityError`` class has one status code
(``STATUS``), ``to_http`` turns a refusal into the ``HTTPException`` the site's error pages
and JSON errors render, and ``context`` hands the rules the request's settings, rate limits
and arXiv lookup slots."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from starlette.exceptions import HTTPException as StarletteHTTPException

from paperradar.community import errors as e
from paperradar.community.service import Context
from paperradar.web.security import rate_limit

STATUS: dict[type[e.CommunityError], int] = {
    e.BadInput: 400, e.Forbidden: 403, e.NotFound: 404, e.Conflict: 409, e.Invalid: 422,
    e.QuotaExceeded: 429, e.UpstreamFailed: 502, e.Busy: 503, e.UpstreamTimeout: 504}


def to_http(exc: e.CommunityError) -> HTTPException:
    status = next(code for cls, code in STATUS.items() if isinstance(exc, cls))
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return HTTPException(status, exc.detail, headers=headers)


def context(request: Request) -> Context:
    return Context(request.app.state.settings,
                   throttle=lambda kind, key: rate_limit(request, kind, key),
                   fetch_slots=request.app.state.submit_fetch_slots)


def install(app: FastAPI) -> None:
    """Render a refusal exactly as the site renders the matching ``HTTPException``."""

    @app.exception_handler(e.CommunityError)
    async def _community_error(request: Request, exc: e.CommunityError):
        return await request.app.exception_handlers[StarletteHTTPException](request, to_http(exc))
