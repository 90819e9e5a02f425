"""SQLite implementation of the enrichment store (``store.base.enrich``)."""

from __future__ import annotations

import json
from typing import Sequence

from paperradar.store.base.enrich import Enrichment
from paperradar.store.sqlite.db import Database
from paperradar.store.sqlite.papers import _LOCAL_VOTES

_CHUNK = 500


class EnrichMixin:
    db: Database

    def _in_chunks(self, ids: Sequence[str], sql: str) -> list[tuple]:
        ids = list(dict.fromkeys(ids))
        out: list[tuple] = []
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            out += self.db.conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)
        return out

    def enrichment_hashes(self, paper_ids: Sequence[str]) -> dict[str, str]:
        return dict(self._in_chunks(paper_ids, "SELECT paper_id, text_hash FROM "
                                    "paper_enrichment WHERE paper_id IN ({marks})"))

    def put_enrichments(self, rows: Sequence[Enrichment],
                        checkpoint: tuple[str, str] | None = None) -> None:
        with self.db.transaction() as conn:
            for r in rows:
                conn.execute("DELETE FROM paper_keyphrases WHERE paper_id = ?", (r.paper_id,))
                conn.execute("DELETE FROM paper_authors WHERE paper_id = ?", (r.paper_id,))
            conn.executemany(
                "INSERT INTO paper_enrichment (paper_id, text_hash, keyphrases, summary) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (paper_id) DO UPDATE SET "
                "text_hash = excluded.text_hash, keyphrases = excluded.keyphrases, "
                "summary = excluded.summary",
                [(r.paper_id, r.text_hash, json.dumps(r.keyphrases, ensure_ascii=False),
                  r.summary) for r in rows])
            conn.executemany(
                "INSERT OR IGNORE INTO paper_keyphrases (phrase, paper_id, rank) VALUES (?, ?, ?)",
                [(t, r.paper_id, i) for r in rows for i, t in enumerate(r.topics) if t])
            conn.executemany(
                "INSERT OR IGNORE INTO paper_authors (name_key, paper_id, position, name, "
                "published) VALUES (?, ?, ?, ?, ?)",
                [(k, r.paper_id, i, name, r.published)
                 for r in rows for i, (k, name) in enumerate(r.authors) if k])
            if checkpoint is not None:
                conn.execute("INSERT INTO checkpoints (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value", checkpoint)

    def get_enrichments(self, paper_ids: Sequence[str]) -> dict[str, Enrichment]:
        rows = self._in_chunks(paper_ids, "SELECT paper_id, text_hash, keyphrases, summary "
                               "FROM paper_enrichment WHERE paper_id IN ({marks})")
        return {r[0]: Enrichment(r[0], r[1], json.loads(r[2]), r[3]) for r in rows}

    def topic_paper_ids(self, topic: str, *, limit: int, offset: int = 0) -> list[str]:
        votes = ("coalesce((SELECT max(d.upvotes) FROM daily_entries d "
                 "WHERE d.paper_id = k.paper_id), 0) + " + _LOCAL_VOTES.replace("d.paper_id",
                                                                               "k.paper_id"))
        return [r[0] for r in self.db.conn.execute(
            "SELECT k.paper_id FROM paper_keyphrases k JOIN papers p ON p.id = k.paper_id "
            f"WHERE k.phrase = ? ORDER BY {votes} DESC, p.published DESC, p.id DESC "
            "LIMIT ? OFFSET ?", (topic, limit, offset))]

    def count_topic(self, topic: str) -> int:
        return self.db.conn.execute("SELECT count(*) FROM paper_keyphrases WHERE phrase = ?",
                                    (topic,)).fetchone()[0]

    def author_paper_ids(self, name_key: str, *, limit: int, offset: int = 0) -> list[str]:
        return [r[0] for r in self.db.conn.execute(
            "SELECT paper_id FROM paper_authors WHERE name_key = ? "
            "ORDER BY published DESC, paper_id DESC LIMIT ? OFFSET ?", (name_key, limit, offset))]

    def count_author_papers(self, name_key: str) -> int:
        return self.db.conn.execute("SELECT count(*) FROM paper_authors WHERE name_key = ?",
                                    (name_key,)).fetchone()[0]

    def author_names(self, name_key: str) -> list[str]:
        return [r[0] for r in self.db.conn.execute(
            "SELECT name FROM paper_authors WHERE name_key = ? GROUP BY name "
            "ORDER BY count(*) DESC, name LIMIT 5", (name_key,))]

    def coauthors(self, name_key: str, limit: int = 10) -> list[tuple[str, str, int]]:
        return [tuple(r) for r in self.db.conn.execute(
            "SELECT b.name_key, min(b.name), count(*) AS n FROM paper_authors a "
            "JOIN paper_authors b ON b.paper_id = a.paper_id AND b.name_key != a.name_key "
            "WHERE a.name_key = ? GROUP BY b.name_key ORDER BY n DESC, b.name_key LIMIT ?",
            (name_key, limit))]

    def author_categories(self, name_key: str, limit: int = 10) -> list[tuple[str, int]]:
        return [tuple(r) for r in self.db.conn.execute(
            "SELECT c.category, count(*) AS n FROM paper_authors a "
            "JOIN paper_categories c ON c.paper_id = a.paper_id WHERE a.name_key = ? "
            "GROUP BY c.category ORDER BY n DESC, c.category LIMIT ?", (name_key, limit))]

    def daily_rank(self, paper_id: str) -> tuple[str, int] | None:
        """(date, rank) of the paper on its latest daily list, ranked as the list is sorted
        (imported plus local upvotes, then id)."""
        other = _LOCAL_VOTES.replace("d.paper_id", "o.paper_id")
        row = self.db.conn.execute(
            f"SELECT d.date, d.upvotes + {_LOCAL_VOTES} FROM daily_entries d "
            "WHERE d.paper_id = ? ORDER BY d.date DESC LIMIT 1", (paper_id,)).fetchone()
        if row is None:
            return None
        ahead = self.db.conn.execute(
            f"SELECT count(*) FROM daily_entries o WHERE o.date = ?1 AND o.paper_id != ?2 AND "
            f"(o.upvotes + {other} > ?3 OR (o.upvotes + {other} = ?3 AND o.paper_id < ?2))",
            (row[0], paper_id, row[1])).fetchone()[0]
        return row[0], ahead + 1
