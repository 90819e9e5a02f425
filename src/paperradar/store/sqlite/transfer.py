"""SQLite side of ``store.copy``: table columns, keyset-batched reads, upserting writes,
row counts and the schema version (table names come from ``store.copy.TABLES`` only)."""

from __future__ import annotations

from typing import Sequence

from paperradar.store.sqlite.db import Database


class TransferMixin:
    db: Database
    backend = "sqlite"

    def table_columns(self, table: str) -> list[str]:
        return [r[1] for r in self.db.conn.execute(f"PRAGMA table_info({table})")]

    def read_batch(self, table: str, cols: Sequence[str], key: Sequence[str],
                   after: tuple | None, limit: int) -> list[tuple]:
        where = ""
        params: list = []
        if after is not None:
            where = f"WHERE ({', '.join(key)}) > ({', '.join('?' * len(key))})"
            params = list(after)
        return self.db.conn.execute(
            f"SELECT {', '.join(cols)} FROM {table} {where} ORDER BY {', '.join(key)} LIMIT ?",
            (*params, limit)).fetchall()

    def write_batch(self, table: str, cols: Sequence[str], key: Sequence[str],
                    rows: Sequence[tuple]) -> None:
        rest = [c for c in cols if c not in key]
        action = (f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in rest)}" if rest
                  else "DO NOTHING")
        sql = (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
               f"ON CONFLICT ({', '.join(key)}) {action}")
        with self.db.transaction() as conn:
            conn.executemany(sql, rows)

    def after_copy(self) -> None:
        """Nothing to do: SQLite's rowids follow the largest id."""

    def count_rows(self, table: str) -> int:
        return self.db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def schema_version(self) -> str:
        row = self.db.conn.execute("SELECT max(name) FROM schema_migrations").fetchone()
        return row[0] or ""
