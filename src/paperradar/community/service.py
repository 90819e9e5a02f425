"""Community operations shared by the JSON API and the HTML forms, with their rules: who may
do what (a ``CommunityError`` otherwise, see ``errors``) and what it returns. Rate limits and
the pool of arXiv lookups come from the caller, in a ``Context``."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from collections import abc
from dataclasses import dataclass
from typing import Any, Callable

from paperradar.community.errors import (BadInput, Busy, Conflict, Forbidden, Invalid,
                                         NotFound, QuotaExceeded, UpstreamFailed,
                                         UpstreamTimeout)
from paperradar.community.text import (RENDERER_VERSION, clean_body, render_comment,
                                       render_stored)
from paperradar.config import Settings
from paperradar.ids import InvalidId, parse_arxiv_id, validate_paper_id
from paperradar.models import DailyEntry, Paper
from paperradar.store.base.community import Collection, Comment, DuplicateSubmission, User

MAX_COLLECTION_NAME = 80
log = logging.getLogger("paperradar.community")


def _no_limit(kind: str, key: str) -> None:
    return None


@dataclass(frozen=True)
class Context:
    """What a rule needs from its caller: the settings, ``throttle(kind, key)`` (counts one
    attempt, raises when over the rate limit) and the slots for interactive arXiv lookups."""
    settings: Settings
    throttle: Callable[[str, str], None] = _no_limit
    fetch_slots: threading.BoundedSemaphore | None = None


def paper_or_404(store, raw_id: str) -> Paper:
    try:
        pid = validate_paper_id(raw_id)
    except InvalidId as exc:
        raise NotFound(f"no such paper: {exc}") from exc
    paper = store.get_paper(pid)
    if paper is None:
        raise NotFound(f"no paper {pid!r} here")
    return paper


# -- upvotes ----------------------------------------------------------------------------------
def vote_state(store, paper_id: str, user: User | None) -> dict[str, Any]:
    local = store.local_upvote_counts([paper_id])[paper_id]
    return {"paper_id": paper_id, "upvotes": store.upvote_counts([paper_id])[paper_id],
            "local_upvotes": local,
            "upvoted": bool(user and paper_id in store.voted_by(user.id, [paper_id]))}


def set_upvote(store, user: User, raw_id: str, on: bool) -> dict[str, Any]:
    paper = paper_or_404(store, raw_id)
    store.set_vote(user.id, paper.id, on)
    return vote_state(store, paper.id, user)


# -- comments ---------------------------------------------------------------------------------
COMMENTS_PER_PAGE = 50


def comment_html(c: Comment) -> str:
    """The stored HTML when the current renderer made it; else a fresh render."""
    if c.html is not None and c.html_version == RENDERER_VERSION:
        return c.html
    return render_stored(c.body)


def refresh_html(store, comments: list[Comment]) -> int:
    """Re-render (and store) the comments whose HTML is missing or from an older renderer,
    so each is rendered once per renderer version, not on every view."""
    stale = [c for c in comments if c.body and not c.deleted_at
             and (c.html is None or c.html_version != RENDERER_VERSION)]
    for c in stale:
        c.html, c.html_version = render_stored(c.body), RENDERER_VERSION
    return store.set_comment_html([(c.id, c.body, c.html, c.html_version) for c in stale])


def comment_dict(c: Comment, viewer: User | None, with_html: bool = True,
                 authors: abc.Set[int] = frozenset()) -> dict[str, Any]:
    """A comment as the API and pages show it to ``viewer``; ``authors`` are the users with a
    confirmed claim on the comment's paper (``is_author``, only where the name is shown)."""
    state = ("deleted" if c.deleted_at else "hidden" if (c.hidden_at or c.author_banned)
             else "visible")
    shown = state == "visible" or bool(viewer and viewer.is_admin and state == "hidden")
    mine = bool(viewer and viewer.id == c.user_id)
    named = state == "visible" or shown
    return {"id": c.id, "paper_id": c.paper_id, "parent_id": c.parent_id,
            "author": c.author_name if named else None,
            "is_author": named and c.user_id in authors,
            "body": c.body if shown else None,
            "html": comment_html(c) if shown and with_html else None,
            "state": state, "created_at": c.created_at, "edited_at": c.edited_at,
            "can_edit": mine and state == "visible",
            "can_delete": (mine or bool(viewer and viewer.is_admin)) and state != "deleted",
            "can_moderate": bool(viewer and viewer.is_admin)}


def comment_out(store, c: Comment, viewer: User | None) -> dict[str, Any]:
    """One comment for the API, with ``is_author`` from its paper's confirmed claims."""
    return comment_dict(c, viewer, authors=store.confirmed_claimants_of(c.paper_id))


