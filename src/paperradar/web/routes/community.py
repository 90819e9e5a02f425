"""Routes: community (upvotes, comments, submissions, collections): the JSON API under
``/api`` and the HTML pages and form posts; ``install`` exposes the template helpers."""

from __future__ import annotations

import threading

from fastapi import APIRouter, FastAPI

from paperradar.web.community import api, collections, errors, pages
from paperradar.web.community.view import CommunityView

router = APIRouter()
router.include_router(api.router)
router.include_router(pages.router)
router.include_router(collections.router)


def install(app: FastAPI) -> None:
    app.state.community = CommunityView()
    errors.install(app)  # community refusals -> HTTP status codes
    # Interactive arXiv lookups (submits) get this many threads of the server's pool at most.
    app.state.submit_fetch_slots = threading.BoundedSemaphore(
        app.state.settings.submit_fetch_slots)
