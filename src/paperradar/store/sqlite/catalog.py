"""SQLite implementation of the catalog reads used by pages, feeds and the compatible APIs."""

from __future__ import annotations

from typing import Any, Sequence

from paperradar.models import DailyEntry, Paper
from paperradar.store.base.catalog import DailyNav
from paperradar.store.sqlite.db import Database
from paperradar.store.sqlite.papers import _CHUNK, _DAILY_COLUMNS, _daily_from_row, paper_from_json

_SORT_COLUMNS = {"published": "p.published", "updated": "coalesce(p.updated, p.published)"}

_NAV_SQL = ("SELECT (SELECT count(*) FROM daily_entries WHERE date BETWEEN ?1 AND ?2"
            " AND (?3 IS NULL OR submitted_by = ?3)), "
            "(SELECT max(date) FROM daily_entries WHERE date < ?1), "
            "(SELECT max(date) FROM daily_entries WHERE date BETWEEN ?1 AND ?2), "
            "(SELECT min(date) FROM daily_entries WHERE date > ?2), "
            "(SELECT min(date) FROM daily_entries), (SELECT max(date) FROM daily_entries)")


class CatalogMixin:
    db: Database

    def count_daily(self, date_from: str, date_to: str, *, submitter: str | None = None) -> int:
        sql = "SELECT count(*) FROM daily_entries WHERE date BETWEEN ? AND ?"
        params: list[Any] = [date_from, date_to]
        if submitter:
            sql += " AND submitted_by = ?"
            params.append(submitter)
        return self.db.conn.execute(sql, params).fetchone()[0]

    def daily_dates_around(self, start: str, end: str) -> tuple[str | None, str | None, str | None]:
        row = self.db.conn.execute(
            "SELECT (SELECT max(date) FROM daily_entries WHERE date < ?1), "
            "(SELECT max(date) FROM daily_entries WHERE date BETWEEN ?1 AND ?2), "
            "(SELECT min(date) FROM daily_entries WHERE date > ?2)", (start, end)).fetchone()
        return row[0], row[1], row[2]

    def daily_nav(self, start: str, end: str, *, submitter: str | None = None) -> DailyNav:
        return DailyNav(*self.db.conn.execute(_NAV_SQL, (start, end, submitter or None)).fetchone())

    def latest_daily_entries(self, paper_ids: Sequence[str]) -> dict[str, DailyEntry]:
        ids = list(dict.fromkeys(paper_ids))
        found: dict[str, DailyEntry] = {}
        cols = ", ".join(_DAILY_COLUMNS)
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.db.conn.execute(
                f"SELECT {cols} FROM daily_entries WHERE paper_id IN ({marks}) ORDER BY date", chunk)
            for row in rows:  # ascending dates: the last one wins
                entry = _daily_from_row(row)
                found[entry.paper_id] = entry
        return found

    def list_papers(self, *, category: str | None = None, sort: str = "published",
                    descending: bool = True, limit: int = 50, offset: int = 0) -> list[Paper]:
        column = _SORT_COLUMNS.get(sort)
        if column is None:
            raise ValueError(f"unknown sort {sort!r}")
        direction = "DESC" if descending else "ASC"
        if category:
            sql = ("SELECT p.data FROM paper_categories c JOIN papers p ON p.id = c.paper_id "
                   "WHERE c.category = ?")
            params: list[Any] = [category]
        else:
            sql, params = "SELECT p.data FROM papers p WHERE 1", []
        sql += f" ORDER BY {column} {direction}, p.id {direction} LIMIT ? OFFSET ?"
        params += [limit, offset]
        return [paper_from_json(r[0]) for r in self.db.conn.execute(sql, params)]

    def count_papers_in(self, category: str | None = None) -> int:
        if category:
            return self.db.conn.execute(
                "SELECT count(*) FROM paper_categories WHERE category = ?", (category,)).fetchone()[0]
        return self.db.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
