"""PostgreSQL community store (see ``store.base.community``): votes, comments,
submissions, collections and trending inputs here, accounts in ``community_accounts``.

Counts are derived with ``count(*)`` over indexed rows, never kept as counters, so writers
on any number of nodes read back the truth. Idempotent writes are ``ON CONFLICT DO NOTHING``;
a submission is serialised per paper by a transaction advisory lock.
"""

from __future__ import annotations

from typing import Sequence

from psycopg import errors

from paperradar.models import DailyEntry
from paperradar.store.base.community import (Collection, Comment, DuplicateSubmission,
                                             TrendingCandidate)
from paperradar.store.postgres.community_accounts import AccountsMixin
from paperradar.store.postgres.db import xact_lock
from paperradar.store.postgres.papers import DAILY_COLS
from paperradar.store.sqlite.community_rows import (COLLECTION_SELECT, COMMENT_SELECT,
                                                    collection_row, comment_row, now_iso,
                                                    valid_rowid)
from paperradar.store.sqlite.papers import _daily_from_row

LOCAL_UPVOTES_SQL = (
    "SELECT v.paper_id, count(*) FROM votes v JOIN users u ON u.id = v.user_id "
    "WHERE v.paper_id = ANY(%s::text[]) AND u.banned_at IS NULL GROUP BY v.paper_id")
LOCAL_COMMENTS_SQL = (
    "SELECT c.paper_id, count(*) FROM comments c JOIN users u ON u.id = c.user_id "
    "WHERE c.paper_id = ANY(%s::text[]) AND c.deleted_at IS NULL AND c.hidden_at IS NULL "
    "AND u.banned_at IS NULL GROUP BY c.paper_id")
VOTED_SQL = "SELECT paper_id FROM votes WHERE user_id = %s AND paper_id = ANY(%s::text[])"
COMMENTS_OF_SQL = COMMENT_SELECT + "WHERE c.paper_id = %s ORDER BY c.id"

_SUBMISSIONS = ("SELECT s.date, s.paper_id, u.name, s.created_at FROM submissions s "
                "JOIN users u ON u.id = s.user_id ")


def _ids(paper_ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(paper_ids))


def _local(rows, paper_ids: Sequence[str]) -> dict[str, int]:
    out = {pid: 0 for pid in paper_ids}
    out.update(rows)
    return out


