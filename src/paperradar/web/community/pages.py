"""Community HTML pages and form posts (progressive enhancement: everything works without
JavaScript; ``community.js`` upgrades upvote buttons to in-place toggles)."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from paperradar.community import accounts, service
from paperradar.community.errors import CommunityError
from paperradar.web.auth_deps import OptionalUser
from paperradar.web.community.errors import context, to_http
from paperradar.web.deps import MAX_ROW_ID, RowId, StoreDep

router = APIRouter(include_in_schema=False)


def render(request: Request, name: str, ctx: dict, status_code: int = 200) -> Response:
    from paperradar.web.site import render as site_render

    return site_render(request, name, ctx, status_code=status_code)


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to (never another site)."""
    t = (target or "").strip()
    if not t.startswith("/") or t.startswith("//") or "\\" in t or any(ord(c) < 32 for c in t):
        return default
    return t


def back(target: str | None, default: str = "/") -> RedirectResponse:
    return RedirectResponse(safe_next(target, default), status_code=303)


def need_user(request: Request, user, verified: bool = False):
    if user is None:
        raise HTTPException(401, "sign in first")
    if verified and not user.verified:
        raise HTTPException(403, "confirm your email address first (see the mail we sent)")
    return user


def login_redirect(request: Request) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


# -- submit -----------------------------------------------------------------------------------
@router.get("/papers/submit")
def submit_page(request: Request, user: OptionalUser):
    if user is None:
        return login_redirect(request)
    return render(request, "community/submit.html", {"nav": "submit", "value": ""})


@router.post("/papers/submit")
def submit_form(request: Request, store: StoreDep, user: OptionalUser,
                paper: str = Form("", max_length=300)):
    need_user(request, user, verified=True)
    try:
        _, p = service.submit(context(request), store, user, paper)
    except (CommunityError, HTTPException) as caught:  # a rule, or the rate limit, said no
        exc = to_http(caught) if isinstance(caught, CommunityError) else caught
        if exc.status_code in (401, 403):
            raise
        detail = exc.detail if isinstance(exc.detail, dict) else {"message": str(exc.detail)}
        message, technical = detail["message"], None
        if exc.status_code in (502, 503, 504):  # upstream down or offline: say so plainly
            message, technical = ("arXiv could not be reached, so the paper was not submitted. "
                                  "Check the connection or try again in a few minutes."), message
        return render(request, "community/submit.html",
                      {"nav": "submit", "value": paper, "error": message, "technical": technical,
                       "existing": detail.get("url")}, status_code=exc.status_code)
    return RedirectResponse(f"/papers/{p.id}", status_code=303)


# -- upvotes and comments (form fallbacks) ------------------------------------------------------
@router.post("/papers/{paper_id:path}/upvote")
def upvote_form(request: Request, store: StoreDep, user: OptionalUser, paper_id: str,
                action: str = Form("toggle"), next: str = Form("")):
    user = need_user(request, user, verified=True)
    paper = service.paper_or_404(store, paper_id)
    on = (action == "up" or (action == "toggle" and
                             paper.id not in store.voted_by(user.id, [paper.id])))
    service.set_upvote(store, user, paper.id, on)
    return back(next, f"/papers/{paper.id}")


@router.post("/papers/{paper_id:path}/comments")
def comment_form(request: Request, store: StoreDep, user: OptionalUser, paper_id: str,
                 body: str = Form("", max_length=20_000),
                 parent_id: int | None = Form(None, ge=1, le=MAX_ROW_ID)):
    user = need_user(request, user, verified=True)
    c = service.add_comment(context(request), store, user, paper_id, body, parent_id)
    return RedirectResponse(f"/papers/{c.paper_id}#c{c.id}", status_code=303)


@router.get("/comments/{comment_id}/edit")
def edit_page(request: Request, store: StoreDep, user: OptionalUser, comment_id: RowId):
    if user is None:
        return login_redirect(request)
    c = service.comment_or_404(store, comment_id)
    accounts.require_author(user, c)
    return render(request, "community/comment_edit.html", {"c": c})


@router.post("/comments/{comment_id}/edit")
def edit_form(request: Request, store: StoreDep, user: OptionalUser, comment_id: RowId,
              body: str = Form("", max_length=20_000)):
    user = need_user(request, user, verified=True)
    c = service.edit_comment(store, user, comment_id, body)
    return RedirectResponse(f"/papers/{c.paper_id}#c{c.id}", status_code=303)


@router.post("/comments/{comment_id}/delete")
def delete_form(request: Request, store: StoreDep, user: OptionalUser, comment_id: RowId):
    user = need_user(request, user)
    c = service.delete_comment(store, user, comment_id)
    return RedirectResponse(f"/papers/{c.paper_id}#comments", status_code=303)


@router.post("/comments/{comment_id}/hide")
def hide_form(request: Request, store: StoreDep, user: OptionalUser, comment_id: RowId,
              hidden: bool = Form(True), next: str = Form("")):
    user = need_user(request, user)
    accounts.require_admin(user)
    c = service.comment_or_404(store, comment_id)
    store.set_comment_hidden(c.id, hidden)
    return back(next, f"/papers/{c.paper_id}#comments")
