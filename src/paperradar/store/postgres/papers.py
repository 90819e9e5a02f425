"""PostgreSQL paper store: batched merge-upserts (``COPY``; ``ON CONFLICT`` only for papers
already stored), reads, daily entries, and the change feed.

The feed cannot skip: a sequence value taken before commit would let a follower that read
``seq > watermark`` miss a row whose transaction took a lower number and committed later.
Paper writers therefore take one transaction-scoped advisory lock before they read the
counter (``max(seq)``) and hold it until commit, so counters are assigned in commit order:
whatever a follower sees, no row with a lower counter can still appear later.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import psycopg

from paperradar.merge import merge
from paperradar.models import DailyEntry, IndexFields, Paper, Record
from paperradar.store.base import UpsertStats
from paperradar.store.postgres.db import Database, xact_lock
from paperradar.store.sqlite.papers import (_DAILY_COLUMNS, _daily_from_row, _daily_row,
                                            index_fields_from_json, paper_from_json,
                                            paper_json)

PAPERS_FEED_LOCK = "feed:papers"

PAPER_COLS = ("id", "version", "title", "published", "updated", "primary_category", "has_code",
              "data", "seq")
_PAPER_SET = ", ".join(f"{c} = excluded.{c}" for c in PAPER_COLS[1:])

LOCAL_VOTES = ("(SELECT count(*) FROM votes v JOIN users u ON u.id = v.user_id "
               "WHERE v.paper_id = d.paper_id AND u.banned_at IS NULL)")

_DAILY_SET = ", ".join(f"{c} = excluded.{c}" for c in _DAILY_COLUMNS[2:])
DAILY_COLS = ", ".join(_DAILY_COLUMNS)


def write_checkpoint(conn, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM checkpoints WHERE key = %s", (key,))
    else:
        conn.execute("INSERT INTO checkpoints (key, value) VALUES (%s, %s) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def copy_rows(conn, table: str, cols: Sequence[str], rows: list[tuple]) -> None:
    """``COPY`` rows straight into ``table`` (one round trip, bulk inserts on the server)."""
    with conn.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def copy_upsert(conn, table: str, cols: Sequence[str], rows: list[tuple], conflict: str) -> None:
    """Write ``rows`` in two round trips: ``COPY`` into a session-local staging table (emptied
    at commit), then one ``INSERT ... SELECT ... ON CONFLICT`` from it into ``table``. The
    staging table takes the target's column types, so the rows are checked the same way."""
    stage = f"stage_{table}"
    names = ", ".join(cols)
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {table} INCLUDING DEFAULTS) "
                 "ON COMMIT DELETE ROWS")
    with conn.cursor().copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    # Emptied right away too: a second call in the same transaction must not see these rows.
    conn.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} {conflict}; "
                 f"DELETE FROM {stage}")


