"""Shared CLI plumbing: settings, the store, progress bars, one-line errors."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn)

from paperradar.config import Settings
from paperradar.store import Store, open_store

console = Console(stderr=True)
out = Console()


class UserError(Exception):
    """A problem the user can fix: printed as one line, exit code 2, no traceback."""


def settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic ValidationError: show the message only
        raise UserError(f"invalid settings: {str(exc).splitlines()[-1] if str(exc) else exc}") from exc


@contextmanager
def store_from_settings(s: Settings | None = None) -> Iterator[Store]:
    s = s or settings()
    store = open_store(s.resolved_database_url)
    try:
        yield store
    finally:
        store.close()


def progress(transient: bool = False) -> Progress:
    """A rich progress bar on stderr (silent when stderr is not a terminal)."""
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                    transient=transient, disable=not sys.stderr.isatty())


def fail(message: str, code: int = 2) -> None:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise SystemExit(code)
