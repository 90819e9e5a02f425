"""PostgreSQL implementation of authorship claims (``store.base.enrich.ClaimStore``), the
twin of ``store.sqlite.claims``: a claim request is one ``INSERT ... SELECT ... ON CONFLICT
DO NOTHING`` (claims already made, pending or decided, are kept as they are)."""

from __future__ import annotations

from paperradar.store.postgres.db import Database
from paperradar.store.sqlite.claims import MAX_CLAIM
from paperradar.store.sqlite.community_rows import valid_rowid

CLAIMANTS_OF_SQL = ("SELECT c.user_id FROM author_claims c JOIN users u ON u.id = c.user_id "
                    "WHERE c.paper_id = %s AND c.status = 'confirmed' AND u.banned_at IS NULL")


class ClaimsMixin:
    db: Database

    def request_claim(self, user_id: int, name_key: str) -> int:
        """Claim (pending) every paper listed under ``name_key``, in key order as SQLite
        reads them; already decided claims are kept as they are. Returns the new claims."""
        with self.db.transaction() as conn:
            return conn.execute(
                "INSERT INTO author_claims (user_id, paper_id, name_key) "
                "SELECT %s, paper_id, name_key FROM paper_authors WHERE name_key = %s "
                "ORDER BY paper_id LIMIT %s ON CONFLICT DO NOTHING",
                (user_id, name_key, MAX_CLAIM)).rowcount

    def pending_claims(self, limit: int = 50, offset: int = 0) -> list[tuple[int, str, str, int]]:
        """(user_id, user name, name_key, papers) of pending claims, oldest first."""
        return [tuple(r) for r in self.db.rows(
            "SELECT c.user_id, u.name, c.name_key, count(*) FROM author_claims c "
            "JOIN users u ON u.id = c.user_id WHERE c.status = 'pending' "
            "GROUP BY c.user_id, u.name, c.name_key "
            "ORDER BY min(c.created_at), c.user_id, c.name_key LIMIT %s OFFSET %s",
            (limit, offset))]

    def decide_claims(self, user_id: int, name_key: str, *, confirm: bool, admin_id: int) -> int:
        if not valid_rowid(user_id):  # a form may post any integer: no such user
            return 0
        with self.db.transaction() as conn:
            return conn.execute(
                "UPDATE author_claims SET status = %s, decided_by = %s WHERE user_id = %s AND "
                "name_key = %s AND status = 'pending'",
                ("confirmed" if confirm else "rejected", admin_id, user_id, name_key)).rowcount

    def claim_status(self, user_id: int, name_key: str) -> dict[str, int]:
        return dict(self.db.rows(
            "SELECT status, count(*) FROM author_claims WHERE user_id = %s AND name_key = %s "
            "GROUP BY status", (user_id, name_key)))

    def claimed_paper_ids(self, user_id: int, limit: int = 50) -> list[str]:
        """Confirmed claims of a user, newest papers first (undated last, as on SQLite)."""
        return [r[0] for r in self.db.rows(
            "SELECT c.paper_id FROM author_claims c JOIN papers p ON p.id = c.paper_id "
            "WHERE c.user_id = %s AND c.status = 'confirmed' "
            "ORDER BY p.published DESC NULLS LAST, p.id LIMIT %s", (user_id, limit))]

    def claimants(self, name_key: str) -> list[str]:
        """Names of users with confirmed claims under this author key."""
        return [r[0] for r in self.db.rows(
            "SELECT DISTINCT u.name FROM author_claims c JOIN users u ON u.id = c.user_id "
            "WHERE c.name_key = %s AND c.status = 'confirmed' AND u.banned_at IS NULL "
            "ORDER BY u.name", (name_key,))]

    def confirmed_claimants_of(self, paper_id: str) -> set[int]:
        """Ids of unbanned users with a confirmed claim on this paper (one indexed query)."""
        return {r[0] for r in self.db.rows(CLAIMANTS_OF_SQL, (paper_id,))}
