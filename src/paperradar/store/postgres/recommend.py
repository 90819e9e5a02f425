"""PostgreSQL implementation of the recommendation store (see ``store.base.recommend``):
the period's candidates, "not interested" marks, and bulk saves into a collection."""

from __future__ import annotations

from typing import Sequence

from paperradar.models import Paper
from paperradar.store.postgres.db import Database
from paperradar.store.sqlite.community_rows import now_iso
from paperradar.store.sqlite.papers import paper_from_json
from paperradar.store.sqlite.recommend import _day_after


class RecommendMixin:
    db: Database

    def papers_published_between(self, date_from: str, date_to: str,
                                 limit: int = 100_000) -> list[Paper]:
        rows = self.db.rows(
            "SELECT data FROM papers WHERE published >= %s AND published < %s "
            "ORDER BY id LIMIT %s", (date_from[:10], _day_after(date_to), max(0, int(limit))))
        return [paper_from_json(r[0]) for r in rows]

    def latest_published_date(self) -> str | None:
        value = self.db.value("SELECT max(published) FROM papers")
        return value[:10] if value else None

    def set_dismissed(self, user_id: int, paper_id: str, on: bool) -> bool:
        with self.db.transaction() as conn:
            if on:
                if conn.execute("SELECT 1 FROM papers WHERE id = %s", (paper_id,)).fetchone() is None:
                    raise KeyError(paper_id)
                cur = conn.execute("INSERT INTO dismissals (user_id, paper_id, created_at) "
                                   "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                                   (user_id, paper_id, now_iso()))
            else:
                cur = conn.execute("DELETE FROM dismissals WHERE user_id = %s AND paper_id = %s",
                                   (user_id, paper_id))
        return cur.rowcount > 0

    def dismissed_by(self, user_id: int, limit: int = 500) -> list[str]:
        return [r[0] for r in self.db.rows(
            "SELECT paper_id FROM dismissals WHERE user_id = %s ORDER BY created_at DESC, "
            "paper_id LIMIT %s", (user_id, max(0, int(limit))))]

    def add_many_to_collection(self, collection_id: int, paper_ids: Sequence[str]) -> int:
        """One statement: only stored papers are saved, already-saved ones are left alone."""
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return 0
        with self.db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO collection_items (collection_id, paper_id, added_at) "
                "SELECT %s, p.id, %s FROM papers p WHERE p.id = ANY(%s::text[]) "
                "ON CONFLICT DO NOTHING", (collection_id, now_iso(), ids))
        return cur.rowcount
