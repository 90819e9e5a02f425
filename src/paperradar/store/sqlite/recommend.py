"""SQLite implementation of the recommendation store (see ``store.base.recommend``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Sequence

from paperradar.models import Paper
from paperradar.store.sqlite.community_rows import chunks, now_iso
from paperradar.store.sqlite.db import Database
from paperradar.store.sqlite.papers import paper_from_json


def _day_after(day: str) -> str:
    return (date.fromisoformat(day[:10]) + timedelta(days=1)).isoformat()


class RecommendMixin:
    db: Database

    def papers_published_between(self, date_from: str, date_to: str,
                                 limit: int = 100_000) -> list[Paper]:
        rows = self.db.conn.execute(
            "SELECT data FROM papers WHERE published >= ? AND published < ? ORDER BY id LIMIT ?",
            (date_from[:10], _day_after(date_to), max(0, int(limit))))
        return [paper_from_json(r[0]) for r in rows]

    def latest_published_date(self) -> str | None:
        row = self.db.conn.execute("SELECT max(published) FROM papers").fetchone()
        return row[0][:10] if row and row[0] else None

    def set_dismissed(self, user_id: int, paper_id: str, on: bool) -> bool:
        with self.db.transaction() as conn:
            if on:
                if conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is None:
                    raise KeyError(paper_id)
                cur = conn.execute("INSERT OR IGNORE INTO dismissals (user_id, paper_id, "
                                   "created_at) VALUES (?, ?, ?)", (user_id, paper_id, now_iso()))
            else:
                cur = conn.execute("DELETE FROM dismissals WHERE user_id = ? AND paper_id = ?",
                                   (user_id, paper_id))
        return cur.rowcount > 0

    def dismissed_by(self, user_id: int, limit: int = 500) -> list[str]:
        return [r[0] for r in self.db.conn.execute(
            "SELECT paper_id FROM dismissals WHERE user_id = ? ORDER BY created_at DESC, "
            "paper_id LIMIT ?", (user_id, max(0, int(limit))))]

    def add_many_to_collection(self, collection_id: int, paper_ids: Sequence[str]) -> int:
        ids = list(dict.fromkeys(paper_ids))
        added, at = 0, now_iso()
        with self.db.transaction() as conn:
            for chunk, marks in chunks(ids):
                known = [r[0] for r in conn.execute(
                    f"SELECT id FROM papers WHERE id IN ({marks})", chunk)]
                for pid in known:
                    cur = conn.execute("INSERT OR IGNORE INTO collection_items (collection_id, "
                                       "paper_id, added_at) VALUES (?, ?, ?)",
                                       (collection_id, pid, at))
                    added += cur.rowcount
        return added
