"""Account and moderation rules: whose profile is shown, the API-token quota, what an
administrator may change on a user or a submission, and hiding comments."""

from __future__ import annotations

from paperradar.community.errors import Conflict, Forbidden, NotFound
from paperradar.config import Settings
from paperradar.store.base.community import Comment, User

USER_ACTIONS = {"ban": {"banned": True}, "unban": {"banned": False},
                "make_admin": {"is_admin": True}, "drop_admin": {"is_admin": False},
                "verify": {"verified": True}}


def visible_user(store, name: str, viewer: User | None) -> User:
    """The profile owner ``name``; banned accounts are shown to administrators only."""
    owner = store.get_user_by_name(name)
    if owner is None or (owner.banned and not (viewer and viewer.is_admin)):
        raise NotFound("no such user")
    return owner


def check_token_quota(settings: Settings, store, user: User) -> None:
    limit = settings.max_api_tokens
    if len(store.list_api_tokens(user.id)) >= limit:
        raise Forbidden(f"an account can have at most {limit} API tokens; revoke one first")


def delete_token(store, user: User, token_id: int) -> None:
    if not store.delete_api_token(user.id, token_id):
        raise NotFound("no such token")


def moderate_user(store, admin: User, user_id: int, action: str) -> None:
    """Apply one of ``USER_ACTIONS``; an administrator cannot ban or demote themselves."""
    target = store.get_user(user_id)
    if target is None:
        raise NotFound("no such user")
    if target.id == admin.id and action in ("ban", "drop_admin"):
        raise Conflict("you cannot ban yourself or drop your own admin rights")
    store.update_user(target.id, **USER_ACTIONS[action])


def remove_submission(store, paper_id: str) -> None:
    if not store.remove_submission(paper_id):
        raise NotFound("this paper was not submitted here")


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden("administrators only")


def require_author(user: User, c: Comment) -> None:
    if c.user_id != user.id:
        raise Forbidden("you can only edit your own comments")
