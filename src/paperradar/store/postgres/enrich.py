"""PostgreSQL implementation of the enrichment store (``store.base.enrich``), the twin of
``store.sqlite.enrich``: the same rows, the same orders (NULL dates last, as SQLite sorts
them), read with one query per call (``= ANY(array)``, never one per paper).

A batch is written in one transaction: the enrichment rows are upserted first, in paper
order, so the row locks they take make two writers of the same papers queue (and never
deadlock); then the papers' keyphrase and author rows are replaced with one ``DELETE`` each
and one ``COPY`` each (deduplicated here, first occurrence kept, as SQLite's ``INSERT OR
IGNORE`` does).
"""

from __future__ import annotations

import json
from typing import Sequence

from paperradar.store.base.enrich import Enrichment
from paperradar.store.postgres.db import Database
from paperradar.store.postgres.papers import LOCAL_VOTES, write_checkpoint

_UPSERT = ("INSERT INTO paper_enrichment (paper_id, text_hash, keyphrases, summary) "
           "VALUES (%s, %s, %s, %s) ON CONFLICT (paper_id) DO UPDATE SET "
           "text_hash = excluded.text_hash, keyphrases = excluded.keyphrases, "
           "summary = excluded.summary")
ENRICHMENTS_SQL = ("SELECT paper_id, text_hash, keyphrases, summary FROM "
                   "paper_enrichment WHERE paper_id = ANY(%s::text[])")
_TOPIC_VOTES = ("coalesce((SELECT max(d.upvotes) FROM daily_entries d "
                "WHERE d.paper_id = k.paper_id), 0) + "
                + LOCAL_VOTES.replace("d.paper_id", "k.paper_id"))
_OTHER_VOTES = "o.upvotes + " + LOCAL_VOTES.replace("d.paper_id", "o.paper_id")
DAILY_RANK_SQL = f"""
WITH me AS (
    SELECT d.date, d.upvotes + {LOCAL_VOTES} AS score FROM daily_entries d
    WHERE d.paper_id = %(id)s ORDER BY d.date DESC LIMIT 1)
SELECT me.date, 1 + (SELECT count(*) FROM daily_entries o
                     WHERE o.date = me.date AND o.paper_id <> %(id)s
                       AND ({_OTHER_VOTES} > me.score
                            OR ({_OTHER_VOTES} = me.score AND o.paper_id < %(id)s)))
FROM me
"""


def enrichment_row(r) -> Enrichment:
    return Enrichment(r[0], r[1], json.loads(r[2]), r[3])


def _ids(paper_ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(paper_ids))


def _child_rows(rows: Sequence[Enrichment]) -> tuple[list[tuple], list[tuple]]:
    """Keyphrase and author rows of ``rows``, one per key, the first one kept."""
    topics: dict[tuple[str, str], int] = {}
    authors: dict[tuple[str, str], tuple] = {}
    for r in rows:
        for i, t in enumerate(r.topics):
            if t:
                topics.setdefault((t, r.paper_id), i)
        for i, (key, name) in enumerate(r.authors):
            if key:
                authors.setdefault((key, r.paper_id), (i, name, r.published))
    return ([(t, pid, i) for (t, pid), i in topics.items()],
            [(k, pid, *rest) for (k, pid), rest in authors.items()])


