"""``create_app(settings)``: build the ASGI app. Nothing is built at import time.

Each area's routes live in ``web/routes/<area>.py`` and expose ``router``; cross-cutting
layers (sessions, CSRF, security headers) install themselves through ``install(app)`` hooks.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib import import_module

from fastapi import FastAPI

from paperradar import __version__
from paperradar.blas import one_blas_thread
from paperradar.config import Settings
from paperradar.store import open_store
from paperradar.search.node_follow import NodeFollower
from paperradar.web.site import app_searcher, start_search_warmup

# Order matters only for overlapping paths: specific routers first.
ROUTE_MODULES = ("health", "hf_api", "arxiv_api", "api", "feeds", "auth", "community",
                 "admin", "subscribe", "outbox", "recommend", "pages", "enrich_pages",
                 "claims")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    one_blas_thread()  # query-time vector products never wait for a second core

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.warmup = start_search_warmup(app)
        follower = NodeFollower(lambda: app_searcher(app),  # the node's index follows the DB
                                settings.index_follow_seconds).start()
        yield
        app.state.warmup_stop.set()
        follower.stop()
        app.state.store.close()

    app = FastAPI(title="paperradar", version=__version__, lifespan=lifespan,
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json")
    app.state.settings = settings
    app.state.store = open_store(settings.resolved_database_url)
    import_module("paperradar.web.security").install(app)  # sessions, CSRF, headers
    for name in ROUTE_MODULES:
        module = import_module(f"paperradar.web.routes.{name}")
        install = getattr(module, "install", None)
        if install is not None:
            install(app)
        app.include_router(module.router)
    from paperradar.web.limits import BodyLimitMiddleware
    from paperradar.web.openapi import install as document_errors

    document_errors(app)  # the schema documents the error envelope of every operation
    # Outermost: bodies are bounded before sessions, CSRF or any route read them.
    app.add_middleware(BodyLimitMiddleware, body_timeout=settings.body_read_timeout,
                       body_total_timeout=settings.body_total_timeout)
    return app
