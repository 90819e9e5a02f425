"""Authorship claims: a signed-in (verified) user claims the papers under an author name
(``POST /claims``); an administrator confirms or rejects (``/admin/claims``). Confirmed
claims are listed on the user's profile and on the author page."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Query, Request

from paperradar.enrich.text import author_key
from paperradar.web.auth_deps import AdminUser, VerifiedUser
from paperradar.web.community.pages import back, render
from paperradar.web.deps import StoreDep
from paperradar.web.render.enrich import segment

router = APIRouter(include_in_schema=False)
PAGE = 50


@router.post("/claims")
def claim(store: StoreDep, user: VerifiedUser, name: str = Form(..., max_length=300)):
    key = author_key(name)
    if not key or not store.count_author_papers(key):
        raise HTTPException(404, "no papers by this author in this database")
    store.request_claim(user.id, key)
    return back("/authors/" + segment(key), "/")


@router.get("/admin/claims")
def claims_page(request: Request, store: StoreDep, admin: AdminUser,
                p: int = Query(1, ge=1, le=100_000)):
    rows = store.pending_claims(PAGE + 1, (p - 1) * PAGE)
    return render(request, "claims_admin.html", {"rows": rows[:PAGE], "page": p,
                                                 "more": len(rows) > PAGE, "admin_tab": "claims"})


@router.post("/admin/claims/decide")
def decide(store: StoreDep, admin: AdminUser, user_id: int = Form(...),
           name: str = Form(..., max_length=300),
           action: str = Form(..., pattern="^(confirm|reject)$")):
    if not store.decide_claims(user_id, author_key(name), confirm=action == "confirm",
                               admin_id=admin.id):
        raise HTTPException(404, "no pending claim of this user under this name")
    return back("/admin/claims", "/admin/claims")
