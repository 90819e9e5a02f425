"""Site plumbing installed once per app: templates, static files, structured access logs,
error pages (HTML for pages, JSON for ``/api``), and the app's single ``Searcher``."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path


from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from markupsafe import Markup

from paperradar import __version__, latex
from paperradar.web.render.text import gist, short_authors

HERE = Path(__file__).parent
access_log = logging.getLogger("paperradar.access")
error_log = logging.getLogger("paperradar.web")

DB_RETRY_AFTER_S = 5
_HEADINGS = {400: "Bad request", 401: "Sign in first", 403: "Not allowed", 404: "Not found",
             405: "Method not allowed", 408: "Request timeout", 409: "Conflict",
             413: "Content too large", 422: "Bad request", 429: "Too many requests",
             499: "Client closed request", 500: "Something went wrong", 502: "Upstream failed",
             503: "Unavailable", 504: "Upstream timed out"}


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.auto_reload = False  # package files: no stat() per include on every request
    env.globals["static"] = lambda path: f"/static/{path}?v={__version__}"
    env.globals["short_authors"] = short_authors
    env.filters["gist"] = gist
    env.globals["outbox_visible"] = outbox_visible
    env.filters["tex"] = lambda text: Markup(latex.to_html(text))  # LaTeX text markup, math kept
    return templates


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def outbox_visible(request: Request) -> bool:
    """The mail outbox page is shown only without SMTP, outside production, to loopback."""
    settings = request.app.state.settings
    return (settings.mail_outbox is not None and settings.env != "production"
            and request.client is not None and request.client.host in LOOPBACK)


def templates_of(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def render(request: Request, name: str, context: dict, status_code: int = 200,
           headers: dict | None = None) -> Response:
    return templates_of(request).TemplateResponse(request, name, context, status_code=status_code,
                                                  headers=headers)


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/feeds/")) or path in ("/healthz", "/readyz", "/openapi.json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _detail_text(detail) -> str:
    """A validation error list as one readable line; anything else as text."""
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(str(x) for x in e.get('loc', [])[1:])}: {e.get('msg')}"
                         for e in detail if isinstance(e, dict))
    return str(detail)


def heading(status: int) -> str:
    """A real heading for every status (never a bare "Error")."""
    if status in _HEADINGS:
        return _HEADINGS[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Request failed" if status < 500 else "Something went wrong"


def error_response(request: Request, status: int, detail) -> Response:
    headers = {"Cache-Control": "no-store"}
    if wants_json(request):
        return JSONResponse({"error": heading(status), "status": status,
                             "detail": detail}, status_code=status, headers=headers)
    if status == 401 and request.method in ("GET", "HEAD") and \
            "authorization" not in request.headers:  # a browser signed out: log in first
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303,
                                headers=headers)
    text = _detail_text(detail)
    return render(request, "error.html", {"status": status, "heading": heading(status),
                                          "detail": text}, status_code=status, headers=headers)




def get_searcher(request: Request):
    """The app's one Searcher, created on first use (loading indexes is not free)."""
    return app_searcher(request.app)


def app_searcher(app):
    state = app.state
    if getattr(state, "searcher", None) is None:
        with state.searcher_lock:
            if getattr(state, "searcher", None) is None:
                from paperradar.search import Searcher

                state.searcher = Searcher(state.settings, state.store)
    return state.searcher


WARM_RETRY_S = 5.0  # a node started before any vector exists looks again this often


def start_search_warmup(app) -> threading.Thread | None:
    """Load the search model and indexes in a background thread as the server starts, so the
    first visitor's search does not wait seconds for them (``search_warmup`` setting). A node
    that starts before the database holds any vector (a new deployment, or a node whose
    papers are embedded later by another process) looks again every ``WARM_RETRY_S`` until
    there are some, then loads the model once; ``app.state.warmup_stop`` ends the wait."""
    app.state.warmup_stop = stop = threading.Event()
    if not app.state.settings.search_warmup:
        return None

    def warm() -> None:
        failed = False
        while True:
            try:
                app.state.search_warm = app_searcher(app).warm()
                if app.state.search_warm:
                    return
            except Exception as exc:  # searching still works; it reports its own errors
                if not failed:
                    logging.getLogger("paperradar").warning("search warm-up failed: %s", exc)
                failed = True
            if stop.wait(WARM_RETRY_S):
                return

    thread = threading.Thread(target=warm, name="search-warmup", daemon=True)
    thread.start()
    return thread


class AccessLogMiddleware:
    """One JSON line per request on the ``paperradar.access`` logger."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                client = scope.get("client") or ("-", 0)
                access_log.info(json.dumps({
                    "ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                    "method": scope["method"], "path": scope["path"],
                    "query": scope.get("query_string", b"").decode("latin-1")[:500],
                    "status": status["code"],
                    "ms": round((time.perf_counter() - start) * 1000, 2), "client": client[0],
                }))


class HeadAsGetMiddleware:
    """Answer HEAD like GET without the body (routes are declared for GET only)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def send_headers_only(message):
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(dict(scope, method="GET"), receive, send_headers_only)


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI at ``/docs`` from bundled static files instead of FastAPI's CDN."""
    from fastapi.openapi.docs import get_swagger_ui_html

    if app.docs_url is None:
        return
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != app.docs_url]

    async def docs(request: Request) -> Response:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} API",
                                   swagger_js_url=f"/static/swagger/swagger-ui-bundle.js?v={__version__}",
                                   swagger_css_url=f"/static/swagger/swagger-ui.css?v={__version__}",
                                   swagger_favicon_url="/static/favicon.svg")

    app.add_route(app.docs_url, docs, include_in_schema=False)


def allowed_methods(app, scope) -> list[str]:
    """The methods some route of the app accepts on this request's path."""
    from starlette.routing import Match

    from paperradar.web.openapi import all_routes

    matched: dict[str, set[str]] = {}
    for route in all_routes(app):
        found = getattr(route, "methods", None)
        if found and route.matches(scope)[0] is not Match.NONE:
            matched.setdefault(route.path_format, set()).update(found)
    if not matched:
        return []
    # The most specific templates win: /api/papers/submit, not /api/papers/{paper_id}.
    fewest = min(p.count("{") for p in matched)
    return sorted(set().union(*(m for p, m in matched.items() if p.count("{") == fewest)))


def install(app: FastAPI) -> None:
    install_docs(app)
    app.state.templates = make_templates()
    app.state.searcher = None
    app.state.searcher_lock = threading.Lock()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    from paperradar.web.nul import NulRefusalMiddleware

    app.add_middleware(NulRefusalMiddleware)  # innermost: after CSRF, on bounded bodies
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(AccessLogMiddleware)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        response = error_response(request, exc.status_code, exc.detail)
        response.headers.update(exc.headers or {})  # Retry-After, WWW-Authenticate
        if exc.status_code == 405:  # every method of the path, not just the first route's
            response.headers["Allow"] = ", ".join(allowed_methods(request.app, request.scope))
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        detail = [{k: e.get(k) for k in ("loc", "msg", "type")} for e in exc.errors()]
        return error_response(request, 422, detail)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        from paperradar.store.errors import is_unavailable

        if is_unavailable(exc):  # the database is away (restart, failover): retry shortly
            error_log.warning("database unavailable on %s %s: %s", request.method,
                              request.url.path, str(exc).strip().splitlines()[0] if str(exc) else exc)
            response = error_response(request, 503, "The database is unavailable; retry shortly.")
            response.headers["Retry-After"] = str(DB_RETRY_AFTER_S)
            return response
        error_log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "An unexpected error occurred; it has been logged.")
