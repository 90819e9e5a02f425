"""PostgreSQL side of ``store.copy``: table columns, keyset-batched reads, pipelined
upserting writes (0/1 from SQLite become booleans), identity counters moved past the copied
ids, row counts and the schema version (table names come from ``store.copy.TABLES``)."""

from __future__ import annotations

from typing import Sequence

from paperradar.store.postgres.db import Database

# Unique keys that are expressions here (case-insensitive emails: SQLite's NOCASE).
_CONFLICT = {"mail_addresses": "(lower(email))"}
_IDENTITY_TABLES = ("users", "api_tokens", "comments", "collections", "subscribers", "mail_log")


class TransferMixin:
    db: Database

    def _types(self, table: str) -> dict[str, str]:
        return dict(self.db.rows("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_schema = current_schema() AND table_name = %s "
                                 "ORDER BY ordinal_position", (table,)))

    def table_columns(self, table: str) -> list[str]:
        return list(self._types(table))

    def read_batch(self, table: str, cols: Sequence[str], key: Sequence[str],
                   after: tuple | None, limit: int) -> list[tuple]:
        where, params = "", []
        if after is not None:
            where = f"WHERE ({', '.join(key)}) > ({', '.join(['%s'] * len(key))})"
            params = list(after)
        rows = self.db.rows(f"SELECT {', '.join(cols)} FROM {table} {where} "
                            f"ORDER BY {', '.join(key)} LIMIT %s", (*params, limit))
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]

    def write_batch(self, table: str, cols: Sequence[str], key: Sequence[str],
                    rows: Sequence[tuple]) -> None:
        types = self._types(table)
        flags = [types[c] == "boolean" for c in cols]
        fixed = [tuple(bool(v) if f and v is not None else v for v, f in zip(r, flags))
                 for r in rows]
        rest = [c for c in cols if c not in key]
        action = (f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in rest)}" if rest
                  else "DO NOTHING")
        sql = (f"INSERT INTO {table} ({', '.join(cols)}) "
               f"VALUES ({', '.join(['%s'] * len(cols))}) "
               f"ON CONFLICT ({_CONFLICT.get(table, ', '.join(key))}) {action}")
        with self.db.transaction() as conn:
            conn.cursor().executemany(sql, fixed)

    def after_copy(self) -> None:
        with self.db.transaction() as conn:
            for table in _IDENTITY_TABLES:
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"coalesce(max(id), 0) + 1, false) FROM {table}")

    def count_rows(self, table: str) -> int:
        return self.db.value(f"SELECT count(*) FROM {table}")

    def schema_version(self) -> str:
        return self.db.value("SELECT max(name) FROM schema_migrations") or ""
