"""CLI commands of the ingest area: ``paperradar import PATH...`` (registered by ``paperradar.cli``).

Exit codes: 0 when everything imported, 1 when some files or records failed (the rest
still imported), 2 for a user mistake (missing path, bad option).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List

import typer

from paperradar.cli import common
from paperradar.cli.common import UserError

_SOURCE = re.compile(r"^[a-z][a-z0-9_\-]{0,31}$")
# Inputs larger than this are indexed by a follower process while they import (the other
# core does the full-text indexing); smaller ones are indexed after the import.
FOLLOW_BYTES = 32 * 1024 * 1024


@contextmanager
def _index_follower(settings, enabled: bool) -> Iterator[object | None]:
    if not enabled:
        yield None
        return
    from paperradar.search.follow import LexicalFollower

    with LexicalFollower(settings) as follower:
        yield follower


def _sync_index(settings, store, already: int = 0) -> bool:
    """Bring the full-text index up to date with what was just written; False on failure.

    The papers are already committed, so an index problem is reported (one line) without
    hiding the import's own result; ``paperradar index`` catches up later.
    """
    try:
        from paperradar.search import Searcher
    except ImportError as exc:
        common.console.print(f"[yellow]full-text index not updated[/] (search unavailable: {exc})")
        return False
    try:
        with common.progress(transient=True) as bar:
            task = bar.add_task("indexing", total=None)
            n = Searcher(settings, store).sync_lexical(lambda k: bar.advance(task, k))
    except Exception as exc:  # noqa: BLE001 - any index failure is one line, not a traceback
        common.console.print(f"[red]error:[/] full-text index not updated: "
                             f"{type(exc).__name__}: {exc}", highlight=False, soft_wrap=True)
        return False
    common.console.print(f"full-text index: {common.plural(already + n, 'paper')} indexed", highlight=False)
    return True


def import_cmd(
    paths: List[Path] = typer.Argument(..., help="files or directories (searched recursively)"),
    source: str = typer.Option(None, "--source", help="source name for non-arXiv ids "
                               "(prefix, default 'jsonl') and provenance"),
    no_index: bool = typer.Option(False, "--no-index", help="do not update the full-text index"),
) -> None:
    """Import files: HF daily papers, arXiv Atom/OAI-PMH/RSS, Kaggle snapshot, JSON Lines."""
    from paperradar.ingest.files import expand_paths, import_paths

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserError(f"no such file or directory: {', '.join(missing)}")
    if source is not None and not _SOURCE.match(source):
        raise UserError(f"invalid --source {source!r}: use lowercase letters, digits, '-' or '_'")
    files = expand_paths(paths)
    if not files:
        raise UserError("no files to import")
    settings = common.settings()
    sizes = {f: f.stat().st_size for f in files}
    finished: dict[Path, int] = {}
    with common.store_from_settings(settings) as store:
        with common.progress() as bar:
            task = bar.add_task("importing", total=sum(sizes.values()) or 1)

            def on_progress(path: Path, done: int, records: int) -> None:
                finished[path] = min(done, sizes.get(path, done))
                bar.update(task, completed=sum(finished.values()),
                           description=f"{path.name}: {records:,} records")

            follow = not no_index and sum(sizes.values()) >= FOLLOW_BYTES
            with _index_follower(settings, follow) as follower:
                report = import_paths(store, files, source=source, progress=on_progress)
        # Catch up what the follower (if any) did not index, or index it all now.
        already = follower.indexed if follower is not None else 0
        if follower is not None and not follower.ok:
            common.console.print("[yellow]the indexing process stopped early; catching up now[/]")
        indexed = no_index or _sync_index(settings, store, already)
    for line in report.errors:
        common.console.print(f"[red]error:[/] {line}", highlight=False, soft_wrap=True)
    common.out.print(report.summary(), highlight=False, soft_wrap=True)
    if report.errors or not indexed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("import")(import_cmd)
