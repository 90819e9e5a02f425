"""The community JSON API: upvotes, comments, submissions, collections (OpenAPI tag
``community``). Writes need a signed-in session (with CSRF) or ``Authorization: Bearer``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from paperradar.community import service
from paperradar.web.auth_deps import AdminUser, CurrentUser, OptionalUser, VerifiedUser
from paperradar.web.community.errors import context
from paperradar.web.deps import MAX_ROW_ID, Offset, RowId, StoreDep
from paperradar.web.openapi import errors

router = APIRouter(prefix="/api", tags=["community"])
STRICT = ConfigDict(strict=True)  # JSON types as documented: no "1" for 1 or 0 for false


def _no_text_or_bool(value: Any) -> Any:
    if isinstance(value, (str, bool)):
        raise ValueError("must be a JSON integer")
    return value


# A row id as a JSON integer, also written 12.0 (JSON Schema counts it as one); never "12".
JsonRowId = Annotated[int, Field(strict=False, ge=1, le=MAX_ROW_ID),
                      BeforeValidator(_no_text_or_bool)]
PaperId = Path(description="arXiv id (2401.01234, hep-th/9901001) or source:id")


class VoteState(BaseModel):
    paper_id: str
    upvotes: int = Field(description="local upvotes plus the imported count")
    local_upvotes: int
    upvoted: bool


class CommentIn(BaseModel):
    model_config = STRICT
    body: str = Field(max_length=20_000, description="Markdown (raw HTML is shown as text)")
    parent_id: JsonRowId | None = Field(None, description="reply to this comment")


class CommentEdit(BaseModel):
    model_config = STRICT
    body: str = Field(max_length=20_000)


class SubmitIn(BaseModel):
    model_config = STRICT
    id: str = Field(min_length=1, max_length=300, description="an arXiv id or an arxiv.org URL "
                    "(anything else: 400)")


NAME_PATTERN = r"\S"  # at least one visible character


class CollectionIn(BaseModel):
    model_config = STRICT
    name: str = Field(min_length=1, max_length=80, pattern=NAME_PATTERN)
    public: bool = False


class CollectionPatch(BaseModel):
    model_config = STRICT
    name: str | None = Field(None, min_length=1, max_length=80, pattern=NAME_PATTERN)
    public: bool | None = None


@router.get("/me", summary="Who the session or API token belongs to")
def me(user: CurrentUser) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "display_name": user.display_name,
            "email": user.email, "verified": user.verified, "is_admin": user.is_admin}


# -- upvotes ----------------------------------------------------------------------------------
@router.get("/papers/{paper_id:path}/upvote", response_model=VoteState, summary="Upvote state")
def get_upvote(store: StoreDep, user: OptionalUser, paper_id: str = PaperId):
    paper = service.paper_or_404(store, paper_id)
    return service.vote_state(store, paper.id, user)


@router.post("/papers/{paper_id:path}/upvote", response_model=VoteState, summary="Upvote a paper")
def upvote(store: StoreDep, user: VerifiedUser, paper_id: str = PaperId):
    """Idempotent: upvoting twice counts once."""
    return service.set_upvote(store, user, paper_id, True)


@router.delete("/papers/{paper_id:path}/upvote", response_model=VoteState,
               summary="Withdraw an upvote")
def unvote(store: StoreDep, user: VerifiedUser, paper_id: str = PaperId):
    return service.set_upvote(store, user, paper_id, False)


# -- comments ---------------------------------------------------------------------------------
@router.get("/papers/{paper_id:path}/comments", summary="A paper's comments, in thread order")
def list_comments(store: StoreDep, user: OptionalUser, paper_id: str = PaperId,
                  page: int = Query(1, ge=1, le=100_000, description="page of the thread"),
                  per_page: int = Query(service.COMMENTS_PER_PAGE, ge=1, le=100)
                  ) -> dict[str, Any]:
    """``per_page`` entries of the thread (replies under their parent) per page."""
    paper = service.paper_or_404(store, paper_id)
    found = service.discussion(store, paper.id, user, page, per_page)
    local = store.local_comment_counts([paper.id])[paper.id]
    imported = store.comment_counts([paper.id])[paper.id] - local
    return {"paper_id": paper.id, "count": local,  # the comments listed here (this site's)
            "imported_count": imported,  # comments on the source (e.g. Hugging Face), not here
            "page": found["page"], "pages": found["pages"], "comments": found["comments"]}


@router.post("/papers/{paper_id:path}/comments", status_code=201, summary="Comment on a paper",
             responses=errors(429))
def post_comment(request: Request, body: CommentIn, store: StoreDep, user: VerifiedUser,
                 paper_id: str = PaperId) -> dict[str, Any]:
    c = service.add_comment(context(request), store, user, paper_id, body.body, body.parent_id)
    return service.comment_out(store, c, user)


@router.patch("/comments/{comment_id}", summary="Edit your comment", responses=errors(403))
def patch_comment(comment_id: RowId, body: CommentEdit, store: StoreDep,
                  user: VerifiedUser) -> dict[str, Any]:
    return service.comment_out(store, service.edit_comment(store, user, comment_id, body.body),
                               user)


@router.delete("/comments/{comment_id}", status_code=204, summary="Delete a comment "
               "(yours, or any as an admin)", responses=errors(403))
def remove_comment(comment_id: RowId, store: StoreDep, user: CurrentUser) -> Response:
    service.delete_comment(store, user, comment_id)
    return Response(status_code=204)


@router.post("/comments/{comment_id}/hide", summary="Hide a comment (admins)")
def hide_comment(comment_id: RowId, store: StoreDep, user: AdminUser,
                 hidden: bool = Query(True)) -> dict[str, Any]:
    c = service.comment_or_404(store, comment_id)
    store.set_comment_hidden(c.id, hidden)
    return service.comment_out(store, store.get_comment(c.id), user)


# -- submissions ------------------------------------------------------------------------------
@router.post("/papers/submit", status_code=201, summary="Submit a paper to today's list",
             responses=errors(404, 409, 429, 502, 503, 504))
def submit_paper(request: Request, body: SubmitIn, store: StoreDep,
                 user: VerifiedUser) -> dict[str, Any]:
    """409 with the existing entry's URL when the paper is already listed."""
    entry, paper = service.submit(context(request), store, user, body.id)
    return {"paper_id": paper.id, "title": paper.title, "date": entry.date,
            "submitted_by": entry.submitted_by, "url": f"/papers/{paper.id}"}


