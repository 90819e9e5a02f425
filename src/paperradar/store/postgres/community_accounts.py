"""PostgreSQL account half of the community store: users, sessions, API tokens, single-use
email tokens, rate-limit events (see ``store.base.community``).

Emails and handles match ignoring case (``lower()`` unique indexes, SQLite's NOCASE). A rate
limit key is counted under a transaction advisory lock on that key, so processes on several
nodes never let more than ``limit`` attempts through together.
"""

from __future__ import annotations

from typing import Any

from psycopg import errors

from paperradar.store.base.community import ApiToken, User
from paperradar.store.postgres.db import Database, xact_lock
from paperradar.store.sqlite.community_rows import USER_COLS, now_iso, user_row, valid_rowid

_USER_SELECT = f"SELECT {USER_COLS} FROM users"


def like_pattern(query: str) -> str:
    return f"%{query}%"


class AccountsMixin:
    db: Database

    # -- users ----------------------------------------------------------------------------
    def create_user(self, email: str, name: str, password_hash: str | None, *,
                    display_name: str | None = None, is_admin: bool = False,
                    verified: bool = False) -> User:
        now = now_iso()
        try:
            with self.db.transaction() as conn:
                uid = conn.execute(
                    "INSERT INTO users (email, name, display_name, password_hash, is_admin, "
                    "email_verified_at, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                    "RETURNING id", (email, name, display_name or name, password_hash,
                                     bool(is_admin), now if verified else None, now)
                ).fetchone()[0]
                conn.execute("INSERT INTO collections (user_id, name, is_public, is_default, "
                             "created_at) VALUES (%s, 'Reading list', false, true, %s)", (uid, now))
        except errors.UniqueViolation as exc:
            raise ValueError("email or name already registered") from exc
        return self.get_user(uid)  # type: ignore[return-value]

    def get_user(self, user_id: int) -> User | None:
        if not valid_rowid(user_id):
            return None
        return user_row(self.db.one(f"{_USER_SELECT} WHERE id = %s", (user_id,)))

    def get_user_by_email(self, email: str) -> User | None:
        return user_row(self.db.one(f"{_USER_SELECT} WHERE lower(email) = lower(%s)", (email,)))

    def get_user_by_name(self, name: str) -> User | None:
        return user_row(self.db.one(f"{_USER_SELECT} WHERE lower(name) = lower(%s)", (name,)))

    def list_users(self, *, query: str = "", limit: int = 50, offset: int = 0) -> list[User]:
        like = like_pattern(query)  # SQLite's LIKE: ASCII case-insensitive, no escape char
        rows = self.db.rows(f"{_USER_SELECT} WHERE email ILIKE %s ESCAPE '' OR name ILIKE %s "
                            "ESCAPE '' ORDER BY id DESC LIMIT %s OFFSET %s",
                            (like, like, limit, offset))
        return [user_row(r) for r in rows]  # type: ignore[misc]

    def update_user(self, user_id: int, *, password_hash: str | None = None,
                    display_name: str | None = None, is_admin: bool | None = None,
                    verified: bool | None = None, banned: bool | None = None) -> None:
        sets: list[str] = []
        params: list[Any] = []
        now = now_iso()
        for col, value in (("password_hash", password_hash), ("display_name", display_name),
                           ("is_admin", is_admin)):
            if value is not None:
                sets.append(f"{col} = %s")
                params.append(value)
        if verified is not None:
            sets.append("email_verified_at = %s")
            params.append(now if verified else None)
        if banned is not None:
            sets.append("banned_at = %s")
            params.append(now if banned else None)
        if not sets:
            return
        with self.db.transaction() as conn:
            conn.execute(f"UPDATE users SET {', '.join(sets)} WHERE id = %s", (*params, user_id))
            if banned:
                conn.execute("DELETE FROM sessions WHERE user_id = %s", (user_id,))
                conn.execute("DELETE FROM api_tokens WHERE user_id = %s", (user_id,))
                conn.execute("DELETE FROM daily_entries WHERE source = 'local' AND paper_id IN "
                             "(SELECT paper_id FROM submissions WHERE user_id = %s)", (user_id,))
            elif banned is False:
                conn.execute(
                    "INSERT INTO daily_entries (date, paper_id, submitted_by, submitted_at, "
                    "source) SELECT s.date, s.paper_id, u.name, s.created_at, 'local' "
                    "FROM submissions s JOIN users u ON u.id = s.user_id WHERE s.user_id = %s "
                    "ON CONFLICT DO NOTHING", (user_id,))

    # -- sessions and tokens ----------------------------------------------------------------
    def create_session(self, id_hash: str, user_id: int, csrf_token: str,
                       expires_at: str) -> None:
        now = now_iso()
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, "
                         "expires_at, last_seen_at) VALUES (%s, %s, %s, %s, %s, %s)",
                         (id_hash, user_id, csrf_token, now, expires_at, now))

    def get_session(self, id_hash: str, now: str, idle_cutoff: str = "",
                    touch_before: str = "") -> tuple[User, str] | None:
        row = self.db.one(
            f"SELECT s.last_seen_at, s.csrf_token, "
            f"{', '.join('u.' + c.strip() for c in USER_COLS.split(','))} "
            "FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.id_hash = %s AND s.expires_at > %s AND s.last_seen_at > %s",
            (id_hash, now, idle_cutoff))
        if row is None:
            return None
        if row[0] < touch_before:
            with self.db.transaction() as conn:
                conn.execute("UPDATE sessions SET last_seen_at = %s WHERE id_hash = %s",
                             (now, id_hash))
        return user_row(row[2:]), row[1]  # type: ignore[return-value]

    def delete_session(self, id_hash: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE id_hash = %s", (id_hash,))

    def delete_user_sessions(self, user_id: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE user_id = %s", (user_id,))

    def create_api_token(self, user_id: int, name: str, token_hash: str, prefix: str) -> ApiToken:
        now = now_iso()
        with self.db.transaction() as conn:
            tid = conn.execute("INSERT INTO api_tokens (user_id, name, token_hash, prefix, "
                               "created_at) VALUES (%s, %s, %s, %s, %s) RETURNING id",
                               (user_id, name, token_hash, prefix, now)).fetchone()[0]
        return ApiToken(tid, user_id, name, prefix, now, None)

    def user_for_api_token(self, token_hash: str, now: str, touch: bool = True) -> User | None:
        row = self.db.one("SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = %s",
                          (token_hash,))
        if row is None:
            return None
        if touch and (row[2] or "")[:13] != now[:13]:  # record use at most hourly per token
            with self.db.transaction() as conn:
                conn.execute("UPDATE api_tokens SET last_used_at = %s WHERE id = %s", (now, row[0]))
        return self.get_user(row[1])

    def list_api_tokens(self, user_id: int) -> list[ApiToken]:
        rows = self.db.rows("SELECT id, user_id, name, prefix, created_at, last_used_at "
                            "FROM api_tokens WHERE user_id = %s ORDER BY id", (user_id,))
        return [ApiToken(*r) for r in rows]

    def delete_api_token(self, user_id: int, token_id: int) -> bool:
        if not valid_rowid(token_id):
            return False
        with self.db.transaction() as conn:
            cur = conn.execute("DELETE FROM api_tokens WHERE id = %s AND user_id = %s",
                               (token_id, user_id))
        return cur.rowcount > 0

    def create_email_token(self, token_hash: str, user_id: int, purpose: str,
                           expires_at: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO email_tokens (token_hash, user_id, purpose, created_at, "
                         "expires_at) VALUES (%s, %s, %s, %s, %s)",
                         (token_hash, user_id, purpose, now_iso(), expires_at))

    def consume_email_token(self, token_hash: str, purpose: str, now: str) -> int | None:
        with self.db.transaction() as conn:
            row = conn.execute(
                "UPDATE email_tokens SET used_at = %s WHERE token_hash = %s AND purpose = %s "
                "AND used_at IS NULL AND expires_at > %s RETURNING user_id",
                (now, token_hash, purpose, now)).fetchone()
            if row and purpose == "reset":  # one reset link valid at a time
                conn.execute("UPDATE email_tokens SET used_at = %s WHERE user_id = %s AND "
                             "purpose = 'reset' AND used_at IS NULL", (now, row[0]))
        return row[0] if row else None

    # -- rate limits ----------------------------------------------------------------------
    def rate_limit_hit(self, key: str, limit: int, window: float, now: float) -> float:
        with self.db.transaction() as conn:
            xact_lock(conn, f"rate:{key}")  # count and insert as one step across processes
            conn.execute("DELETE FROM rate_events WHERE key = %s AND at <= %s", (key, now - window))
            n, oldest = conn.execute("SELECT count(*), min(at) FROM rate_events WHERE key = %s",
                                     (key,)).fetchone()
            if n >= limit:
                return max(0.001, oldest + window - now)
            conn.execute("INSERT INTO rate_events (key, at) VALUES (%s, %s)", (key, now))
        return 0.0

    def rate_limit_clear(self, key: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM rate_events WHERE key = %s", (key,))

    def purge_expired(self, now_iso_: str, now_ts: float, keep_seconds: float = 86400) -> None:
        """Drop expired sessions and email tokens and rate events older than a day."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at <= %s", (now_iso_,))
            conn.execute("DELETE FROM email_tokens WHERE expires_at <= %s", (now_iso_,))
            conn.execute("DELETE FROM rate_events WHERE at <= %s", (now_ts - keep_seconds,))
