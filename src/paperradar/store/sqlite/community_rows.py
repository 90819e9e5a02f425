"""Row conversions and small helpers shared by the community store mixins."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Sequence

from paperradar.store.base.community import Collection, Comment, User

_CHUNK = 500
USER_COLS = ("id, email, name, display_name, password_hash, is_admin, email_verified_at, "
             "banned_at, created_at")
COMMENT_SELECT = ("SELECT c.id, c.paper_id, c.user_id, u.name, c.parent_id, c.body, c.created_at, "
                  "c.edited_at, c.deleted_at, c.hidden_at, u.banned_at IS NOT NULL, c.html, "
                  "c.html_version "
                  "FROM comments c JOIN users u ON u.id = c.user_id ")
COLLECTION_SELECT = ("SELECT c.id, c.user_id, u.name, c.name, c.is_public, c.is_default, "
                     "c.created_at, (SELECT count(*) FROM collection_items i "
                     "WHERE i.collection_id = c.id) FROM collections c "
                     "JOIN users u ON u.id = c.user_id ")


MAX_ROWID = 2 ** 63 - 1


def valid_rowid(value: Any) -> bool:
    """An integer SQLite can hold and a row could have (ids from URLs may be anything)."""
    return isinstance(value, int) and 0 < value <= MAX_ROWID


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_row(row: Sequence[Any] | None) -> User | None:
    if row is None:
        return None
    r = list(row)
    r[5] = bool(r[5])
    return User(*r)


def comment_row(row: Sequence[Any]) -> Comment:
    r = list(row)
    r[10] = bool(r[10])
    return Comment(*r)


def collection_row(row: Sequence[Any] | None) -> Collection | None:
    if row is None:
        return None
    r = list(row)
    r[4], r[5] = bool(r[4]), bool(r[5])
    return Collection(*r)


def chunks(ids: Sequence[str]):
    ids = list(dict.fromkeys(ids))
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        yield chunk, ",".join("?" * len(chunk))
