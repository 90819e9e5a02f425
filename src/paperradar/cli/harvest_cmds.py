"""CLI commands of the harvest area: ``paperradar harvest oai|api|new`` (arXiv OAI-PMH, Atom
API, daily listing feeds). Registered by ``paperradar.cli``.

Each command shows a progress bar, ends with a one-line summary on stdout, and turns every
expected failure (bad option, HTTP failure after retries, OAI or API error) into one red
line and exit code 2.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, List, Optional

import typer

from paperradar.cli import common
from paperradar.cli.common import UserError
from paperradar.ingest.errors import IngestError

harvest_app = typer.Typer(no_args_is_help=True, add_completion=False,
                          help="Harvest papers from arXiv (OAI-PMH, Atom API, listing feeds).")


@contextmanager
def _session() -> Iterator[tuple]:
    """Settings, store and polite HTTP client, closed afterwards; errors become one line.
    Holds the database's single-runner "harvest" lock (a second harvest says so and skips)."""
    from paperradar.ingest.http import PoliteClient

    settings = common.settings()
    try:
        with common.store_from_settings(settings) as store, store.job_lock("harvest") as held:
            if not held:  # several workers: one harvest at a time on one database
                common.console.print("another harvest is running on this database; "
                                     "this one is skipped", highlight=False)
                raise SystemExit(0)
            with PoliteClient(settings) as client:
                yield settings, store, client
    except (IngestError, ValueError) as exc:
        raise UserError(str(exc)) from exc


@harvest_app.command("oai")
def oai(
    set_: Optional[str] = typer.Option(None, "--set", help="OAI set, e.g. cs, math, physics:hep-th"),
    from_: Optional[str] = typer.Option(None, "--from", help="first datestamp, YYYY-MM-DD"),
    until: Optional[str] = typer.Option(None, "--until", help="last datestamp, YYYY-MM-DD"),
    prefix: str = typer.Option("arXiv", "--prefix", help="metadata format: arXiv or arXivRaw"),
    again: bool = typer.Option(False, "--again", help="harvest again even if already complete"),
) -> None:
    """OAI-PMH ListRecords, following resumption tokens; resumes where a killed run stopped."""
    from paperradar.ingest.harvest_oai import OaiRequest, harvest_oai

    request = OaiRequest(set=set_, from_=from_, until=until, prefix=prefix)
    try:
        request.validate()
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    with _session() as (settings, store, client), common.progress() as bar:
        task = bar.add_task("OAI-PMH pages", total=None)

        def on_page(report) -> None:
            done = report.position if report.position is not None else report.stats.seen
            bar.update(task, completed=done, total=report.complete_list_size,
                       description=f"OAI-PMH page {report.pages}")

        report = harvest_oai(store, client, settings.arxiv_oai_url, request, again=again,
                             on_page=on_page)
    common.out.print(report.summary(), highlight=False, soft_wrap=True)


@harvest_app.command("api")
def api(
    ids: Optional[List[str]] = typer.Option(None, "--id", help="arXiv id (repeatable)"),
    query: Optional[str] = typer.Option(None, "--query", help="search, e.g. 'cat:cs.LG AND ti:diffusion'"),
    max_results: Optional[int] = typer.Option(None, "--max", help="stop after N papers (query)"),
    page_size: int = typer.Option(100, "--page-size", help="results (or ids) per request"),
    sort: str = typer.Option("relevance", "--sort", help="relevance, lastUpdatedDate, submittedDate"),
    restart: bool = typer.Option(False, "--restart",
                                 help="query: start from the top, ignoring where a killed run stopped"),
) -> None:
    """The arXiv Atom API: papers by id, or every result of a query, page by page (a query
    killed mid-way resumes where it stopped when run again with the same options)."""
    from paperradar.ingest.harvest_api import ApiOptions, harvest_ids, harvest_query

    if bool(ids) == bool(query):
        raise UserError("give either --id (one or more) or --query")
    if restart and ids:
        raise UserError("--restart applies to --query only (an --id harvest has nothing to resume)")
    opts = ApiOptions(page_size=page_size, sort=sort)
    try:
        opts.validate()
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    ids = [part for raw in ids or [] for part in raw.replace(",", " ").split()]
    with _session() as (settings, store, client), common.progress() as bar:
        task = bar.add_task("arXiv API", total=max_results or (len(ids) if ids else None))

        def on_page(report) -> None:
            if ids:
                bar.update(task, completed=report.stats.seen, total=len(ids))
            else:  # papers of this pass, also those stored before a resume
                bar.update(task, completed=report.stored, total=max_results or report.total_results)

        if ids:
            report = harvest_ids(store, client, settings.arxiv_api_url, ids, opts=opts,
                                 on_page=on_page)
        else:
            report = harvest_query(store, client, settings.arxiv_api_url, query or "",
                                   max_results=max_results, opts=opts, restart=restart,
                                   on_page=on_page)
    common.out.print(report.summary(), highlight=False, soft_wrap=True)
    if report.missing:
        more = " ..." if len(report.missing) > 20 else ""
        common.console.print(f"not found: {', '.join(report.missing[:20])}{more}",
                             highlight=False, soft_wrap=True)


@harvest_app.command("new")
def new(
    categories: List[str] = typer.Option(..., "--category", help="e.g. cs.LG (repeatable)"),
    no_api: bool = typer.Option(False, "--no-api", help="store the feed only, skip the API"),
    page_size: int = typer.Option(100, "--page-size", help="ids per API request"),
) -> None:
    """Today's arXiv listing for categories, completed with full metadata from the API."""
    from paperradar.ingest.harvest_api import ApiOptions
    from paperradar.ingest.harvest_new import harvest_new, validate_category

    try:
        for c in categories:
            validate_category(c)
        opts = ApiOptions(page_size=page_size)
        opts.validate()
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    lines = []
    try:
        with _session() as (settings, store, client), common.progress() as bar:
            task = bar.add_task("listing feeds", total=len(categories))
            for category in categories:
                bar.update(task, description=f"listing {category}")
                report = harvest_new(store, client, settings.arxiv_rss_url,
                                     settings.arxiv_api_url, category, use_api=not no_api, opts=opts)
                bar.advance(task)
                lines.append(f"{category}: {report.summary()}")
    finally:  # categories done before a failure are reported too
        for line in lines:
            common.out.print(line, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(harvest_app, name="harvest")
