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
    except Exception as exc:  # pydantic ValidationError: show the messages only
        errors = getattr(exc, "errors", None)
        text = "; ".join(e.get("msg", "") for e in errors()) if callable(errors) else str(exc)
        raise UserError(f"invalid settings: {text}") from exc


@contextmanager
def store_from_settings(s: Settings | None = None) -> Iterator[Store]:
    s = s or settings()
    store = open_store(s.resolved_database_url)
    try:
        yield store
    finally:
        store.close()


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 paper``, ``2 papers`` (with thousands separators)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def note_if_empty(store: Store, s: Settings) -> bool:
    """Say which database was opened when it has no papers (a wrong data directory is the
    usual cause); True when empty."""
    if store.max_seq():
        return False
    console.print(f"note: the database {s.resolved_database_url} has no papers (set "
                  "PAPERRADAR_DATA_DIR to the right directory, import files with `paperradar "
                  "import`, or run `paperradar demo`)", highlight=False, soft_wrap=True)
    return True


def progress(transient: bool = False) -> Progress:
    """A rich progress bar on stderr (silent when stderr is not a terminal)."""
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                    transient=transient, disable=not sys.stderr.isatty())


class ProgressLines:
    """Progress as plain lines on stderr (at most one per ``every`` seconds per stage) when
    stderr is not a terminal, where the progress bar is silent (make, CI logs, pipes)."""

    def __init__(self, what: str, every: float = 5.0):
        self.what, self.every = what, every
        self.on = not sys.stderr.isatty()
        self.done: dict[str, int] = {}
        self.last: dict[str, float] = {}

    def advance(self, stage: str, n: int, total: int | None) -> None:
        if not self.on:
            return
        import time

        self.done[stage] = self.done.get(stage, 0) + n
        now = time.monotonic()
        finished = total is not None and self.done[stage] >= total
        if stage in self.last and now - self.last[stage] < self.every and not finished:
            return
        self.last[stage] = now
        of = f" of {total:,}" if total else ""
        console.print(f"{self.what} ({stage}): {self.done[stage]:,}{of}", highlight=False)


def fail(message: str, code: int = 2) -> None:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise SystemExit(code)