def discussion(store, paper_id: str, viewer: User | None, page: int = 1,
               per_page: int = COMMENTS_PER_PAGE, *, comments: list[Comment] | None = None,
               authors: abc.Set[int] | None = None) -> dict[str, Any]:
    """One page of a paper's thread (``per_page`` entries in thread order), with HTML from
    the store; only this page's stale comments are rendered (and saved). ``comments`` and
    ``authors``: the paper's comments and confirmed claimants, if already read."""
    if comments is None:
        comments = store.list_comments(paper_id)
    if authors is None:
        authors = store.confirmed_claimants_of(paper_id)
    items = thread(comments, viewer, with_html=False, authors=authors)
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 1), pages)
    shown = items[(page - 1) * per_page:page * per_page]
    by_id = {c.id: c for c in comments}
    refresh_html(store, [by_id[d["id"]] for d in shown if d["body"] is not None])
    for d in shown:
        if d["body"] is not None:
            d["html"] = comment_html(by_id[d["id"]])
    return {"comments": shown, "page": page, "pages": pages, "entries": len(items),
            "per_page": per_page}


def thread(comments: list[Comment], viewer: User | None, with_html: bool = True,
           authors: abc.Set[int] = frozenset()) -> list[dict[str, Any]]:
    """Comments as a flat list in thread order (replies under their parent), with ``depth``.
    Removed comments without visible replies are left out."""
    by_parent: dict[int | None, list[Comment]] = {}
    for c in comments:
        by_parent.setdefault(c.parent_id, []).append(c)
    out: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> bool:
        any_shown = False
        for c in by_parent.get(parent, []):
            d = comment_dict(c, viewer, with_html, authors)
            d["depth"] = min(depth, 8)
            at = len(out)
            out.append(d)
            kids = walk(c.id, depth + 1)
            if d["body"] is None and not kids:
                del out[at:]
                continue
            any_shown = True
        return any_shown

    walk(None, 0)
    return out


def add_comment(ctx: Context, store, user: User, raw_id: str, body: str | None,
                parent_id: int | None) -> Comment:
    paper = paper_or_404(store, raw_id)
    try:
        text = clean_body(body)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    ctx.throttle("comment", f"user:{user.id}")
    try:
        return store.add_comment(paper.id, user.id, text, parent_id, html=render_comment(text),
                                 html_version=RENDERER_VERSION)
    except ValueError as exc:
        raise Invalid(str(exc)) from None


def comment_or_404(store, comment_id: int) -> Comment:
    c = store.get_comment(comment_id)
    if c is None or c.deleted_at:
        raise NotFound("no such comment")
    return c


def edit_comment(store, user: User, comment_id: int, body: str | None) -> Comment:
    c = comment_or_404(store, comment_id)
    if c.user_id != user.id:
        raise Forbidden("you can only edit your own comments")
    try:
        text = clean_body(body)
        store.edit_comment(c.id, text, html=render_comment(text), html_version=RENDERER_VERSION)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    return store.get_comment(c.id)


def delete_comment(store, user: User, comment_id: int) -> Comment:
    c = comment_or_404(store, comment_id)
    if c.user_id != user.id and not user.is_admin:
        raise Forbidden("you can only delete your own comments")
    store.delete_comment(c.id)
    return c


# -- submissions ------------------------------------------------------------------------------
def _fetch_from_arxiv(ctx: Context, store, pid: str) -> Paper | None:
    """Fetch one paper for an interactive submit, in a worker thread taken from a small pool
    (``submit_fetch_slots``; none free: 503) and waited for at most ``submit_fetch_deadline``
    seconds (then 504; the fetch may still finish and store the paper for a retry). Errors
    name arXiv, never the configured upstream URL (it is logged)."""
    settings, slots = ctx.settings, ctx.fetch_slots
    if slots is None or not slots.acquire(blocking=False):
        raise Busy("too many arXiv lookups are running; try again in a minute", retry_after=30)
    outcome: dict[str, BaseException] = {}
    done = threading.Event()

    def work() -> None:
        try:
            _fetch_quickly(settings, store, pid)
        except BaseException as exc:  # reported below (or logged, if nobody waits any more)
            outcome["error"] = exc
            log.warning("submit: fetching %s failed: %s", pid, exc)
        finally:
            slots.release()
            done.set()

    threading.Thread(target=work, name=f"submit-fetch-{pid}", daemon=True).start()
    if not done.wait(settings.submit_fetch_deadline):
        raise UpstreamTimeout(f"arXiv did not answer within {settings.submit_fetch_deadline:g}"
                              f" s; try again in a few minutes")
    if "error" in outcome:
        raise UpstreamFailed(f"could not fetch {pid} from arXiv; try again later") from None
    return store.get_paper(pid)


def _fetch_quickly(settings, store, pid: str) -> None:
    """One try and one quick retry, each bounded by the deadline (no long Retry-After)."""
    from paperradar.ingest.harvest_api import harvest_ids
    from paperradar.ingest.http import PoliteClient

    deadline = settings.submit_fetch_deadline
    quick = settings.model_copy(update={"http_timeout": deadline, "http_max_retries": 1,
                                        "http_max_retry_after": min(1.0, deadline / 4),
                                        "http_min_interval": 0.0})
    with PoliteClient(quick) as client:
        harvest_ids(store, client, settings.arxiv_api_url, [pid])


