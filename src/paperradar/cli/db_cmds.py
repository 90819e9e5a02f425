"""``paperradar db status`` (backend, schema version, row counts) and ``paperradar db copy
SRC_URL DST_URL`` (every table, SQLite <-> PostgreSQL, resumable: run it again after an
interruption; ends by comparing the full dumps of both sides)."""

from __future__ import annotations

import json
import time

import typer

from paperradar.cli import common
from paperradar.cli.common import UserError

db_app = typer.Typer(no_args_is_help=True, add_completion=False,
                     help="The database: status, copy between SQLite and PostgreSQL.")


@db_app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="one JSON object")) -> None:
    """Backend, schema version and row counts of the configured database."""
    from paperradar.store import redact
    from paperradar.store.copy import row_counts

    settings = common.settings()
    with common.store_from_settings(settings) as store:
        info = {"backend": store.backend, "url": redact(settings.resolved_database_url),
                "schema": store.schema_version(), "rows": row_counts(store)}
    if as_json:
        common.out.print_json(json.dumps(info))
        return
    common.out.print(f"backend  {info['backend']}  ({info['url']})", highlight=False)
    common.out.print(f"schema   {info['schema']}", highlight=False)
    for table, n in info["rows"].items():
        common.out.print(f"{table:<18} {n:>10,}", highlight=False)


@db_app.command("copy")
def copy(src: str = typer.Argument(..., help="source URL (sqlite:///PATH or postgresql://...)"),
         dst: str = typer.Argument(..., help="destination URL (new, or a partial earlier copy)"),
         batch: int = typer.Option(5000, "--batch", min=1, help="rows per transaction"),
         ) -> None:
    """Copy everything from SRC to DST and prove it: both dumps must be equal."""
    from paperradar.store import open_store, redact
    from paperradar.store.copy import copy_database, full_dump

    if src == dst:
        raise UserError("source and destination are the same database")
    started = time.monotonic()
    with open_store(src) as a, open_store(dst) as b:
        if a.schema_version() != b.schema_version():
            raise UserError(f"schema versions differ ({a.schema_version()} vs "
                            f"{b.schema_version()}): upgrade paperradar on both")
        with common.progress() as bar:
            task = bar.add_task("copying", total=None)
            written = copy_database(a, b, batch=batch,
                                    progress=lambda t, n: bar.update(task, advance=n,
                                                                     description=t))
        if a.dump() != b.dump() or full_dump(a) != full_dump(b):
            raise UserError(f"{redact(dst)} differs from the source after the copy (it had "
                            "rows of its own?): copy into a new database")
    total = sum(written.values())
    common.out.print(f"copied {total:,} rows in {len(written)} tables in "
                     f"{time.monotonic() - started:.1f} s; the dumps are equal", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
