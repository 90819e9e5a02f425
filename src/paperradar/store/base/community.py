"""Storage protocol for the community: users, sessions, tokens, votes, comments,
submissions, collections, rate-limit counters, and the inputs of the trending score.

Secrets never reach the store in clear: callers pass SHA-256 hashes of session ids and
tokens. Counts (upvotes, comments) are derived from rows at read time, so they stay exact
under any concurrency; content of banned users is left out of every public read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from paperradar.models import DailyEntry


@dataclass(slots=True)
class User:
    id: int
    email: str
    name: str  # public handle, shown as "submitted by"
    display_name: str
    password_hash: str | None
    is_admin: bool
    email_verified_at: str | None
    banned_at: str | None
    created_at: str

    @property
    def verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def banned(self) -> bool:
        return self.banned_at is not None


@dataclass(slots=True)
class ApiToken:
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None


@dataclass(slots=True)
class Comment:
    id: int
    paper_id: str
    user_id: int
    author_name: str
    parent_id: int | None
    body: str
    created_at: str
    edited_at: str | None
    deleted_at: str | None
    hidden_at: str | None
    author_banned: bool = False
    html: str | None = None  # sanitised HTML rendered at write time ...
    html_version: int = 0  # ... by this renderer version (0: not rendered yet)

    @property
    def visible(self) -> bool:
        return not (self.deleted_at or self.hidden_at or self.author_banned)


@dataclass(slots=True)
class Collection:
    id: int
    user_id: int
    owner_name: str
    name: str
    is_public: bool
    is_default: bool
    created_at: str
    size: int = 0


@dataclass(slots=True)
class TrendingCandidate:
    """What the trending score needs about one featured paper."""

    paper_id: str
    entry: DailyEntry
    local_upvotes: int
    local_comments: int


class DuplicateSubmission(Exception):
    """The paper is already on a daily list (``date`` tells which)."""

    def __init__(self, paper_id: str, date: str):
        super().__init__(f"{paper_id} is already listed on {date}")
        self.paper_id = paper_id
        self.date = date


class CommunityStore(Protocol):
    # -- users ----------------------------------------------------------------------------
    def create_user(self, email: str, name: str, password_hash: str | None, *,
                    display_name: str | None = None, is_admin: bool = False,
                    verified: bool = False) -> User:
        """Raises ``ValueError`` when the email or the handle is taken."""

    def get_user(self, user_id: int) -> User | None: ...

    def get_user_by_email(self, email: str) -> User | None: ...

    def get_user_by_name(self, name: str) -> User | None: ...

    def list_users(self, *, query: str = "", limit: int = 50, offset: int = 0) -> list[User]: ...

    def update_user(self, user_id: int, *, password_hash: str | None = None,
                    display_name: str | None = None, is_admin: bool | None = None,
                    verified: bool | None = None, banned: bool | None = None) -> None:
        """Banning hides the user's comments and submissions (reversibly) and ends sessions."""

    # -- sessions and tokens ----------------------------------------------------------------
    def create_session(self, id_hash: str, user_id: int, csrf_token: str,
                       expires_at: str) -> None: ...

    def get_session(self, id_hash: str, now: str, idle_cutoff: str = "",
                    touch_before: str = "") -> tuple[User, str] | None:
        """(user, csrf token) of a live session: not expired at ``now`` and last seen after
        ``idle_cutoff``. A session last seen before ``touch_before`` is marked seen ``now``."""

    def delete_session(self, id_hash: str) -> None: ...

    def delete_user_sessions(self, user_id: int) -> None: ...

    def create_api_token(self, user_id: int, name: str, token_hash: str, prefix: str) -> ApiToken: ...

    def user_for_api_token(self, token_hash: str, now: str, touch: bool = True) -> User | None:
        """The token's user; ``touch`` records the use (callers skip it on GET requests)."""

    def list_api_tokens(self, user_id: int) -> list[ApiToken]: ...

    def delete_api_token(self, user_id: int, token_id: int) -> bool: ...

    def create_email_token(self, token_hash: str, user_id: int, purpose: str,
                           expires_at: str) -> None: ...

    def consume_email_token(self, token_hash: str, purpose: str, now: str) -> int | None:
        """Mark a live token used (once, atomically) and return its user id."""

    # -- votes ----------------------------------------------------------------------------
    def set_vote(self, user_id: int, paper_id: str, on: bool) -> bool:
        """Add or remove one user's upvote; True when something changed."""

    def upvote_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        """Upvotes shown for each paper: local (non-banned users) plus imported."""

    def local_upvote_counts(self, paper_ids: Sequence[str]) -> dict[str, int]: ...

    def voted_by(self, user_id: int, paper_ids: Sequence[str]) -> set[str]: ...

    def papers_upvoted_by(self, user_id: int, limit: int = 50, offset: int = 0) -> list[str]: ...

    # -- comments -------------------------------------------------------------------------
    def add_comment(self, paper_id: str, user_id: int, body: str,
                    parent_id: int | None = None, html: str | None = None,
                    html_version: int = 0) -> Comment:
        """Raises ``ValueError`` when the parent is not a comment on the same paper. ``html``
        is the body rendered by renderer ``html_version``, stored with it."""

    def get_comment(self, comment_id: int) -> Comment | None: ...

    def list_comments(self, paper_id: str) -> list[Comment]:
        """All comments of a paper in thread order (callers decide what to show)."""

    def comments_by(self, user_id: int, limit: int = 50, offset: int = 0) -> list[Comment]: ...

    def recent_comments(self, limit: int = 50, offset: int = 0) -> list[Comment]: ...

    def edit_comment(self, comment_id: int, body: str, html: str | None = None,
                     html_version: int = 0) -> None: ...

    def set_comment_html(self, rendered: Sequence[tuple[int, str, str, int]]) -> int:
        """Store re-rendered HTML: ``(comment id, body it was rendered from, html, renderer
        version)``; a row whose body changed meanwhile is left alone. Returns rows updated."""

    def delete_comment(self, comment_id: int) -> None: ...

    def set_comment_hidden(self, comment_id: int, hidden: bool) -> None: ...

    def local_comment_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        """Visible comments made on this site (not deleted, hidden, or by banned users)."""

    def comment_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        """Visible local comments plus the imported count."""

    # -- submissions ----------------------------------------------------------------------
    def submit_paper(self, user_id: int, paper_id: str, date: str, now: str) -> DailyEntry:
        """Put a stored paper on the daily list of ``date``; raises ``DuplicateSubmission``."""

    def submissions_since(self, user_id: int, since: str) -> int: ...

    def submissions_by(self, user_id: int, limit: int = 50, offset: int = 0) -> list[DailyEntry]: ...

    def recent_submissions(self, limit: int = 50, offset: int = 0) -> list[DailyEntry]: ...

    def remove_submission(self, paper_id: str) -> bool:
        """Take a local submission off the daily list (moderation)."""

    # -- collections ----------------------------------------------------------------------
    def create_collection(self, user_id: int, name: str, *, is_public: bool = False,
                          is_default: bool = False) -> Collection:
        """Raises ``ValueError`` when the user already has a collection of that name."""

    def default_collection(self, user_id: int) -> Collection:
        """The user's reading list, created on first use."""

    def get_collection(self, collection_id: int) -> Collection | None: ...

    def list_collections(self, user_id: int, *, public_only: bool = False) -> list[Collection]: ...

    def update_collection(self, collection_id: int, *, name: str | None = None,
                          is_public: bool | None = None) -> None: ...

    def delete_collection(self, collection_id: int) -> None: ...

    def add_to_collection(self, collection_id: int, paper_id: str) -> bool: ...

    def remove_from_collection(self, collection_id: int, paper_id: str) -> bool: ...

    def collection_paper_ids(self, collection_id: int, limit: int = 1000,
                             offset: int = 0) -> list[str]: ...

    def collection_notes(self, collection_id: int, paper_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """``paper_id -> (added_at, note)`` for those of the papers in the collection."""

    def set_collection_note(self, collection_id: int, paper_id: str, note: str) -> bool:
        """Replace the note of a saved paper; False when the paper is not in the collection."""

    # -- rate limits ----------------------------------------------------------------------
    def rate_limit_hit(self, key: str, limit: int, window: float, now: float) -> float:
        """Record one attempt; 0 when allowed, else seconds until the next is allowed."""

    def rate_limit_clear(self, key: str) -> None: ...

    def purge_expired(self, now_iso_: str, now_ts: float, keep_seconds: float = 86400) -> None:
        """Housekeeping: expired sessions and email tokens, old rate-limit events."""

    # -- trending -------------------------------------------------------------------------
    def trending_candidates(self, date_from: str, date_to: str) -> list[TrendingCandidate]:
        """Papers featured between the two dates (latest entry per paper) and their counts."""
