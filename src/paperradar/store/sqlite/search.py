"""SQLite implementation of the search store: embeddings (blobs per model) and upvotes."""

from __future__ import annotations

from typing import Iterator, Sequence

from paperradar.store.base.search import StoredEmbedding
from paperradar.store.sqlite.db import Database

_CHUNK = 500
_COLS = "paper_id, key, text_hash, dim, dtype, vec, eseq"


def _row(r) -> StoredEmbedding:
    return StoredEmbedding(r[0], r[1], r[2], r[3], r[4], bytes(r[5]), r[6])


class SearchMixin:
    db: Database

    def _chunks(self, items: Sequence, sql: str, params: tuple = ()) -> Iterator[tuple]:
        items = list(dict.fromkeys(items))
        for i in range(0, len(items), _CHUNK):
            chunk = items[i:i + _CHUNK]
            yield from self.db.conn.execute(sql.format(marks=",".join("?" * len(chunk))),
                                            (*params, *chunk))

    def embedding_hashes(self, model: str, paper_ids: Sequence[str]) -> dict[str, str]:
        return dict(self._chunks(paper_ids, "SELECT paper_id, text_hash FROM embeddings "
                                 "WHERE model = ? AND paper_id IN ({marks})", (model,)))

    def put_embeddings(self, model: str, rows: Sequence[StoredEmbedding],
                       checkpoint: tuple[str, str] | None = None) -> None:
        with self.db.transaction() as conn:
            seq = conn.execute("SELECT coalesce(max(eseq), 0) FROM embeddings WHERE model = ?",
                               (model,)).fetchone()[0]
            conn.executemany(
                "INSERT INTO embeddings (model, paper_id, key, text_hash, dim, dtype, vec, eseq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (model, paper_id) DO UPDATE SET "
                "key = excluded.key, text_hash = excluded.text_hash, dim = excluded.dim, "
                "dtype = excluded.dtype, vec = excluded.vec, eseq = excluded.eseq",
                [(model, r.paper_id, r.key, r.text_hash, r.dim, r.dtype, r.vec, seq + i + 1)
                 for i, r in enumerate(rows)])
            if checkpoint is not None:
                conn.execute("INSERT INTO checkpoints (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value", checkpoint)

    def iter_embeddings(self, model: str, after_eseq: int = 0,
                        batch: int = 5000) -> Iterator[StoredEmbedding]:
        last = after_eseq
        while True:
            rows = self.db.conn.execute(
                f"SELECT {_COLS} FROM embeddings WHERE model = ? AND eseq > ? "
                "ORDER BY eseq LIMIT ?", (model, last, batch)).fetchall()
            if not rows:
                return
            for r in rows:
                yield _row(r)
            last = rows[-1][6]

    def get_embeddings(self, model: str, paper_ids: Sequence[str]) -> dict[str, StoredEmbedding]:
        return {r[0]: _row(r) for r in self._chunks(
            paper_ids, f"SELECT {_COLS} FROM embeddings WHERE model = ? "
            "AND paper_id IN ({marks})", (model,))}

    def embedding_count(self, model: str) -> int:
        return self.db.conn.execute("SELECT count(*) FROM embeddings WHERE model = ?",
                                    (model,)).fetchone()[0]

    def max_embedding_seq(self, model: str) -> int:
        return self.db.conn.execute("SELECT coalesce(max(eseq), 0) FROM embeddings "
                                    "WHERE model = ?", (model,)).fetchone()[0]

    def ids_for_keys(self, keys: Sequence[int]) -> dict[int, str]:
        return dict(self._chunks([int(k) for k in keys],
                                 "SELECT key, paper_id FROM embeddings WHERE key IN ({marks})"))

    def upvotes_for(self, paper_ids: Sequence[str]) -> dict[str, int]:
        return dict(self._chunks(paper_ids, "SELECT paper_id, max(upvotes) FROM daily_entries "
                                 "WHERE paper_id IN ({marks}) GROUP BY paper_id"))
