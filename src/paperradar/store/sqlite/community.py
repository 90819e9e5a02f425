"""SQLite implementation of the community store (see ``store.base.community``): votes,
comments, submissions, collections and trending inputs here, accounts in
``community_accounts``.

Counts are derived with ``count(*)`` over indexed rows, never kept as counters, so 50
writers toggling the same papers from several processes always read back the truth.
Content of banned users is left out of every public count and list at read time.
"""

from __future__ import annotations

import sqlite3
from typing import Sequence

from paperradar.models import DailyEntry
from paperradar.store.base.community import (Collection, Comment, DuplicateSubmission,
                                             TrendingCandidate)
from paperradar.store.sqlite.community_accounts import AccountsMixin
from paperradar.store.sqlite.community_rows import (COLLECTION_SELECT, COMMENT_SELECT, chunks,
                                                    collection_row, comment_row, now_iso,
                                                    valid_rowid)
from paperradar.store.sqlite.papers import _DAILY_COLUMNS, _daily_from_row


class CommunityMixin(AccountsMixin):
    # -- votes ----------------------------------------------------------------------------
    def set_vote(self, user_id: int, paper_id: str, on: bool) -> bool:
        with self.db.transaction(durable=True) as conn:
            if on:
                cur = conn.execute("INSERT OR IGNORE INTO votes (user_id, paper_id, created_at) "
                                   "VALUES (?, ?, ?)", (user_id, paper_id, now_iso()))
            else:
                cur = conn.execute("DELETE FROM votes WHERE user_id = ? AND paper_id = ?",
                                   (user_id, paper_id))
        return cur.rowcount > 0

    def local_upvote_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        out = {pid: 0 for pid in paper_ids}
        for chunk, marks in chunks(paper_ids):
            out.update(self.db.conn.execute(
                "SELECT v.paper_id, count(*) FROM votes v JOIN users u ON u.id = v.user_id "
                f"WHERE v.paper_id IN ({marks}) AND u.banned_at IS NULL GROUP BY v.paper_id",
                chunk))
        return out

    def _imported(self, paper_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for chunk, marks in chunks(paper_ids):
            for pid, up, nc in self.db.conn.execute(
                    "SELECT paper_id, max(upvotes), max(num_comments) FROM daily_entries "
                    f"WHERE paper_id IN ({marks}) GROUP BY paper_id", chunk):
                out[pid] = (up, nc)
        return out

    def upvote_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        local = self.local_upvote_counts(paper_ids)
        imported = self._imported(paper_ids)
        return {pid: local[pid] + imported.get(pid, (0, 0))[0] for pid in local}

    def voted_by(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for chunk, marks in chunks(paper_ids):
            out.update(r[0] for r in self.db.conn.execute(
                f"SELECT paper_id FROM votes WHERE user_id = ? AND paper_id IN ({marks})",
                (user_id, *chunk)))
        return out

    def papers_upvoted_by(self, user_id: int, limit: int = 50, offset: int = 0) -> list[str]:
        return [r[0] for r in self.db.conn.execute(
            "SELECT paper_id FROM votes WHERE user_id = ? ORDER BY created_at DESC, paper_id "
            "LIMIT ? OFFSET ?", (user_id, limit, offset))]

    # -- comments -------------------------------------------------------------------------
    def add_comment(self, paper_id: str, user_id: int, body: str,
                    parent_id: int | None = None, html: str | None = None,
                    html_version: int = 0) -> Comment:
        with self.db.transaction(durable=True) as conn:
            if parent_id is not None:
                row = conn.execute("SELECT paper_id FROM comments WHERE id = ?",
                                   (parent_id,)).fetchone() if valid_rowid(parent_id) else None
                if row is None or row[0] != paper_id:
                    raise ValueError("the parent comment is not on this paper")
            cur = conn.execute("INSERT INTO comments (paper_id, user_id, parent_id, body, "
                               "created_at, html, html_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (paper_id, user_id, parent_id, body, now_iso(), html,
                                html_version if html is not None else 0))
        return self.get_comment(cur.lastrowid)  # type: ignore[return-value,arg-type]

    def get_comment(self, comment_id: int) -> Comment | None:
        if not valid_rowid(comment_id):
            return None
        row = self.db.conn.execute(COMMENT_SELECT + "WHERE c.id = ?", (comment_id,)).fetchone()
        return comment_row(row) if row else None

    def list_comments(self, paper_id: str) -> list[Comment]:
        return [comment_row(r) for r in self.db.conn.execute(
            COMMENT_SELECT + "WHERE c.paper_id = ? ORDER BY c.id", (paper_id,))]

    def comments_by(self, user_id: int, limit: int = 50, offset: int = 0) -> list[Comment]:
        return [comment_row(r) for r in self.db.conn.execute(
            COMMENT_SELECT + "WHERE c.user_id = ? AND c.deleted_at IS NULL ORDER BY c.id DESC "
            "LIMIT ? OFFSET ?", (user_id, limit, offset))]

    def recent_comments(self, limit: int = 50, offset: int = 0) -> list[Comment]:
        return [comment_row(r) for r in self.db.conn.execute(
            COMMENT_SELECT + "ORDER BY c.id DESC LIMIT ? OFFSET ?", (limit, offset))]

    def edit_comment(self, comment_id: int, body: str, html: str | None = None,
                     html_version: int = 0) -> None:
        with self.db.transaction(durable=True) as conn:
            conn.execute("UPDATE comments SET body = ?, edited_at = ?, html = ?, html_version = ? "
                         "WHERE id = ? AND deleted_at IS NULL",
                         (body, now_iso(), html, html_version if html is not None else 0,
                          comment_id))

    def set_comment_html(self, rendered: Sequence[tuple[int, str, str, int]]) -> int:
        if not rendered:
            return 0
        with self.db.transaction() as conn:
            before = conn.total_changes
            conn.executemany("UPDATE comments SET html = ?, html_version = ? WHERE id = ? "
                             "AND body = ? AND deleted_at IS NULL",
                             [(html, version, cid, body) for cid, body, html, version in rendered])
            return conn.total_changes - before

    def delete_comment(self, comment_id: int) -> None:
        with self.db.transaction() as conn:  # soft delete keeps the thread's shape
            conn.execute("UPDATE comments SET deleted_at = ?, body = '', html = NULL "
                         "WHERE id = ? "
                         "AND deleted_at IS NULL", (now_iso(), comment_id))

    def set_comment_hidden(self, comment_id: int, hidden: bool) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE comments SET hidden_at = ? WHERE id = ?",
                         (now_iso() if hidden else None, comment_id))

    def local_comment_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        out = {pid: 0 for pid in paper_ids}
        for chunk, marks in chunks(paper_ids):
            out.update(self.db.conn.execute(
                "SELECT c.paper_id, count(*) FROM comments c JOIN users u ON u.id = c.user_id "
                f"WHERE c.paper_id IN ({marks}) AND c.deleted_at IS NULL AND c.hidden_at IS NULL "
                "AND u.banned_at IS NULL GROUP BY c.paper_id", chunk))
        return out

    def comment_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        out = self.local_comment_counts(paper_ids)
        for pid, (_, nc) in self._imported(paper_ids).items():
            out[pid] += nc
        return out

    # -- submissions ----------------------------------------------------------------------
    def submit_paper(self, user_id: int, paper_id: str, date: str, now: str) -> DailyEntry:
        with self.db.transaction(durable=True) as conn:
            row = conn.execute("SELECT date FROM daily_entries WHERE paper_id = ? ORDER BY date "
                               "LIMIT 1", (paper_id,)).fetchone()
            row = row or conn.execute("SELECT date FROM submissions WHERE paper_id = ?",
                                      (paper_id,)).fetchone()
            if row:
                raise DuplicateSubmission(paper_id, row[0])
            name = conn.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchone()[0]
            conn.execute("INSERT INTO submissions (paper_id, user_id, date, created_at) "
                         "VALUES (?, ?, ?, ?)", (paper_id, user_id, date, now))
            conn.execute("INSERT INTO daily_entries (date, paper_id, submitted_by, submitted_at, "
                         "source) VALUES (?, ?, ?, ?, 'local')", (date, paper_id, name, now))
        return DailyEntry(paper_id=paper_id, date=date, submitted_by=name, submitted_at=now,
                          source="local")

    def submissions_since(self, user_id: int, since: str) -> int:
        return self.db.conn.execute("SELECT count(*) FROM submissions WHERE user_id = ? AND "
                                    "created_at >= ?", (user_id, since)).fetchone()[0]

    def submissions_by(self, user_id: int, limit: int = 50, offset: int = 0) -> list[DailyEntry]:
        rows = self.db.conn.execute(
            "SELECT s.date, s.paper_id, u.name, s.created_at FROM submissions s JOIN users u "
            "ON u.id = s.user_id WHERE s.user_id = ? ORDER BY s.created_at DESC LIMIT ? OFFSET ?",
            (user_id, limit, offset))
        return [DailyEntry(paper_id=p, date=d, submitted_by=n, submitted_at=c, source="local")
                for d, p, n, c in rows]

    def recent_submissions(self, limit: int = 50, offset: int = 0) -> list[DailyEntry]:
        rows = self.db.conn.execute(
            "SELECT s.date, s.paper_id, u.name, s.created_at FROM submissions s JOIN users u "
            "ON u.id = s.user_id ORDER BY s.created_at DESC LIMIT ? OFFSET ?", (limit, offset))
        return [DailyEntry(paper_id=p, date=d, submitted_by=n, submitted_at=c, source="local")
                for d, p, n, c in rows]

    def remove_submission(self, paper_id: str) -> bool:
        with self.db.transaction() as conn:
            cur = conn.execute("DELETE FROM submissions WHERE paper_id = ?", (paper_id,))
            conn.execute("DELETE FROM daily_entries WHERE paper_id = ? AND source = 'local'",
                         (paper_id,))
        return cur.rowcount > 0

    # -- collections ----------------------------------------------------------------------
    def create_collection(self, user_id: int, name: str, *, is_public: bool = False,
                          is_default: bool = False) -> Collection:
        try:
            with self.db.transaction() as conn:
                cur = conn.execute("INSERT INTO collections (user_id, name, is_public, is_default, "
                                   "created_at) VALUES (?, ?, ?, ?, ?)",
                                   (user_id, name, int(is_public), int(is_default), now_iso()))
        except sqlite3.IntegrityError as exc:
            raise ValueError(f"you already have a collection named {name!r}") from exc
        return self.get_collection(cur.lastrowid)  # type: ignore[return-value,arg-type]

    def default_collection(self, user_id: int) -> Collection:
        row = self.db.conn.execute(COLLECTION_SELECT + "WHERE c.user_id = ? AND c.is_default = 1",
                                   (user_id,)).fetchone()
        if row:
            return collection_row(row)  # type: ignore[return-value]
        try:
            return self.create_collection(user_id, "Reading list", is_default=True)
        except ValueError:  # created concurrently, or a same-named collection exists
            row = self.db.conn.execute(COLLECTION_SELECT + "WHERE c.user_id = ? AND "
                                       "(c.is_default = 1 OR c.name = 'Reading list') "
                                       "ORDER BY c.is_default DESC", (user_id,)).fetchone()
            return collection_row(row)  # type: ignore[return-value]

    def get_collection(self, collection_id: int) -> Collection | None:
        if not valid_rowid(collection_id):
            return None
        return collection_row(self.db.conn.execute(COLLECTION_SELECT + "WHERE c.id = ?",
                                                (collection_id,)).fetchone())

    def list_collections(self, user_id: int, *, public_only: bool = False) -> list[Collection]:
        sql = COLLECTION_SELECT + "WHERE c.user_id = ?"
        if public_only:
            sql += " AND c.is_public = 1"
        rows = self.db.conn.execute(sql + " ORDER BY c.is_default DESC, c.name", (user_id,))
        return [collection_row(r) for r in rows]  # type: ignore[misc]

    def update_collection(self, collection_id: int, *, name: str | None = None,
                          is_public: bool | None = None) -> None:
        try:
            with self.db.transaction() as conn:
                if name is not None:
                    conn.execute("UPDATE collections SET name = ? WHERE id = ?", (name, collection_id))
                if is_public is not None:
                    conn.execute("UPDATE collections SET is_public = ? WHERE id = ?",
                                 (int(is_public), collection_id))
        except sqlite3.IntegrityError as exc:
            raise ValueError(f"you already have a collection named {name!r}") from exc

    def delete_collection(self, collection_id: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM collections WHERE id = ?", (collection_id,))

    def add_to_collection(self, collection_id: int, paper_id: str) -> bool:
        with self.db.transaction() as conn:
            cur = conn.execute("INSERT OR IGNORE INTO collection_items (collection_id, paper_id, "
                               "added_at) VALUES (?, ?, ?)", (collection_id, paper_id, now_iso()))
        return cur.rowcount > 0

    def remove_from_collection(self, collection_id: int, paper_id: str) -> bool:
        with self.db.transaction() as conn:
            cur = conn.execute("DELETE FROM collection_items WHERE collection_id = ? AND "
                               "paper_id = ?", (collection_id, paper_id))
        return cur.rowcount > 0

    def collection_paper_ids(self, collection_id: int, limit: int = 1000,
                             offset: int = 0) -> list[str]:
        return [r[0] for r in self.db.conn.execute(
            "SELECT paper_id FROM collection_items WHERE collection_id = ? "
            "ORDER BY added_at DESC, paper_id LIMIT ? OFFSET ?", (collection_id, limit, offset))]

    def collection_notes(self, collection_id: int, paper_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        for chunk, marks in chunks(paper_ids):
            for pid, added, note in self.db.conn.execute(
                    "SELECT paper_id, added_at, note FROM collection_items WHERE collection_id = ? "
                    f"AND paper_id IN ({marks})", (collection_id, *chunk)):
                out[pid] = (added, note)
        return out

    def set_collection_note(self, collection_id: int, paper_id: str, note: str) -> bool:
        with self.db.transaction() as conn:
            cur = conn.execute("UPDATE collection_items SET note = ? WHERE collection_id = ? AND "
                               "paper_id = ?", (note, collection_id, paper_id))
        return cur.rowcount > 0

    # -- trending -------------------------------------------------------------------------
    def trending_candidates(self, date_from: str, date_to: str) -> list[TrendingCandidate]:
        cols = ", ".join(f"d.{c}" for c in _DAILY_COLUMNS)
        rows = self.db.conn.execute(
            f"SELECT {cols} FROM daily_entries d WHERE d.date BETWEEN ? AND ? "
            "ORDER BY d.date", (date_from, date_to)).fetchall()
        latest = {e.paper_id: e for e in map(_daily_from_row, rows)}
        ids = list(latest)
        votes = self.local_upvote_counts(ids)
        comments = self.local_comment_counts(ids)
        return [TrendingCandidate(pid, e, votes[pid], comments[pid]) for pid, e in latest.items()]
