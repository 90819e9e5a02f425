"""Collection pages: your collections, one collection, saving papers, and exports of a
collection as BibTeX, RIS and Atom (through the site's export functions)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from paperradar.community import service
from paperradar.web.auth_deps import OptionalUser
from paperradar.web.community.errors import context
from paperradar.web.community.pages import login_redirect, need_user, render, safe_next
from paperradar.web.deps import MAX_ROW_ID, RowId, StoreDep

router = APIRouter(include_in_schema=False)
LAST_COLLECTION = "pr_collection"  # cookie: the collection last saved to, preselected next time
MAX_NOTE = 2000


@router.get("/collections")
def my_collections(request: Request, store: StoreDep, user: OptionalUser):
    if user is None:
        return login_redirect(request)
    return render(request, "community/collections.html",
                  {"nav": "collections", "collections": store.list_collections(user.id)})


@router.post("/collections")
def create_collection(request: Request, store: StoreDep, user: OptionalUser,
                      name: str = Form("", max_length=200), public: bool = Form(False)):
    user = need_user(request, user)
    c = service.create_collection(context(request), store, user, name, public)
    return RedirectResponse(f"/collections/{c.id}", status_code=303)


@router.get("/collections/{collection_id:int}")
def collection_page(request: Request, store: StoreDep, user: OptionalUser, collection_id: RowId):
    from paperradar.web.render.views import views_of

    c = service.readable_collection(store, collection_id, user)
    views = views_of(store, service.collection_papers(store, c))  # newest saved first
    mine = bool(user and user.id == c.user_id)
    notes = store.collection_notes(c.id, [v.id for v in views])
    return render(request, "community/collection.html",
                  {"c": c, "views": views, "mine": mine, "notes": notes,
                   "max_note": MAX_NOTE})


@router.post("/collections/{collection_id:int}/settings")
def collection_settings(request: Request, store: StoreDep, user: OptionalUser,
                        collection_id: RowId, name: str = Form("", max_length=200),
                        public: bool = Form(False)):
    user = need_user(request, user)
    c = service.own_collection(store, collection_id, user)
    service.update_collection(store, user, c, name, public)
    return RedirectResponse(f"/collections/{c.id}", status_code=303)


@router.post("/collections/{collection_id:int}/delete")
def collection_delete(request: Request, store: StoreDep, user: OptionalUser, collection_id: RowId):
    user = need_user(request, user)
    c = service.own_collection(store, collection_id, user)
    service.delete_collection(store, c)
    return RedirectResponse("/collections", status_code=303)


@router.post("/collections/{collection_id:int}/remove")
def collection_remove(request: Request, store: StoreDep, user: OptionalUser, collection_id: RowId,
                      paper: str = Form("", max_length=300)):
    user = need_user(request, user)
    c = service.own_collection(store, collection_id, user)
    store.remove_from_collection(c.id, service.paper_or_404(store, paper).id)
    return RedirectResponse(f"/collections/{c.id}", status_code=303)


@router.post("/collections/{collection_id:int}/note")
def collection_note(request: Request, store: StoreDep, user: OptionalUser, collection_id: RowId,
                    paper: str = Form("", max_length=300), note: str = Form("", max_length=MAX_NOTE)):
    user = need_user(request, user)
    c = service.own_collection(store, collection_id, user)
    service.set_note(store, c, service.paper_or_404(store, paper).id, note.strip())
    return RedirectResponse(f"/collections/{c.id}", status_code=303)


@router.post("/papers/{paper_id:path}/save")
def save_paper(request: Request, store: StoreDep, user: OptionalUser, paper_id: str,
               collection: int | None = Form(None, ge=1, le=MAX_ROW_ID), next: str = Form("")):
    """Save, then back to the page with a confirmation; the collection is remembered as the
    one to preselect next time (a cookie)."""
    user = need_user(request, user)
    paper = service.paper_or_404(store, paper_id)
    c = (service.own_collection(store, collection, user) if collection
         else store.default_collection(user.id))
    service.add_to_collection(context(request), store, c, paper.id)
    path, _, query = safe_next(next, f"/papers/{paper.id}").split("#", 1)[0].partition("?")
    kept = [(k, v) for k, v in parse_qsl(query) if k != "saved"]
    target = f"{path}?{urlencode([*kept, ('saved', c.id)])}"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(LAST_COLLECTION, str(c.id), max_age=365 * 86400, httponly=True,
                        samesite="lax", path="/")
    return response


# -- exports ----------------------------------------------------------------------------------
def _export(request: Request, store, user, collection_id: RowId, kind: str) -> Response:
    from paperradar.web.render import atom, exports
    from paperradar.web.render.views import views_of

    c = service.readable_collection(store, collection_id, user)
    papers = service.collection_papers(store, c)
    headers = {"Cache-Control": "private, no-store" if not c.is_public else "public, max-age=60"}
    if kind == "bib":
        return Response(exports.bibtex_list(papers), media_type="application/x-bibtex; charset=utf-8",
                        headers={**headers, "Content-Disposition": f'inline; filename="collection-{c.id}.bib"'})
    if kind == "ris":
        return Response(exports.ris_list(papers), media_type="application/x-research-info-systems",
                        headers={**headers, "Content-Disposition": f'inline; filename="collection-{c.id}.ris"'})
    base = request.app.state.settings.base_url.rstrip("/")
    feed = atom.site_feed(f"{c.name} — {c.owner_name}", f"{base}/collections/{c.id}.atom",
                          f"{base}/collections/{c.id}", views_of(store, papers), base)
    return Response(feed, media_type="application/atom+xml; charset=utf-8", headers=headers)


@router.get("/collections/{collection_id:int}.bib")
def export_bib(request: Request, store: StoreDep, user: OptionalUser, collection_id: RowId):
    return _export(request, store, user, collection_id, "bib")


@router.get("/collections/{collection_id:int}.ris")
def export_ris(request: Request, store: StoreDep, user: OptionalUser, collection_id: RowId):
    return _export(request, store, user, collection_id, "ris")


@router.get("/collections/{collection_id:int}.atom")
def export_atom(request: Request, store: StoreDep, user: OptionalUser, collection_id: RowId):
    return _export(request, store, user, collection_id, "atom")
