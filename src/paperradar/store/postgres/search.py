"""PostgreSQL search store: embeddings (bytes per model, shared by every node) and upvotes.

``eseq`` is a per-model change counter assigned in commit order, like the papers' ``seq``:
writers of one model hold a transaction advisory lock from reading the counter to commit.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from paperradar.store.base.search import StoredEmbedding
from paperradar.store.postgres.db import Database, xact_lock
from paperradar.store.postgres.papers import write_checkpoint

_COLS = "paper_id, key, text_hash, dim, dtype, vec, eseq"
EMBEDDINGS_SQL = (f"SELECT {_COLS} FROM embeddings WHERE model = %s "
                  "AND paper_id = ANY(%s::text[])")
_PUT = ("INSERT INTO embeddings (model, paper_id, key, text_hash, dim, dtype, vec, eseq) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (model, paper_id) DO UPDATE SET "
        "key = excluded.key, text_hash = excluded.text_hash, dim = excluded.dim, "
        "dtype = excluded.dtype, vec = excluded.vec, eseq = excluded.eseq")


def embedding_row(r) -> StoredEmbedding:
    return StoredEmbedding(r[0], r[1], r[2], r[3], r[4], bytes(r[5]), r[6])

UPVOTES_FOR_SQL = ("SELECT paper_id, max(upvotes) FROM daily_entries "
                   "WHERE paper_id = ANY(%s::text[]) GROUP BY paper_id")


class SearchMixin:
    db: Database

    def embedding_hashes(self, model: str, paper_ids: Sequence[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(paper_ids))
        return dict(self.db.rows("SELECT paper_id, text_hash FROM embeddings WHERE model = %s "
                                 "AND paper_id = ANY(%s::text[])", (model, ids))) if ids else {}

    def put_embeddings(self, model: str, rows: Sequence[StoredEmbedding],
                       checkpoint: tuple[str, str] | None = None) -> None:
        with self.db.transaction() as conn:
            xact_lock(conn, f"feed:embeddings:{model}")
            seq = conn.execute("SELECT coalesce(max(eseq), 0) FROM embeddings WHERE model = %s",
                               (model,)).fetchone()[0]
            last: dict[str, int] = {}
            for i, r in enumerate(rows):  # a paper twice in one batch: the last one wins
                last[r.paper_id] = i
            if last:
                conn.cursor().executemany(_PUT, [
                    (model, r.paper_id, r.key, r.text_hash, r.dim, r.dtype, r.vec, seq + i + 1)
                    for i, r in enumerate(rows) if last[r.paper_id] == i])
            if checkpoint is not None:
                write_checkpoint(conn, *checkpoint)

    def iter_embeddings(self, model: str, after_eseq: int = 0,
                        batch: int = 5000) -> Iterator[StoredEmbedding]:
        last = after_eseq
        while True:
            rows = self.db.rows(f"SELECT {_COLS} FROM embeddings WHERE model = %s AND eseq > %s "
                                "ORDER BY eseq LIMIT %s", (model, last, batch))
            if not rows:
                return
            for r in rows:
                yield embedding_row(r)
            last = rows[-1][6]

    def get_embeddings(self, model: str, paper_ids: Sequence[str]) -> dict[str, StoredEmbedding]:
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return {}
        return {r[0]: embedding_row(r) for r in self.db.rows(EMBEDDINGS_SQL, (model, ids))}

    def embedding_count(self, model: str) -> int:
        return self.db.value("SELECT count(*) FROM embeddings WHERE model = %s", (model,))

    def max_embedding_seq(self, model: str) -> int:
        return self.db.value("SELECT coalesce(max(eseq), 0) FROM embeddings WHERE model = %s",
                             (model,))

    def ids_for_keys(self, keys: Sequence[int]) -> dict[int, str]:
        ks = [int(k) for k in dict.fromkeys(keys) if -2 ** 63 <= int(k) < 2 ** 63]
        if not ks:
            return {}
        return dict(self.db.rows("SELECT key, paper_id FROM embeddings WHERE key = ANY(%s::bigint[])", (ks,)))

    def upvotes_for(self, paper_ids: Sequence[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return {}
        return dict(self.db.rows(UPVOTES_FOR_SQL, (ids,)))
