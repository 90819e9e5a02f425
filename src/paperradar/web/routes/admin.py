"""Routes: moderation pages for administrators: users (ban, unban, make admin), local
submissions (take off the daily list), comments (hide, unhide, delete). Banning hides the
user's comments, votes and submissions everywhere and ends their sessions and tokens."""

from __future__ import annotations

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from paperradar.web.auth_deps import AdminUser
from paperradar.community import accounts, service
from paperradar.web.community.pages import back, render
from paperradar.web.deps import StoreDep

router = APIRouter(prefix="/admin", include_in_schema=False)
PAGE = 50


@router.get("")
def admin_home(admin: AdminUser):
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/users")
def users_page(request: Request, store: StoreDep, admin: AdminUser,
               q: str = Query("", max_length=200), p: int = Query(1, ge=1, le=100_000)):
    users = store.list_users(query=q.strip(), limit=PAGE + 1, offset=(p - 1) * PAGE)
    return render(request, "community/admin_users.html",
                  {"users": users[:PAGE], "q": q, "page": p, "more": len(users) > PAGE,
                   "admin_tab": "users"})


@router.post("/users/{user_id:int}")
def update_user(request: Request, store: StoreDep, admin: AdminUser, user_id: int,
                action: str = Form(..., pattern="^(ban|unban|make_admin|drop_admin|verify)$"),
                next: str = Form("")):
    accounts.moderate_user(store, admin, user_id, action)
    return back(next, "/admin/users")


@router.get("/papers")
def papers_page(request: Request, store: StoreDep, admin: AdminUser,
                p: int = Query(1, ge=1, le=100_000)):
    entries = store.recent_submissions(PAGE + 1, (p - 1) * PAGE)
    papers = store.get_papers([e.paper_id for e in entries[:PAGE]])
    return render(request, "community/admin_papers.html",
                  {"entries": entries[:PAGE], "papers": papers, "page": p,
                   "more": len(entries) > PAGE, "admin_tab": "papers"})


@router.post("/papers/{paper_id:path}/remove")
def remove_paper(store: StoreDep, admin: AdminUser, paper_id: str, next: str = Form("")):
    paper = service.paper_or_404(store, paper_id)
    accounts.remove_submission(store, paper.id)
    return back(next, "/admin/papers")


@router.get("/comments")
def comments_page(request: Request, store: StoreDep, admin: AdminUser,
                  p: int = Query(1, ge=1, le=100_000)):
    comments = store.recent_comments(PAGE + 1, (p - 1) * PAGE)
    service.refresh_html(store, comments[:PAGE])
    rows = [(c, service.comment_dict(c, admin)) for c in comments[:PAGE]]
    return render(request, "community/admin_comments.html",
                  {"rows": rows, "page": p, "more": len(comments) > PAGE,
                   "admin_tab": "comments"})
