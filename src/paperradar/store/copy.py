"""Moving a deployment between backends: copy every table from one store to another
(SQLite <-> PostgreSQL), in key order and in batches (bounded memory), each batch an
upsert on the destination, so an interrupted copy run again converges to the source.
``full_dump`` is the proof: every row of every copied table, normalised, in key order.

Not copied: ``rate_events`` and ``mail_rate`` (rate-limit windows of the last minutes,
rebuilt by use) and ``schema_migrations`` (each side records its own).
"""

from __future__ import annotations

from typing import Any, Callable

from paperradar.store.base import Store
from paperradar.store.errors import StoreError

# Parents before children (foreign keys); each with the columns of its primary/unique key.
TABLES: list[tuple[str, tuple[str, ...]]] = [
    ("papers", ("id",)),
    ("paper_categories", ("category", "paper_id")),
    ("daily_entries", ("date", "paper_id")),
    ("checkpoints", ("key",)),
    ("embeddings", ("model", "paper_id")),
    ("users", ("id",)),
    ("sessions", ("id_hash",)),
    ("api_tokens", ("id",)),
    ("email_tokens", ("token_hash",)),
    ("votes", ("user_id", "paper_id")),
    ("comments", ("id",)),
    ("submissions", ("paper_id",)),
    ("collections", ("id",)),
    ("collection_items", ("collection_id", "paper_id")),
    ("dismissals", ("user_id", "paper_id")),
    ("subscribers", ("id",)),
    ("subscriber_tokens", ("token_hash",)),
    ("digest_deliveries", ("subscriber_id", "period")),
    ("mail_addresses", ("email",)),
    ("mail_log", ("id",)),
    ("paper_enrichment", ("paper_id",)),  # enrichment (migration 0012)
    ("paper_keyphrases", ("phrase", "paper_id")),
    ("paper_authors", ("name_key", "paper_id")),
    ("author_claims", ("user_id", "paper_id")),
]


def _norm(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value


def copy_database(src: Store, dst: Store, batch: int = 5000,
                  progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy every table of ``src`` into ``dst``; returns rows written per table."""
    written: dict[str, int] = {}
    for table, key in TABLES:
        cols = src.table_columns(table)  # type: ignore[attr-defined]
        other = dst.table_columns(table)  # type: ignore[attr-defined]
        if set(cols) != set(other):
            raise StoreError(f"table {table} differs between the two schemas "
                             f"({sorted(set(cols) ^ set(other))}); migrate both to one version")
        idx = [cols.index(k) for k in key]
        after: tuple | None = None
        written[table] = 0
        while True:
            rows = src.read_batch(table, cols, key, after, batch)  # type: ignore[attr-defined]
            if not rows:
                break
            dst.write_batch(table, cols, key, rows)  # type: ignore[attr-defined]
            written[table] += len(rows)
            after = tuple(rows[-1][i] for i in idx)
            if progress:
                progress(table, len(rows))
    dst.after_copy()  # type: ignore[attr-defined]
    return written


def full_dump(store: Store, batch: int = 5000) -> list[tuple]:
    """Every row of every copied table (booleans as 0/1), sorted by key: equal dumps mean
    equal deployments, whatever the backend."""
    out: list[tuple] = []
    for table, key in TABLES:
        cols = sorted(store.table_columns(table))  # type: ignore[attr-defined]
        rows: list[tuple] = []
        after = None
        while True:
            chunk = store.read_batch(table, cols, key, after, batch)  # type: ignore[attr-defined]
            if not chunk:
                break
            rows += [tuple(_norm(v) for v in r) for r in chunk]
            after = tuple(chunk[-1][cols.index(k)] for k in key)
        idx = [cols.index(k) for k in key]
        rows.sort(key=lambda r: tuple(r[i] for i in idx))
        out += [(table, *r) for r in rows]
    return out


def row_counts(store: Store) -> dict[str, int]:
    return {table: store.count_rows(table) for table, _ in TABLES}  # type: ignore[attr-defined]
