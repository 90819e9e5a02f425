"""Profile pages (submitted, upvoted, comments) and the API-token page. A new token is shown
once; only its SHA-256 is stored."""

from __future__ import annotations

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from paperradar.community import accounts, service
from paperradar.web.auth_deps import TOKEN_PREFIX, OptionalUser
from paperradar.web.community.pages import login_redirect, need_user, render
from paperradar.web.deps import RowId, StoreDep
from paperradar.web.security import hash_secret, new_secret, rate_limit

router = APIRouter(include_in_schema=False)
PAGE = 30


def issue_token(store, user_id: int, name: str) -> str:
    """Create an API token and return it in clear (the only time it exists in clear)."""
    token = new_secret(TOKEN_PREFIX)
    store.create_api_token(user_id, name, hash_secret(token), token[:len(TOKEN_PREFIX) + 4])
    return token


@router.get("/users/{name}")
def profile(request: Request, store: StoreDep, viewer: OptionalUser, name: str,
            tab: str = Query("submitted", pattern="^(submitted|upvoted|comments)$"),
            p: int = Query(1, ge=1, le=10_000)):
    from paperradar.web.render.views import views_of

    owner = accounts.visible_user(store, name, viewer)
    offset = (p - 1) * PAGE
    views, comments = [], []
    if tab == "submitted":
        ids = [e.paper_id for e in store.submissions_by(owner.id, PAGE + 1, offset)]
    elif tab == "upvoted":
        ids = store.papers_upvoted_by(owner.id, PAGE + 1, offset)
    else:
        ids = []
        listed = store.comments_by(owner.id, PAGE + 1, offset)
        service.refresh_html(store, listed)  # rendered once per renderer version
        comments = [(c, service.comment_dict(c, viewer)) for c in listed]
    more = len(ids) > PAGE or len(comments) > PAGE
    if ids:
        found = store.get_papers(ids[:PAGE])
        views = views_of(store, [found[i] for i in ids[:PAGE] if i in found])
    titles = store.get_papers([c.paper_id for c, _ in comments[:PAGE]]) if comments else {}
    return render(request, "community/profile.html", {
        "owner": owner, "tab": tab, "views": views, "comments": comments[:PAGE],
        "titles": titles, "page": p, "more": more,
        "collections": store.list_collections(owner.id, public_only=not (
            viewer and viewer.id == owner.id)),
        "me": bool(viewer and viewer.id == owner.id)})


@router.get("/account")
def account_page(request: Request, user: OptionalUser):
    if user is None:
        return login_redirect(request)
    return RedirectResponse(f"/users/{user.name}", status_code=303)


@router.get("/account/tokens")
def tokens_page(request: Request, store: StoreDep, user: OptionalUser):
    if user is None:
        return login_redirect(request)
    return render(request, "community/tokens.html",
                  {"tokens": store.list_api_tokens(user.id), "new_token": None})


@router.post("/account/tokens")
def create_token(request: Request, store: StoreDep, user: OptionalUser,
                 name: str = Form("", max_length=200)):
    user = need_user(request, user)
    label = " ".join(name.split())[:80] or "API token"
    accounts.check_token_quota(request.app.state.settings, store, user)
    rate_limit(request, "token", f"user:{user.id}")
    token = issue_token(store, user.id, label)
    response = render(request, "community/tokens.html",
                      {"tokens": store.list_api_tokens(user.id), "new_token": token}, 201)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/account/tokens/{token_id:int}/delete")
def delete_token(request: Request, store: StoreDep, user: OptionalUser, token_id: RowId):
    user = need_user(request, user)
    accounts.delete_token(store, user, token_id)
    return RedirectResponse("/account/tokens", status_code=303)