class CommunityMixin(AccountsMixin):
    # -- votes ----------------------------------------------------------------------------
    def set_vote(self, user_id: int, paper_id: str, on: bool) -> bool:
        with self.db.transaction() as conn:
            if on:
                cur = conn.execute("INSERT INTO votes (user_id, paper_id, created_at) "
                                   "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                                   (user_id, paper_id, now_iso()))
            else:
                cur = conn.execute("DELETE FROM votes WHERE user_id = %s AND paper_id = %s",
                                   (user_id, paper_id))
        return cur.rowcount > 0

    def local_upvote_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        return _local(self.db.rows(LOCAL_UPVOTES_SQL, (_ids(paper_ids),)), paper_ids)

    def _imported(self, paper_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        return {pid: (up, nc) for pid, up, nc in self.db.rows(
            "SELECT paper_id, max(upvotes), max(num_comments) FROM daily_entries "
            "WHERE paper_id = ANY(%s::text[]) GROUP BY paper_id", (_ids(paper_ids),))}

    def upvote_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        local = self.local_upvote_counts(paper_ids)
        imported = self._imported(paper_ids)
        return {pid: local[pid] + imported.get(pid, (0, 0))[0] for pid in local}

    def voted_by(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        return {r[0] for r in self.db.rows(VOTED_SQL, (user_id, _ids(paper_ids)))}

    def papers_upvoted_by(self, user_id: int, limit: int = 50, offset: int = 0) -> list[str]:
        return [r[0] for r in self.db.rows(
            "SELECT paper_id FROM votes WHERE user_id = %s ORDER BY created_at DESC, paper_id "
            "LIMIT %s OFFSET %s", (user_id, limit, offset))]

    # -- comments -------------------------------------------------------------------------
    def add_comment(self, paper_id: str, user_id: int, body: str,
                    parent_id: int | None = None, html: str | None = None,
                    html_version: int = 0) -> Comment:
        with self.db.transaction() as conn:
            if parent_id is not None:
                row = conn.execute("SELECT paper_id FROM comments WHERE id = %s",
                                   (parent_id,)).fetchone() if valid_rowid(parent_id) else None
                if row is None or row[0] != paper_id:
                    raise ValueError("the parent comment is not on this paper")
            cid = conn.execute("INSERT INTO comments (paper_id, user_id, parent_id, body, "
                               "created_at, html, html_version) "
                               "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                               (paper_id, user_id, parent_id, body, now_iso(), html,
                                html_version if html is not None else 0)).fetchone()[0]
        return self.get_comment(cid)  # type: ignore[return-value]

    def get_comment(self, comment_id: int) -> Comment | None:
        if not valid_rowid(comment_id):
            return None
        row = self.db.one(COMMENT_SELECT + "WHERE c.id = %s", (comment_id,))
        return comment_row(row) if row else None

    def list_comments(self, paper_id: str) -> list[Comment]:
        return [comment_row(r) for r in self.db.rows(COMMENTS_OF_SQL, (paper_id,))]

    def comments_by(self, user_id: int, limit: int = 50, offset: int = 0) -> list[Comment]:
        return [comment_row(r) for r in self.db.rows(
            COMMENT_SELECT + "WHERE c.user_id = %s AND c.deleted_at IS NULL ORDER BY c.id DESC "
            "LIMIT %s OFFSET %s", (user_id, limit, offset))]

    def recent_comments(self, limit: int = 50, offset: int = 0) -> list[Comment]:
        return [comment_row(r) for r in self.db.rows(
            COMMENT_SELECT + "ORDER BY c.id DESC LIMIT %s OFFSET %s", (limit, offset))]

    def edit_comment(self, comment_id: int, body: str, html: str | None = None,
                     html_version: int = 0) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE comments SET body = %s, edited_at = %s, html = %s, "
                         "html_version = %s WHERE id = %s AND deleted_at IS NULL",
                         (body, now_iso(), html, html_version if html is not None else 0,
                          comment_id))

    def set_comment_html(self, rendered: Sequence[tuple[int, str, str, int]]) -> int:
        """One statement over the batch; a row whose body changed meanwhile is left alone."""
        if not rendered:
            return 0
        ids, bodies, htmls, versions = (list(col) for col in zip(*rendered))
        with self.db.transaction() as conn:
            cur = conn.execute(
                "UPDATE comments c SET html = r.html, html_version = r.version FROM "
                "unnest(%s::bigint[], %s::text[], %s::text[], %s::int[]) AS r(id, body, html, version) "
                "WHERE c.id = r.id AND c.body = r.body AND c.deleted_at IS NULL",
                (ids, bodies, htmls, versions))
        return cur.rowcount

    def delete_comment(self, comment_id: int) -> None:
        with self.db.transaction() as conn:  # soft delete keeps the thread's shape
            conn.execute("UPDATE comments SET deleted_at = %s, body = '', html = NULL "
                         "WHERE id = %s AND deleted_at IS NULL", (now_iso(), comment_id))

    def set_comment_hidden(self, comment_id: int, hidden: bool) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE comments SET hidden_at = %s WHERE id = %s",
                         (now_iso() if hidden else None, comment_id))

    def local_comment_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        return _local(self.db.rows(LOCAL_COMMENTS_SQL, (_ids(paper_ids),)), paper_ids)

    def comment_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        out = self.local_comment_counts(paper_ids)
        for pid, (_, nc) in self._imported(paper_ids).items():
            out[pid] += nc
        return out

    # -- submissions ----------------------------------------------------------------------
    def submit_paper(self, user_id: int, paper_id: str, date: str, now: str) -> DailyEntry:
        try:
            with self.db.transaction() as conn:
                xact_lock(conn, f"submit:{paper_id}")
                row = conn.execute("SELECT date FROM daily_entries WHERE paper_id = %s "
                                   "ORDER BY date LIMIT 1", (paper_id,)).fetchone()
                row = row or conn.execute("SELECT date FROM submissions WHERE paper_id = %s",
                                          (paper_id,)).fetchone()
                if row:
                    raise DuplicateSubmission(paper_id, row[0])
                name = conn.execute("SELECT name FROM users WHERE id = %s",
                                    (user_id,)).fetchone()[0]
                conn.execute("INSERT INTO submissions (paper_id, user_id, date, created_at) "
                             "VALUES (%s, %s, %s, %s)", (paper_id, user_id, date, now))
                conn.execute("INSERT INTO daily_entries (date, paper_id, submitted_by, "
                             "submitted_at, source) VALUES (%s, %s, %s, %s, 'local')",
                             (date, paper_id, name, now))
        except errors.UniqueViolation:  # an import listed it meanwhile
            listed = self.db.value("SELECT min(date) FROM daily_entries WHERE paper_id = %s",
                                   (paper_id,))
            raise DuplicateSubmission(paper_id, listed or date) from None
        return DailyEntry(paper_id=paper_id, date=date, submitted_by=name, submitted_at=now,
                          source="local")

    def submissions_since(self, user_id: int, since: str) -> int:
        return self.db.value("SELECT count(*) FROM submissions WHERE user_id = %s AND "
                             "created_at >= %s", (user_id, since))

    def _submissions(self, where: str, params: tuple) -> list[DailyEntry]:
        rows = self.db.rows(_SUBMISSIONS + where + " ORDER BY s.created_at DESC LIMIT %s OFFSET %s",
                            params)
        return [DailyEntry(paper_id=p, date=d, submitted_by=n, submitted_at=c, source="local")
                for d, p, n, c in rows]

    def submissions_by(self, user_id: int, limit: int = 50, offset: int = 0) -> list[DailyEntry]:
        return self._submissions("WHERE s.user_id = %s", (user_id, limit, offset))

    def recent_submissions(self, limit: int = 50, offset: int = 0) -> list[DailyEntry]:
        return self._submissions("", (limit, offset))

    def remove_submission(self, paper_id: str) -> bool:
        with self.db.transaction() as conn:
            cur = conn.execute("DELETE FROM submissions WHERE paper_id = %s", (paper_id,))
            conn.execute("DELETE FROM daily_entries WHERE paper_id = %s AND source = 'local'",
                         (paper_id,))
        return cur.rowcount > 0

    # -- collections ----------------------------------------------------------------------
    def create_collection(self, user_id: int, name: str, *, is_public: bool = False,
                          is_default: bool = False) -> Collection:
        try:
            with self.db.transaction() as conn:
                cid = conn.execute("INSERT INTO collections (user_id, name, is_public, "
                                   "is_default, created_at) VALUES (%s, %s, %s, %s, %s) "
                                   "RETURNING id", (user_id, name, bool(is_public),
                                                    bool(is_default), now_iso())).fetchone()[0]
        except errors.UniqueViolation as exc:
            raise ValueError(f"you already have a collection named {name!r}") from exc
        return self.get_collection(cid)  # type: ignore[return-value]

    def default_collection(self, user_id: int) -> Collection:
        row = self.db.one(COLLECTION_SELECT + "WHERE c.user_id = %s AND c.is_default", (user_id,))
        if row:
            return collection_row(row)  # type: ignore[return-value]
        try:
            return self.create_collection(user_id, "Reading list", is_default=True)
        except ValueError:  # created concurrently, or a same-named collection exists
            row = self.db.one(COLLECTION_SELECT + "WHERE c.user_id = %s AND "
                              "(c.is_default OR c.name = 'Reading list') "
                              "ORDER BY c.is_default DESC LIMIT 1", (user_id,))
            return collection_row(row)  # type: ignore[return-value]

    def get_collection(self, collection_id: int) -> Collection | None:
        if not valid_rowid(collection_id):
            return None
        return collection_row(self.db.one(COLLECTION_SELECT + "WHERE c.id = %s", (collection_id,)))

    def list_collections(self, user_id: int, *, public_only: bool = False) -> list[Collection]:
        sql = COLLECTION_SELECT + "WHERE c.user_id = %s"
        if public_only:
            sql += " AND c.is_public"
        rows = self.db.rows(sql + " ORDER BY c.is_default DESC, c.name", (user_id,))
        return [collection_row(r) for r in rows]  # type: ignore[misc]

    def update_collection(self, collection_id: int, *, name: str | None = None,
                          is_public: bool | None = None) -> None:
        try:
            with self.db.transaction() as conn:
                if name is not None:
                    conn.execute("UPDATE collections SET name = %s WHERE id = %s",
                                 (name, collection_id))
                if is_public is not None:
                    conn.execute("UPDATE collections SET is_public = %s WHERE id = %s",
                                 (bool(is_public), collection_id))
        except errors.UniqueViolation as exc:
            raise ValueError(f"you already have a collection named {name!r}") from exc

    def delete_collection(self, collection_id: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM collections WHERE id = %s", (collection_id,))

    def add_to_collection(self, collection_id: int, paper_id: str) -> bool:
        with self.db.transaction() as conn:
            cur = conn.execute("INSERT INTO collection_items (collection_id, paper_id, added_at) "
                               "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                               (collection_id, paper_id, now_iso()))
        return cur.rowcount > 0

    def remove_from_collection(self, collection_id: int, paper_id: str) -> bool:
        with self.db.transaction() as conn:
            cur = conn.execute("DELETE FROM collection_items WHERE collection_id = %s AND "
                               "paper_id = %s", (collection_id, paper_id))
        return cur.rowcount > 0

    def collection_paper_ids(self, collection_id: int, limit: int = 1000,
                             offset: int = 0) -> list[str]:
        return [r[0] for r in self.db.rows(
            "SELECT paper_id FROM collection_items WHERE collection_id = %s "
            "ORDER BY added_at DESC, paper_id LIMIT %s OFFSET %s", (collection_id, limit, offset))]

    def collection_notes(self, collection_id: int, paper_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        return {pid: (added, note) for pid, added, note in self.db.rows(
            "SELECT paper_id, added_at, note FROM collection_items WHERE collection_id = %s "
            "AND paper_id = ANY(%s::text[])", (collection_id, _ids(paper_ids)))}

    def set_collection_note(self, collection_id: int, paper_id: str, note: str) -> bool:
        with self.db.transaction() as conn:
            cur = conn.execute("UPDATE collection_items SET note = %s WHERE collection_id = %s "
                               "AND paper_id = %s", (note, collection_id, paper_id))
        return cur.rowcount > 0

    # -- trending -------------------------------------------------------------------------
    def trending_candidates(self, date_from: str, date_to: str) -> list[TrendingCandidate]:
        rows = self.db.rows(f"SELECT {DAILY_COLS} FROM daily_entries WHERE date BETWEEN %s "
                            "AND %s ORDER BY date", (date_from, date_to))
        latest = {e.paper_id: e for e in map(_daily_from_row, rows)}
        ids = list(latest)
        votes = self.local_upvote_counts(ids)
        comments = self.local_comment_counts(ids)
        return [TrendingCandidate(pid, e, votes[pid], comments[pid]) for pid, e in latest.items()]
