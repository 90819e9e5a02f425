"""The ``paperradar`` command line. Each area registers its commands from its own module."""

from __future__ import annotations

import json
import sys

import typer

from paperradar.cli import common
from paperradar.cli.common import UserError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="paperradar: self-hostable research-paper discovery.")


@app.callback()
def _root() -> None:
    """paperradar: self-hostable research-paper discovery."""


@app.command()
def stats(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """First look at a database: papers, versions, sources, date range, daily entries."""
    with common.store_from_settings() as store:
        st = store.stats()
    if as_json:
        common.out.print_json(json.dumps(st))
        return
    common.out.print(f"papers          {st['papers']:,}")
    common.out.print(f"versions        {st['versions']:,}")
    common.out.print("sources         " + (", ".join(f"{k} {v:,}" for k, v in st["sources"].items()) or "-"))
    common.out.print(f"published       {st['published_from'] or '-'} .. {st['published_to'] or '-'}")
    common.out.print(f"daily entries   {st['daily_entries']:,} on {st['daily_days']:,} days "
                     f"({st['daily_from'] or '-'} .. {st['daily_to'] or '-'})")


def _register_areas() -> None:
    from paperradar.cli import (db_cmds, harvest_cmds, ingest_cmds, notify_cmds, search_cmds,
                                user_cmds, web_cmds)

    for module in (ingest_cmds, harvest_cmds, search_cmds, web_cmds, user_cmds, notify_cmds,
                   db_cmds):
        module.register(app)


def main(argv: list[str] | None = None) -> None:
    _register_areas()
    try:
        app(args=argv, standalone_mode=True)
    except UserError as exc:
        common.fail(str(exc))
    except KeyboardInterrupt:
        common.fail("interrupted", code=130)
    except Exception as exc:  # store or settings problems surface as one line
        from paperradar.store import StoreError

        if isinstance(exc, (StoreError, OSError)) or type(exc).__name__ in (
                "DatabaseError", "OperationalError"):  # sqlite3 and psycopg: the server is away
            common.fail(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
        if type(exc).__module__.startswith(("psycopg.", "psycopg_pool")):
            common.fail(f"database error: {str(exc).strip().splitlines()[0]}")
        raise


if __name__ == "__main__":
    main(sys.argv[1:])
