"""Template helpers for the community partials (``_upvote.html``, ``_comments.html``,
``_nav_extra.html``): reached from any template as ``request.app.state.community``, so pages
built by other areas show live counts, the viewer's vote and the comment thread."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from paperradar.web.auth_deps import resolve_auth
from paperradar.web.community import service


class CommunityView:
    def user(self, request: Request):
        try:
            return resolve_auth(request).user
        except Exception:  # a bad Bearer token on a page: render as anonymous
            return None

    def csrf(self, request: Request) -> str:
        try:
            return resolve_auth(request).csrf or ""
        except Exception:
            return ""

    def voted(self, request: Request, paper_id: str) -> bool:
        """Whether the signed-in viewer upvoted the paper (no query for anonymous viewers)."""
        user = self.user(request)
        if user is None:
            return False
        cache = getattr(request.state, "community_voted", None)
        if cache is None:
            cache = request.state.community_voted = {}
        if paper_id not in cache:
            cache[paper_id] = bool(request.app.state.store.voted_by(user.id, [paper_id]))
        return cache[paper_id]

    def comments(self, request: Request, paper_id: str) -> list[dict[str, Any]]:
        store = request.app.state.store
        return service.thread(store.list_comments(paper_id), self.user(request))

    def collections(self, request: Request) -> list:
        user = self.user(request)
        if user is None:
            return []
        cached = getattr(request.state, "community_collections", None)
        if cached is None:  # once per request, however many cards offer "Save"
            cached = request.state.community_collections = \
                request.app.state.store.list_collections(user.id)
        return cached
