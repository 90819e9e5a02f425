"""SQLite implementation of authorship claims (``store.base.enrich.ClaimStore``)."""

from __future__ import annotations

from paperradar.store.sqlite.community_rows import valid_rowid
from paperradar.store.sqlite.db import Database

MAX_CLAIM = 10_000  # papers one request may claim (an author page holds at most this many)


class ClaimsMixin:
    db: Database

    def request_claim(self, user_id: int, name_key: str) -> int:
        """Claim (pending) every paper listed under ``name_key``; already decided claims are
        kept as they are. Returns how many new claims were made."""
        with self.db.transaction() as conn:
            before = conn.total_changes
            conn.execute(
                "INSERT OR IGNORE INTO author_claims (user_id, paper_id, name_key) "
                "SELECT ?, paper_id, name_key FROM paper_authors WHERE name_key = ? LIMIT ?",
                (user_id, name_key, MAX_CLAIM))
            return conn.total_changes - before

    def pending_claims(self, limit: int = 50, offset: int = 0) -> list[tuple[int, str, str, int]]:
        """(user_id, user name, name_key, papers) of pending claims, oldest first."""
        return [tuple(r) for r in self.db.conn.execute(
            "SELECT c.user_id, u.name, c.name_key, count(*) FROM author_claims c "
            "JOIN users u ON u.id = c.user_id WHERE c.status = 'pending' "
            "GROUP BY c.user_id, c.name_key ORDER BY min(c.created_at), c.user_id "
            "LIMIT ? OFFSET ?", (limit, offset))]

    def decide_claims(self, user_id: int, name_key: str, *, confirm: bool, admin_id: int) -> int:
        if not valid_rowid(user_id):  # a form may post any integer: no such user
            return 0
        with self.db.transaction() as conn:
            return conn.execute(
                "UPDATE author_claims SET status = ?, decided_by = ? WHERE user_id = ? AND "
                "name_key = ? AND status = 'pending'",
                ("confirmed" if confirm else "rejected", admin_id, user_id, name_key)).rowcount

    def claim_status(self, user_id: int, name_key: str) -> dict[str, int]:
        return dict(self.db.conn.execute(
            "SELECT status, count(*) FROM author_claims WHERE user_id = ? AND name_key = ? "
            "GROUP BY status", (user_id, name_key)).fetchall())

    def claimed_paper_ids(self, user_id: int, limit: int = 50) -> list[str]:
        """Confirmed claims of a user, newest papers first."""
        return [r[0] for r in self.db.conn.execute(
            "SELECT c.paper_id FROM author_claims c JOIN papers p ON p.id = c.paper_id "
            "WHERE c.user_id = ? AND c.status = 'confirmed' ORDER BY p.published DESC, p.id "
            "LIMIT ?", (user_id, limit))]

    def claimants(self, name_key: str) -> list[str]:
        """Names of users with confirmed claims under this author key."""
        return [r[0] for r in self.db.conn.execute(
            "SELECT DISTINCT u.name FROM author_claims c JOIN users u ON u.id = c.user_id "
            "WHERE c.name_key = ? AND c.status = 'confirmed' AND u.banned_at IS NULL "
            "ORDER BY u.name", (name_key,))]

    def confirmed_claimants_of(self, paper_id: str) -> set[int]:
        """Ids of unbanned users with a confirmed claim on this paper (one indexed query)."""
        return {r[0] for r in self.db.conn.execute(
            "SELECT c.user_id FROM author_claims c JOIN users u ON u.id = c.user_id "
            "WHERE c.paper_id = ? AND c.status = 'confirmed' AND u.banned_at IS NULL",
            (paper_id,))}
