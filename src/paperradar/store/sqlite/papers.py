"""SQLite implementation of the paper store: batched merge-upserts, reads, daily entries."""

from __future__ import annotations

import json
from typing import Any, Iterator, Sequence

import orjson

from paperradar.merge import merge, paper_dict
from paperradar.models import (Author, DailyEntry, IndexFields, Link, Paper, Record, Version,
                              links_have_code)
from paperradar.store.base import UpsertStats
from paperradar.store.sqlite.db import Database, connect

_CHUNK = 500  # ids per IN (...) query, well under SQLite's variable limit

_UPSERT_PAPER = """
INSERT INTO papers (id, version, title, published, updated, primary_category, has_code, data, seq)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    version = excluded.version, title = excluded.title, published = excluded.published,
    updated = excluded.updated, primary_category = excluded.primary_category,
    has_code = excluded.has_code, data = excluded.data, seq = excluded.seq
"""

_DAILY_COLUMNS = ("date", "paper_id", "submitted_by", "submitted_at", "upvotes", "num_comments",
                  "github_repo", "github_stars", "project_page", "ai_summary", "ai_keywords",
                  "source")

# Upvotes cast on this site (community tables, migration 0003) by users who are not banned:
# the daily lists sort by imported + local, the number every page shows.
_LOCAL_VOTES = ("(SELECT count(*) FROM votes v JOIN users u ON u.id = v.user_id "
                "WHERE v.paper_id = d.paper_id AND u.banned_at IS NULL)")

