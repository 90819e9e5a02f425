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

    def _counts(self, request: Request, paper_id: str) -> tuple[int, int, bool]:
        """(upvotes, comments, voted) for one paper, cached per request."""
        cache = getattr(request.state, "community_counts", None)
        if cache is None:
            cache = request.state.community_counts = {}
        if paper_id not in cache:
            store = request.app.state.store
            user = self.user(request)
            cache[paper_id] = (store.upvote_counts([paper_id])[paper_id],
                               store.comment_counts([paper_id])[paper_id],
                               bool(user and store.voted_by(user.id, [paper_id])))
        return cache[paper_id]

    def upvotes(self, request: Request, paper_id: str) -> int:
        return self._counts(request, paper_id)[0]

    def num_comments(self, request: Request, paper_id: str) -> int:
        return self._counts(request, paper_id)[1]

    def voted(self, request: Request, paper_id: str) -> bool:
        return self._counts(request, paper_id)[2]

    def comments(self, request: Request, paper_id: str) -> list[dict[str, Any]]:
        store = request.app.state.store
        return service.thread(store.list_comments(paper_id), self.user(request))

    def collections(self, request: Request) -> list:
        user = self.user(request)
        if user is None:
            return []
        return request.app.state.store.list_collections(user.id)