class EnrichMixin:
    db: Database

    def enrichment_hashes(self, paper_ids: Sequence[str]) -> dict[str, str]:
        ids = _ids(paper_ids)
        if not ids:
            return {}
        return dict(self.db.rows("SELECT paper_id, text_hash FROM paper_enrichment "
                                 "WHERE paper_id = ANY(%s::text[])", (ids,)))

    def put_enrichments(self, rows: Sequence[Enrichment],
                        checkpoint: tuple[str, str] | None = None) -> None:
        ordered = sorted(rows, key=lambda r: r.paper_id)  # stable: a repeated paper's last wins
        ids = _ids(r.paper_id for r in ordered)
        topics, authors = _child_rows(rows)
        with self.db.transaction() as conn:
            cur = conn.cursor()
            if ordered:
                cur.executemany(_UPSERT, [
                    (r.paper_id, r.text_hash, json.dumps(r.keyphrases, ensure_ascii=False),
                     r.summary) for r in ordered])
                cur.execute("DELETE FROM paper_keyphrases WHERE paper_id = ANY(%s::text[])",
                            (ids,))
                cur.execute("DELETE FROM paper_authors WHERE paper_id = ANY(%s::text[])",
                            (ids,))
            for sql, data in (
                    ("COPY paper_keyphrases (phrase, paper_id, rank) FROM STDIN", topics),
                    ("COPY paper_authors (name_key, paper_id, position, name, published) "
                     "FROM STDIN", authors)):
                if data:
                    with cur.copy(sql) as copy:
                        for row in data:
                            copy.write_row(row)
            if checkpoint is not None:
                write_checkpoint(conn, *checkpoint)

    def get_enrichments(self, paper_ids: Sequence[str]) -> dict[str, Enrichment]:
        ids = _ids(paper_ids)
        if not ids:
            return {}
        return {r[0]: enrichment_row(r) for r in self.db.rows(ENRICHMENTS_SQL, (ids,))}

    def topic_paper_ids(self, topic: str, *, limit: int, offset: int = 0) -> list[str]:
        return [r[0] for r in self.db.rows(
            "SELECT k.paper_id FROM paper_keyphrases k JOIN papers p ON p.id = k.paper_id "
            f"WHERE k.phrase = %s ORDER BY {_TOPIC_VOTES} DESC, p.published DESC NULLS LAST, "
            "p.id DESC LIMIT %s OFFSET %s", (topic, limit, offset))]

    def count_topic(self, topic: str) -> int:
        return self.db.value("SELECT count(*) FROM paper_keyphrases WHERE phrase = %s",
                             (topic,))

    def author_paper_ids(self, name_key: str, *, limit: int, offset: int = 0) -> list[str]:
        return [r[0] for r in self.db.rows(
            "SELECT paper_id FROM paper_authors WHERE name_key = %s "
            "ORDER BY published DESC NULLS LAST, paper_id DESC LIMIT %s OFFSET %s",
            (name_key, limit, offset))]

    def count_author_papers(self, name_key: str) -> int:
        return self.db.value("SELECT count(*) FROM paper_authors WHERE name_key = %s",
                             (name_key,))

    def author_names(self, name_key: str) -> list[str]:
        return [r[0] for r in self.db.rows(
            "SELECT name FROM paper_authors WHERE name_key = %s GROUP BY name "
            "ORDER BY count(*) DESC, name LIMIT 5", (name_key,))]

    def coauthors(self, name_key: str, limit: int = 10) -> list[tuple[str, str, int]]:
        return [tuple(r) for r in self.db.rows(
            "SELECT b.name_key, min(b.name), count(*) AS n FROM paper_authors a "
            "JOIN paper_authors b ON b.paper_id = a.paper_id AND b.name_key <> a.name_key "
            "WHERE a.name_key = %s GROUP BY b.name_key ORDER BY n DESC, b.name_key LIMIT %s",
            (name_key, limit))]

    def author_categories(self, name_key: str, limit: int = 10) -> list[tuple[str, int]]:
        return [tuple(r) for r in self.db.rows(
            "SELECT c.category, count(*) AS n FROM paper_authors a "
            "JOIN paper_categories c ON c.paper_id = a.paper_id WHERE a.name_key = %s "
            "GROUP BY c.category ORDER BY n DESC, c.category LIMIT %s", (name_key, limit))]

    def daily_rank(self, paper_id: str) -> tuple[str, int] | None:
        """(date, rank) of the paper on its latest daily list, ranked as the list is sorted
        (imported plus local upvotes, then id), in one round trip."""
        row = self.db.one(DAILY_RANK_SQL, {"id": paper_id})
        return (row[0], row[1]) if row else None