class PapersMixin:
    db: Database

    # -- writes ---------------------------------------------------------------------------
    def upsert_records(self, records: Sequence[Record],
                       checkpoint: tuple[str, str | None] | None = None) -> UpsertStats:
        with self.db.transaction() as conn:
            return self.upsert_in(conn, records, checkpoint)

    def upsert_in(self, conn, records: Sequence[Record],
                  checkpoint: tuple[str, str | None] | None = None) -> UpsertStats:
        """The body of ``upsert_records`` inside the caller's transaction on ``conn``."""
        incoming: dict[str, Paper] = {}
        for r in records:  # merge duplicates inside the batch, in order
            incoming[r.paper.id] = merge(incoming.get(r.paper.id), r.paper)
        xact_lock(conn, PAPERS_FEED_LOCK)  # serialises paper writers: commit-order counters
        try:
            with conn.transaction():  # a savepoint: a clash undoes only the papers written here
                stats = self._write_papers(conn, incoming, direct=True)
        except psycopg.errors.UniqueViolation:
            # A paper the merge read found absent was added meanwhile by a writer that does
            # not take the feed lock (``db copy``): read again and merge into it.
            stats = self._write_papers(conn, incoming, direct=False)
        self._upsert_daily(conn, [r.daily for r in records if r.daily is not None], stats)
        if checkpoint is not None:
            write_checkpoint(conn, *checkpoint)
        return stats

    def _write_papers(self, conn, incoming: dict[str, Paper], direct: bool) -> UpsertStats:
        """Merge ``incoming`` into the stored papers and write what changed. ``direct``: the
        papers the read found absent go by ``COPY`` straight into ``papers`` (no staging
        table, no ``ON CONFLICT``); changed stored ones go through the staging upsert."""
        stats = UpsertStats()
        stored = dict(conn.execute("SELECT id, data FROM papers WHERE id = ANY(%s::text[])",
                                   (list(incoming),)).fetchall())
        seq = conn.execute("SELECT coalesce(max(seq), 0) FROM papers").fetchone()[0]
        new_rows, new_categories, paper_rows, category_rows, changed_existing = [], [], [], [], []
        for pid, paper in incoming.items():
            old_text = stored.get(pid)
            merged = merge(paper_from_json(old_text), paper) if old_text else paper
            text = paper_json(merged)
            if text == old_text:
                stats.unchanged += 1
                continue
            fresh = old_text is None and direct
            if old_text is None:
                stats.added += 1
            else:
                stats.updated += 1
                changed_existing.append(pid)
            seq += 1
            (new_rows if fresh else paper_rows).append(
                (pid, merged.version, merged.title, merged.published, merged.updated,
                 merged.primary_category, merged.has_code, text, seq))
            (new_categories if fresh else category_rows).extend(
                (c, pid) for c in dict.fromkeys(merged.categories))
        if new_rows:
            copy_rows(conn, "papers", PAPER_COLS, new_rows)
        if new_categories:
            copy_rows(conn, "paper_categories", ("category", "paper_id"), new_categories)
        if changed_existing:
            conn.execute("DELETE FROM paper_categories WHERE paper_id = ANY(%s::text[])",
                         (changed_existing,))
        if paper_rows:
            copy_upsert(conn, "papers", PAPER_COLS, paper_rows,
                        f"ON CONFLICT (id) DO UPDATE SET {_PAPER_SET}")
        if category_rows:
            copy_upsert(conn, "paper_categories", ("category", "paper_id"), category_rows,
                        "ON CONFLICT DO NOTHING")
        return stats

    def _upsert_daily(self, conn, entries: list[DailyEntry], stats: UpsertStats) -> None:
        rows = {(e.date, e.paper_id): _daily_row(e) for e in entries}
        if not rows:
            return
        dates = [k[0] for k in rows]
        ids = [k[1] for k in rows]
        existing = {(r[0], r[1]): tuple(r) for r in conn.execute(
            f"SELECT {DAILY_COLS} FROM daily_entries d JOIN unnest(%s::text[], %s::text[]) "
            "AS k(date, paper_id) USING (date, paper_id)", (dates, ids)).fetchall()}
        to_write = []
        for key, row in rows.items():
            if key not in existing:
                stats.daily_added += 1
            elif existing[key] != row:
                stats.daily_updated += 1
            else:
                continue
            to_write.append(row)
        if to_write:
            copy_upsert(conn, "daily_entries", _DAILY_COLUMNS, to_write,
                        f"ON CONFLICT (date, paper_id) DO UPDATE SET {_DAILY_SET}")

    # -- checkpoints ----------------------------------------------------------------------
    def get_checkpoint(self, key: str) -> str | None:
        return self.db.value("SELECT value FROM checkpoints WHERE key = %s", (key,))

    def set_checkpoint(self, key: str, value: str | None) -> None:
        with self.db.transaction() as conn:
            write_checkpoint(conn, key, value)

    # -- reads ----------------------------------------------------------------------------
    def get_paper(self, paper_id: str) -> Paper | None:
        text = self.db.value("SELECT data FROM papers WHERE id = %s", (paper_id,))
        return paper_from_json(text) if text is not None else None

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return {}
        rows = self.db.rows("SELECT id, data FROM papers WHERE id = ANY(%s::text[])", (ids,))
        return {pid: paper_from_json(t) for pid, t in rows}

    def iter_changed_papers(self, after_seq: int, batch: int = 1000) -> Iterator[tuple[int, Paper]]:
        return self._iter_changed(after_seq, batch, paper_from_json)

    def iter_changed_index_fields(self, after_seq: int, batch: int = 1000
                                  ) -> Iterator[tuple[int, IndexFields]]:
        return self._iter_changed(after_seq, batch, index_fields_from_json)

    def _iter_changed(self, after_seq: int, batch: int, decode) -> Iterator[tuple[int, Any]]:
        # One REPEATABLE READ snapshot for the whole walk (as on SQLite): a paper updated
        # meanwhile appears once here (old counter) and again in the next walk.
        with self.db.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            last = after_seq
            while True:
                rows = conn.execute("SELECT seq, data FROM papers WHERE seq > %s ORDER BY seq "
                                    "LIMIT %s", (last, batch)).fetchall()
                if not rows:
                    return
                for seq, text in rows:
                    yield seq, decode(text)
                last = rows[-1][0]

    def max_seq(self) -> int:
        return self.db.value("SELECT coalesce(max(seq), 0) FROM papers")

    def count_papers(self) -> int:
        return self.db.value("SELECT count(*) FROM papers")

    def daily_entries_for(self, paper_id: str) -> list[DailyEntry]:
        return [_daily_from_row(r) for r in self.db.rows(
            f"SELECT {DAILY_COLS} FROM daily_entries WHERE paper_id = %s ORDER BY date",
            (paper_id,))]

    def list_daily(self, date_from: str, date_to: str, *, submitter: str | None = None,
                   sort: str = "upvotes", limit: int = 50, offset: int = 0,
                   ) -> list[tuple[DailyEntry, Paper]]:
        # NULLS LAST on descending keys: SQLite sorts NULL lowest, PostgreSQL highest.
        order = {"upvotes": f"d.upvotes + {LOCAL_VOTES} DESC, d.date DESC, d.paper_id",
                 "date": "d.date DESC, d.submitted_at DESC NULLS LAST, d.paper_id",
                 "published": "p.published DESC NULLS LAST, d.paper_id"}.get(sort)
        if order is None:
            raise ValueError(f"unknown sort {sort!r}")
        cols = ", ".join(f"d.{c}" for c in _DAILY_COLUMNS)
        sql = (f"SELECT {cols}, p.data FROM daily_entries d JOIN papers p ON p.id = d.paper_id "
               "WHERE d.date BETWEEN %s AND %s")
        params: list[Any] = [date_from, date_to]
        if submitter:
            sql += " AND d.submitted_by = %s"
            params.append(submitter)
        sql += f" ORDER BY {order} LIMIT %s OFFSET %s"
        params += [limit, offset]
        n = len(_DAILY_COLUMNS)
        return [(_daily_from_row(r[:n]), paper_from_json(r[n])) for r in self.db.rows(sql, params)]

    def daily_dates(self) -> list[str]:
        return [r[0] for r in self.db.rows("SELECT DISTINCT date FROM daily_entries ORDER BY date")]

    def stats(self) -> dict[str, Any]:
        papers, first, last = self.db.one(
            "SELECT count(*), min(published), max(published) FROM papers")  # type: ignore[misc]
        versions = self.db.value(
            "SELECT coalesce(sum(greatest(json_array_length(data::json -> 'versions'), 1)), 0) "
            "FROM papers")
        sources = dict(self.db.rows(
            "SELECT s.value, count(*) FROM papers, json_array_elements_text(papers.data::json "
            "-> 'sources') AS s(value) GROUP BY s.value ORDER BY s.value"))
        daily, d_first, d_last, days = self.db.one(
            "SELECT count(*), min(date), max(date), count(DISTINCT date) FROM daily_entries"
        )  # type: ignore[misc]
        return {"papers": papers, "versions": int(versions), "sources": dict(sorted(sources.items())),
                "published_from": first, "published_to": last, "daily_entries": daily,
                "daily_days": days, "daily_from": d_first, "daily_to": d_last}

    def dump(self) -> list[tuple]:
        out: list[tuple] = [("paper", *r[:6], int(r[6]), r[7]) for r in self.db.rows(
            "SELECT id, version, title, published, updated, primary_category, has_code, data "
            "FROM papers ORDER BY id")]
        out += [("category", *r) for r in self.db.rows(
            "SELECT category, paper_id FROM paper_categories ORDER BY category, paper_id")]
        out += [("daily", *r) for r in self.db.rows(
            f"SELECT {DAILY_COLS} FROM daily_entries ORDER BY date, paper_id")]
        out += [("checkpoint", *r) for r in self.db.rows(
            "SELECT key, value FROM checkpoints ORDER BY key")]
        return out
