"""PostgreSQL catalog reads used by pages, feeds and the compatible APIs."""

from __future__ import annotations

from typing import Any, Sequence

from paperradar.models import DailyEntry, Paper
from paperradar.store.base.catalog import DailyNav
from paperradar.store.postgres.db import Database
from paperradar.store.postgres.papers import DAILY_COLS
from paperradar.store.sqlite.papers import _daily_from_row, paper_from_json

LATEST_DAILY_SQL = (f"SELECT DISTINCT ON (paper_id) {DAILY_COLS} FROM daily_entries "
                    "WHERE paper_id = ANY(%s::text[]) ORDER BY paper_id, date DESC")
_SORT_COLUMNS = {"published": "p.published", "updated": "coalesce(p.updated, p.published)"}

_NAV_SQL = ("SELECT (SELECT count(*) FROM daily_entries WHERE date BETWEEN %(s)s AND %(e)s"
            " AND (%(by)s::text IS NULL OR submitted_by = %(by)s)), "
            "(SELECT max(date) FROM daily_entries WHERE date < %(s)s), "
            "(SELECT max(date) FROM daily_entries WHERE date BETWEEN %(s)s AND %(e)s), "
            "(SELECT min(date) FROM daily_entries WHERE date > %(e)s), "
            "(SELECT min(date) FROM daily_entries), (SELECT max(date) FROM daily_entries)")


class CatalogMixin:
    db: Database

    def count_daily(self, date_from: str, date_to: str, *, submitter: str | None = None) -> int:
        sql = "SELECT count(*) FROM daily_entries WHERE date BETWEEN %s AND %s"
        params: list[Any] = [date_from, date_to]
        if submitter:
            sql += " AND submitted_by = %s"
            params.append(submitter)
        return self.db.value(sql, params)

    def daily_dates_around(self, start: str, end: str) -> tuple[str | None, str | None, str | None]:
        row = self.db.one(
            "SELECT (SELECT max(date) FROM daily_entries WHERE date < %(s)s), "
            "(SELECT max(date) FROM daily_entries WHERE date BETWEEN %(s)s AND %(e)s), "
            "(SELECT min(date) FROM daily_entries WHERE date > %(e)s)",
            {"s": start, "e": end})  # type: ignore[arg-type]
        return row[0], row[1], row[2]  # type: ignore[index]

    def daily_nav(self, start: str, end: str, *, submitter: str | None = None) -> DailyNav:
        return DailyNav(*self.db.one(_NAV_SQL, {"s": start, "e": end, "by": submitter or None}))

    def latest_daily_entries(self, paper_ids: Sequence[str]) -> dict[str, DailyEntry]:
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return {}
        rows = self.db.rows(LATEST_DAILY_SQL, (ids,))
        return {r[1]: _daily_from_row(r) for r in rows}

    def list_papers(self, *, category: str | None = None, sort: str = "published",
                    descending: bool = True, limit: int = 50, offset: int = 0) -> list[Paper]:
        column = _SORT_COLUMNS.get(sort)
        if column is None:
            raise ValueError(f"unknown sort {sort!r}")
        # SQLite puts NULL lowest: last when descending, first when ascending.
        direction = "DESC NULLS LAST" if descending else "ASC NULLS FIRST"
        if category:
            sql = ("SELECT p.data FROM paper_categories c JOIN papers p ON p.id = c.paper_id "
                   "WHERE c.category = %s")
            params: list[Any] = [category]
        else:
            sql, params = "SELECT p.data FROM papers p", []
        sql += (f" ORDER BY {column} {direction}, p.id {'DESC' if descending else 'ASC'} "
                "LIMIT %s OFFSET %s")
        params += [limit, offset]
        return [paper_from_json(r[0]) for r in self.db.rows(sql, params)]

    def count_papers_in(self, category: str | None = None) -> int:
        if category:
            return self.db.value("SELECT count(*) FROM paper_categories WHERE category = %s",
                                 (category,))
        return self.db.value("SELECT count(*) FROM papers")
