"""CLI command of the recommendation area: ``paperradar recommend --library FILE``.

The library (BibTeX, RIS, Zotero CSV, or arXiv ids / URLs one per line) is matched against the
store; papers not stored yet are listed, and fetched from the arXiv API with ``--fetch``. The
period defaults to the last 7 days; rankings come from ``rank.foryou`` (the same code as the
"For you" page, the API and the digests).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from paperradar.cli import common
from paperradar.cli.common import UserError


def _day(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise UserError(f"{option} must be a date YYYY-MM-DD, got {value!r}") from exc


def _read(path: Path) -> bytes:
    from paperradar.ingest.library import MAX_BYTES

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UserError(f"{path}: {size:,} bytes; a library may be at most {MAX_BYTES:,}")
        return path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _fetch(settings, store, ids: list[str]) -> None:
    from paperradar.ingest.errors import IngestError
    from paperradar.ingest.harvest_api import harvest_ids
    from paperradar.ingest.http import PoliteClient

    try:
        with PoliteClient(settings) as client:
            report = harvest_ids(store, client, settings.arxiv_api_url, ids)
    except (IngestError, ValueError) as exc:
        raise UserError(f"fetching the missing papers failed: {exc}") from exc
    common.console.print(f"fetched: {report.summary()}", highlight=False, soft_wrap=True)


def recommend(library: Path = typer.Option(..., "--library", help="BibTeX, RIS, Zotero CSV "
                                           "or a text file of arXiv ids / URLs"),
              since: Optional[str] = typer.Option(None, "--since", help="first day (YYYY-MM-DD)"),
              until: Optional[str] = typer.Option(None, "--until", help="last day (YYYY-MM-DD)"),
              limit: int = typer.Option(20, "--limit", min=1, max=200),
              fetch: bool = typer.Option(False, "--fetch", help="fetch library papers that are "
                                         "not stored yet from the arXiv API"),
              as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Recommend papers of a period from a library file."""
    from paperradar.ingest.library import LibraryError, parse_library
    from paperradar.ingest.library_import import match_library
    from paperradar.rank.foryou import positives_from_ids, recommend_for

    until_d = _day(until, "--until") or date.today().isoformat()
    since_d = _day(since, "--since") or (date.fromisoformat(until_d) - timedelta(days=6)).isoformat()
    if since_d > until_d:
        raise UserError("--since is after --until")
    try:
        lib = parse_library(_read(library), library.name)
    except LibraryError as exc:
        raise UserError(f"{library}: {exc}") from exc
    settings = common.settings()
    with common.store_from_settings(settings) as store:
        report = match_library(store, lib)
        if report.missing_ids and fetch:
            _fetch(settings, store, report.missing_ids)
            report = match_library(store, lib)
        positives = positives_from_ids(store, settings, report.found_ids, "your library has")
        result = recommend_for(store, settings, positives, since=since_d, until=until_d,
                               limit=limit, unknown=report.missing_ids)
    if as_json:
        print(json.dumps(_json(result, report), ensure_ascii=False))
        return
    _print(result, report, fetch)


def _json(result, report) -> dict:
    return {"since": result.since, "until": result.until, "mode": result.mode,
            "note": result.note, "library": {
                "format": report.format, "found": report.found_ids,
                "missing": report.missing_ids, "left_out": report.left_out,
                "unusable": [{"entry": e.number, "title": e.title, "problem": e.problem}
                             for e in report.unusable]},
            "items": [{"id": i.paper.id, "title": i.paper.title, "score": i.score,
                       "reasons": [r.sentence() for r in i.reasons]} for i in result.items]}


def _print(result, report, fetched: bool) -> None:
    err = common.console
    err.print(f"library ({report.format}): {report.summary()}", highlight=False, soft_wrap=True)
    if report.missing_ids and not fetched:
        more = " ..." if len(report.missing_ids) > 20 else ""
        err.print(f"not stored (use --fetch): {', '.join(report.missing_ids[:20])}{more}",
                  highlight=False, soft_wrap=True)
    for e in report.unusable[:10]:
        err.print(f"  entry {e.number} ({escape(e.label)}): {e.problem}", highlight=False)
    if result.note:
        err.print(result.note, highlight=False)
    for n, item in enumerate(result.items, 1):
        common.out.print(f"{n:3d}. [bold]{escape(' '.join(item.paper.title.split()))}[/]  "
                         f"({escape(item.paper.id)}, score {item.score:.3f})", highlight=False)
        for r in item.reasons[:1]:
            common.out.print(f"     {escape(r.sentence())}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("recommend")(recommend)