def _published(paper: Paper) -> datetime | None:
    text = paper.published or (paper.versions[0].date if paper.versions else None)
    if not text:
        return None
    try:
        d = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def submit(ctx: Context, store, user: User, raw: str | None,
           now: datetime | None = None) -> tuple[DailyEntry, Paper]:
    settings = ctx.settings
    now = now or datetime.now(timezone.utc)
    try:
        pid, _ = parse_arxiv_id((raw or "")[:300])
    except InvalidId:
        raise BadInput("give an arXiv id (2401.01234) or an arxiv.org URL") from None
    existing = store.daily_entries_for(pid)
    if existing:
        raise _duplicate(pid, existing[0].date)
    day_start = now.strftime("%Y-%m-%dT00:00:00Z")
    if store.submissions_since(user.id, day_start) >= settings.submit_daily_quota:
        raise QuotaExceeded(f"you have reached today's quota of "
                            f"{settings.submit_daily_quota} submissions")
    ctx.throttle("submit", f"user:{user.id}")
    paper = store.get_paper(pid) or _fetch_from_arxiv(ctx, store, pid)
    if paper is None:
        raise NotFound(f"arXiv has no paper {pid}")
    published = _published(paper)
    if published and now - published > timedelta(days=settings.submit_max_age_days):
        raise Invalid(f"{pid} was first published on {published.date()}; only papers "
                      f"from the last {settings.submit_max_age_days} days can be submitted")
    try:
        entry = store.submit_paper(user.id, pid, now.date().isoformat(),
                                   now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    except DuplicateSubmission as dup:
        raise _duplicate(pid, dup.date) from None
    return entry, paper


def _duplicate(pid: str, date: str) -> Conflict:
    return Conflict({"message": f"{pid} is already listed (on {date})",
                     "url": f"/papers/{pid}", "date": date})


# -- collections ------------------------------------------------------------------------------
def clean_collection_name(name: str | None) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise Invalid("the collection needs a name")
    if len(text) > MAX_COLLECTION_NAME:
        raise Invalid(f"names are at most {MAX_COLLECTION_NAME} characters")
    return text


def _public_needs_verified(user: User, public: bool | None) -> None:
    if public and not user.verified:
        raise Forbidden("confirm your email address before making a collection public")


def create_collection(ctx: Context, store, user: User, name: str | None,
                      public: bool) -> Collection:
    """A new collection, within the account's quota and rate; public only when verified."""
    settings = ctx.settings
    clean = clean_collection_name(name)
    _public_needs_verified(user, public)
    if len(store.list_collections(user.id)) >= settings.max_collections:
        raise Forbidden(f"an account can have at most {settings.max_collections} "
                        "collections; delete one first")
    ctx.throttle("collection", f"user:{user.id}")
    try:
        return store.create_collection(user.id, clean, is_public=public)
    except ValueError as exc:
        raise Conflict(str(exc)) from None


def update_collection(store, user: User, c: Collection, name: str | None,
                      public: bool | None) -> None:
    clean = clean_collection_name(name) if name is not None else None
    _public_needs_verified(user, public)
    try:
        store.update_collection(c.id, name=clean, is_public=public)
    except ValueError as exc:
        raise Conflict(str(exc)) from None


def add_to_collection(ctx: Context, store, c: Collection, paper_id: str) -> bool:
    limit = ctx.settings.max_collection_items
    if c.size >= limit:
        raise Forbidden(f"a collection holds at most {limit} papers")
    return store.add_to_collection(c.id, paper_id)


def readable_collection(store, collection_id: int, viewer: User | None) -> Collection:
    """A collection the viewer may read: public ones, or their own (404 otherwise)."""
    c = store.get_collection(collection_id)
    if c is None or not (c.is_public or (viewer and viewer.id == c.user_id)):
        raise NotFound("no such collection")
    owner = store.get_user(c.user_id)
    if owner is None or (owner.banned and not (viewer and viewer.id == c.user_id)):
        raise NotFound("no such collection")
    return c


def own_collection(store, collection_id: int, user: User) -> Collection:
    c = store.get_collection(collection_id)
    if c is None or c.user_id != user.id:
        raise NotFound("no such collection")
    return c


def delete_collection(store, c: Collection) -> None:
    if c.is_default:
        raise Conflict("the reading list cannot be deleted")
    store.delete_collection(c.id)


def set_note(store, c: Collection, paper_id: str, note: str) -> None:
    if not store.set_collection_note(c.id, paper_id, note):
        raise NotFound("that paper is not in this collection")


def collection_dict(c: Collection, papers: list[Paper] | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"id": c.id, "name": c.name, "owner": c.owner_name,
                         "public": c.is_public, "default": c.is_default, "size": c.size,
                         "created_at": c.created_at, "url": f"/collections/{c.id}"}
    if papers is not None:
        d["papers"] = [{"id": p.id, "title": p.title, "url": f"/papers/{p.id}"} for p in papers]
    return d


def collection_papers(store, c: Collection, limit: int = 1000, offset: int = 0) -> list[Paper]:
    ids = store.collection_paper_ids(c.id, limit, offset)
    found = store.get_papers(ids)
    return [found[i] for i in ids if i in found]
