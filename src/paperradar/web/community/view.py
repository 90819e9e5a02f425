"""Template helpers for the community partials (``_upvote.html``, ``_comments.html``,
``_nav_extra.html``): reached from any template as ``request.app.state.community``, so pages
built by other areas show live counts, the viewer's vote and the comment thread."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from paperradar.web.auth_deps import resolve_auth
from paperradar.community import service


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

    def prime_votes(self, request: Request, paper_ids: list[str]) -> None:
        """Read the signed-in viewer's votes on all of a page's papers at once, for
        ``voted`` (nothing for anonymous viewers)."""
        user = self.user(request)
        if user is None or not paper_ids:
            return
        cache = getattr(request.state, "community_voted", None)
        if cache is None:
            cache = request.state.community_voted = {}
        missing = [pid for pid in dict.fromkeys(paper_ids) if pid not in cache]
        if missing:
            voted = set(request.app.state.store.voted_by(user.id, missing))
            cache.update({pid: pid in voted for pid in missing})

    def discussion(self, request: Request, paper_id: str) -> dict[str, Any]:
        """The page of the thread named by ``?cpage=N`` (cached on the request)."""
        cache = getattr(request.state, "community_discussion", None)
        if cache is None or cache[0] != paper_id:
            self.prime_discussion(request, paper_id)
            cache = request.state.community_discussion
        return cache[1]

    def prime_discussion(self, request: Request, paper_id: str, comments=None,
                         authors=None) -> None:
        """Build the thread page for ``discussion`` (``comments``, ``authors``: the paper's
        comments and confirmed claimants, when the page read them already)."""
        try:
            page = max(1, min(int(request.query_params.get("cpage", "1")), 100_000))
        except ValueError:
            page = 1
        found = service.discussion(request.app.state.store, paper_id, self.user(request), page,
                                   comments=comments, authors=authors)
        request.state.community_discussion = (paper_id, found)

    def prime_voted(self, request: Request, voted: dict[str, bool]) -> None:
        """Record the signed-in viewer's votes read by the page itself, for ``voted``."""
        cache = getattr(request.state, "community_voted", None)
        if cache is None:
            cache = request.state.community_voted = {}
        cache.update(voted)

    def comments(self, request: Request, paper_id: str) -> list[dict[str, Any]]:
        return self.discussion(request, paper_id)["comments"]

    def collections(self, request: Request) -> list:
        user = self.user(request)
        if user is None:
            return []
        cached = getattr(request.state, "community_collections", None)
        if cached is None:  # once per request, however many cards offer "Save"
            cached = request.state.community_collections = \
                request.app.state.store.list_collections(user.id)
        return cached