# -- collections ------------------------------------------------------------------------------
@router.get("/collections", summary="Your collections (the reading list first)")
def my_collections(store: StoreDep, user: CurrentUser) -> list[dict[str, Any]]:
    return [service.collection_dict(c) for c in store.list_collections(user.id)]


@router.get("/users/{name}/collections", summary="A user's public collections")
def public_collections(name: str, store: StoreDep) -> list[dict[str, Any]]:
    owner = store.get_user_by_name(name)
    if owner is None or owner.banned:
        return []
    return [service.collection_dict(c) for c in store.list_collections(owner.id, public_only=True)]


@router.post("/collections", status_code=201, summary="Create a collection",
             responses=errors(403, 409, 429))
def create_collection(request: Request, body: CollectionIn, store: StoreDep,
                      user: CurrentUser) -> dict[str, Any]:
    """Public collections need a verified address; quotas per account (403) and rate (429)."""
    c = service.create_collection(context(request), store, user, body.name, body.public)
    return service.collection_dict(c, [])


@router.get("/collections/{collection_id}", summary="A collection and its papers")
def get_collection(collection_id: RowId, store: StoreDep, user: OptionalUser,
                   limit: int = Query(100, ge=1, le=1000),
                   offset: Offset = 0) -> dict[str, Any]:
    c = service.readable_collection(store, collection_id, user)
    return service.collection_dict(c, service.collection_papers(store, c, limit, offset))


@router.patch("/collections/{collection_id}", summary="Rename or change visibility",
              responses=errors(403, 409))
def patch_collection(collection_id: RowId, body: CollectionPatch, store: StoreDep,
                     user: CurrentUser) -> dict[str, Any]:
    c = service.own_collection(store, collection_id, user)
    service.update_collection(store, user, c, body.name, body.public)
    return service.collection_dict(store.get_collection(c.id))


@router.delete("/collections/{collection_id}", status_code=204, summary="Delete a collection",
               responses=errors(409))
def delete_collection(collection_id: RowId, store: StoreDep, user: CurrentUser) -> Response:
    c = service.own_collection(store, collection_id, user)
    service.delete_collection(store, c)
    return Response(status_code=204)


@router.put("/collections/{collection_id}/papers/{paper_id:path}",
            summary="Add a paper to a collection", responses=errors(403))
def add_item(request: Request, collection_id: RowId, store: StoreDep, user: CurrentUser,
             paper_id: str = PaperId) -> dict[str, Any]:
    c = service.own_collection(store, collection_id, user)
    paper = service.paper_or_404(store, paper_id)
    added = service.add_to_collection(context(request), store, c, paper.id)
    return {"collection_id": c.id, "paper_id": paper.id, "added": added}


@router.delete("/collections/{collection_id}/papers/{paper_id:path}",
               summary="Remove a paper from a collection")
def remove_item(collection_id: RowId, store: StoreDep, user: CurrentUser,
                paper_id: str = PaperId) -> dict[str, Any]:
    c = service.own_collection(store, collection_id, user)
    paper = service.paper_or_404(store, paper_id)
    removed = store.remove_from_collection(c.id, paper.id)
    return {"collection_id": c.id, "paper_id": paper.id, "removed": removed}