_UPSERT_DAILY = f"""
INSERT INTO daily_entries ({", ".join(_DAILY_COLUMNS)})
VALUES ({", ".join("?" * len(_DAILY_COLUMNS))})
ON CONFLICT (date, paper_id) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in _DAILY_COLUMNS[2:])}
"""


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def paper_json(p: Paper) -> str:
    """Canonical JSON (sorted keys, compact, UTF-8): orjson, ten times faster than the
    standard library and byte-identical for the values papers hold; values orjson refuses
    (integers beyond 64 bits in ``extra``) fall back to the standard encoder."""
    d = paper_dict(p)
    try:
        return orjson.dumps(d, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return _ENCODER.encode(d)


def _loads(text: str) -> dict:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # integers beyond 64 bits in ``extra``
        return json.loads(text)


def index_fields_from_json(text: str) -> IndexFields:
    """``IndexFields.of(paper_from_json(text))`` without building the paper (the index
    build reads every paper: this is its hot path)."""
    d = _loads(text)
    g = d.get
    return IndexFields(d["id"], d["title"], g("abstract", ""),
                       [a["name"] for a in g("authors") or ()], g("categories") or [],
                       g("primary_category"), g("doi"), g("published"),
                       links_have_code(x["kind"] for x in g("links") or ()))


def paper_from_json(text: str) -> Paper:
    """``Paper.from_dict(json.loads(text))``, built directly (it is on every read path)."""
    d = _loads(text)
    g = d.get
    return Paper(
        id=d["id"], title=d["title"], abstract=g("abstract", ""), version=g("version"),
        authors=[Author(a["name"], a.get("affiliations") or []) for a in g("authors") or ()],
        primary_category=g("primary_category"), categories=g("categories") or [],
        published=g("published"), updated=g("updated"), doi=g("doi"),
        journal_ref=g("journal_ref"), comments=g("comments"), license=g("license"),
        links=[Link(x["url"], x["kind"]) for x in g("links") or ()],
        versions=[Version(v["version"], v.get("date"), v.get("size"))
                  for v in g("versions") or ()],
        sources=g("sources") or [], extra=g("extra") or {},
    )


def _daily_row(e: DailyEntry) -> tuple:
    return (e.date, e.paper_id, e.submitted_by, e.submitted_at, e.upvotes, e.num_comments,
            e.github_repo, e.github_stars, e.project_page, e.ai_summary,
            json.dumps(e.ai_keywords, ensure_ascii=False), e.source)


def _daily_from_row(row: Sequence[Any]) -> DailyEntry:
    d = dict(zip(_DAILY_COLUMNS, row))
    d["ai_keywords"] = json.loads(d["ai_keywords"] or "[]")
    return DailyEntry(**d)


class PapersMixin:
    db: Database

    # -- writes ---------------------------------------------------------------------------
    def upsert_records(self, records: Sequence[Record],
                       checkpoint: tuple[str, str | None] | None = None) -> UpsertStats:
        incoming: dict[str, Paper] = {}
        for r in records:  # merge duplicates inside the batch, in order
            incoming[r.paper.id] = merge(incoming.get(r.paper.id), r.paper)
        stats = UpsertStats()
        with self.db.transaction() as conn:
            stored = self._stored_json(conn, list(incoming))
            seq = conn.execute("SELECT coalesce(max(seq), 0) FROM papers").fetchone()[0]
            paper_rows, category_rows, changed_existing = [], [], []
            for pid, paper in incoming.items():
                old_text = stored.get(pid)
                merged = merge(paper_from_json(old_text), paper) if old_text else paper
                text = paper_json(merged)
                if text == old_text:
                    stats.unchanged += 1
                    continue
                if old_text is None:
                    stats.added += 1
                else:
                    stats.updated += 1
                    changed_existing.append((pid,))
                seq += 1
                paper_rows.append((pid, merged.version, merged.title, merged.published,
                                   merged.updated, merged.primary_category, int(merged.has_code),
                                   text, seq))
                category_rows.extend((c, pid) for c in merged.categories)
            conn.executemany("DELETE FROM paper_categories WHERE paper_id = ?", changed_existing)
            conn.executemany(_UPSERT_PAPER, paper_rows)
            conn.executemany("INSERT OR IGNORE INTO paper_categories (category, paper_id) "
                             "VALUES (?, ?)", category_rows)
            self._upsert_daily(conn, [r.daily for r in records if r.daily is not None], stats)
            if checkpoint is not None:
                self._write_checkpoint(conn, *checkpoint)
        return stats

    def _stored_json(self, conn, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(conn.execute(f"SELECT id, data FROM papers WHERE id IN ({marks})", chunk))
        return found

    def _upsert_daily(self, conn, entries: list[DailyEntry], stats: UpsertStats) -> None:
        rows = {(e.date, e.paper_id): _daily_row(e) for e in entries}
        if not rows:
            return
        existing = {}
        keys = list(rows)
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i:i + _CHUNK]
            where = " OR ".join("(date = ? AND paper_id = ?)" for _ in chunk)
            params = [x for k in chunk for x in k]
            for row in conn.execute(f"SELECT {', '.join(_DAILY_COLUMNS)} FROM daily_entries "
                                    f"WHERE {where}", params):
                existing[(row[0], row[1])] = tuple(row)
        to_write = []
        for key, row in rows.items():
            if key not in existing:
                stats.daily_added += 1
            elif existing[key] != row:
                stats.daily_updated += 1
            else:
                continue
            to_write.append(row)
        conn.executemany(_UPSERT_DAILY, to_write)

    # -- checkpoints ----------------------------------------------------------------------
    def _write_checkpoint(self, conn, key: str, value: str | None) -> None:
        if value is None:
            conn.execute("DELETE FROM checkpoints WHERE key = ?", (key,))
        else:
            conn.execute("INSERT INTO checkpoints (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def get_checkpoint(self, key: str) -> str | None:
        row = self.db.conn.execute("SELECT value FROM checkpoints WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_checkpoint(self, key: str, value: str | None) -> None:
        with self.db.transaction() as conn:
            self._write_checkpoint(conn, key, value)

    # -- reads ----------------------------------------------------------------------------
    def get_paper(self, paper_id: str) -> Paper | None:
        row = self.db.conn.execute("SELECT data FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return paper_from_json(row[0]) if row else None

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        texts = self._stored_json(self.db.conn, list(dict.fromkeys(paper_ids)))
        return {pid: paper_from_json(t) for pid, t in texts.items()}

    def iter_changed_papers(self, after_seq: int, batch: int = 1000) -> Iterator[tuple[int, Paper]]:
        return self._iter_changed(after_seq, batch, paper_from_json)

    def iter_changed_index_fields(self, after_seq: int, batch: int = 1000
                                  ) -> Iterator[tuple[int, IndexFields]]:
        return self._iter_changed(after_seq, batch, index_fields_from_json)

    def _iter_changed(self, after_seq: int, batch: int, decode) -> Iterator[tuple[int, Any]]:
        # A connection of its own, in one read transaction: the walk sees one snapshot, so a
        # paper updated by a concurrent import meanwhile appears once (at its old counter)
        # and again in the next walk, never twice in one; the caller may write meanwhile.
        conn = connect(self.db.path)
        try:
            conn.execute("BEGIN")
            last = after_seq
            while True:
                rows = conn.execute("SELECT seq, data FROM papers WHERE seq > ? ORDER BY seq "
                                    "LIMIT ?", (last, batch)).fetchall()
                if not rows:
                    return
                for seq, text in rows:
                    yield seq, decode(text)
                last = rows[-1][0]
        finally:
            conn.close()

    def max_seq(self) -> int:
        return self.db.conn.execute("SELECT coalesce(max(seq), 0) FROM papers").fetchone()[0]

    def count_papers(self) -> int:
        return self.db.conn.execute("SELECT count(*) FROM papers").fetchone()[0]

    def daily_entries_for(self, paper_id: str) -> list[DailyEntry]:
        rows = self.db.conn.execute(
            f"SELECT {', '.join(_DAILY_COLUMNS)} FROM daily_entries WHERE paper_id = ? "
            "ORDER BY date", (paper_id,))
        return [_daily_from_row(r) for r in rows]

    def list_daily(self, date_from: str, date_to: str, *, submitter: str | None = None,
                   sort: str = "upvotes", limit: int = 50, offset: int = 0,
                   ) -> list[tuple[DailyEntry, Paper]]:
        order = {"upvotes": f"d.upvotes + {_LOCAL_VOTES} DESC, d.date DESC, d.paper_id",
                 "date": "d.date DESC, d.submitted_at DESC, d.paper_id",
                 "published": "p.published DESC, d.paper_id"}.get(sort)
        if order is None:
            raise ValueError(f"unknown sort {sort!r}")
        cols = ", ".join(f"d.{c}" for c in _DAILY_COLUMNS)
        sql = (f"SELECT {cols}, p.data FROM daily_entries d JOIN papers p ON p.id = d.paper_id "
               "WHERE d.date BETWEEN ? AND ?")
        params: list[Any] = [date_from, date_to]
        if submitter:
            sql += " AND d.submitted_by = ?"
            params.append(submitter)
        sql += f" ORDER BY {order} LIMIT ? OFFSET ?"
        params += [limit, offset]
        n = len(_DAILY_COLUMNS)
        return [(_daily_from_row(r[:n]), paper_from_json(r[n]))
                for r in self.db.conn.execute(sql, params)]

    def daily_dates(self) -> list[str]:
        return [r[0] for r in self.db.conn.execute(
            "SELECT DISTINCT date FROM daily_entries ORDER BY date")]

    def stats(self) -> dict[str, Any]:
        c = self.db.conn
        papers, first, last = c.execute(
            "SELECT count(*), min(published), max(published) FROM papers").fetchone()
        # Counted inside SQLite (json1), not by decoding every paper in Python.
        versions = c.execute("SELECT coalesce(sum(max(json_array_length(data, '$.versions'), 1)),"
                             " 0) FROM papers").fetchone()[0]
        sources = dict(c.execute("SELECT s.value, count(*) FROM papers, json_each(papers.data, "
                                 "'$.sources') AS s GROUP BY s.value ORDER BY s.value"))
        daily, d_first, d_last, days = c.execute(
            "SELECT count(*), min(date), max(date), count(DISTINCT date) FROM daily_entries"
        ).fetchone()
        return {"papers": papers, "versions": versions, "sources": dict(sorted(sources.items())),
                "published_from": first, "published_to": last, "daily_entries": daily,
                "daily_days": days, "daily_from": d_first, "daily_to": d_last}

    def dump(self) -> list[tuple]:
        c = self.db.conn
        out: list[tuple] = [("paper", *r) for r in c.execute(
            "SELECT id, version, title, published, updated, primary_category, has_code, data "
            "FROM papers ORDER BY id")]
        out += [("category", *r) for r in c.execute(
            "SELECT category, paper_id FROM paper_categories ORDER BY category, paper_id")]
        out += [("daily", *r) for r in c.execute(
            f"SELECT {', '.join(_DAILY_COLUMNS)} FROM daily_entries ORDER BY date, paper_id")]
        out += [("checkpoint", *r) for r in c.execute("SELECT key, value FROM checkpoints ORDER BY key")]
        return out
