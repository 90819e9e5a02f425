"""``paperradar worker``: a long-running scheduler. Each job has a cron-like spec (``minute hour
day-of-month month day-of-week``, UTC, with ``*``, ``a-b``, ``a,b`` and ``*/n``); at every minute
the matching jobs run: harvest and index as background ``paperradar`` subprocesses (isolated, so
one crash does not stop the worker, and a long harvest does not delay digests; never two of the
same at once), digests in-process (the run is idempotent, so running it every minute only sends
what is due; ``worker_digest_every_seconds`` runs it every few seconds instead of on its spec).
A job stopped because the database is away logs one line, not one per run, until a run
succeeds again ("the database is back")."""

from __future__ import annotations

import logging
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from paperradar.config import Settings
from paperradar.store.errors import is_unavailable

log = logging.getLogger("paperradar.worker")

_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))  # day-of-week: 0 = Sunday (7 too)


class CronError(ValueError):
    pass


def _number(text: str) -> bool:
    """ASCII digits only (``'²'.isdigit()`` is true, but ``int('²')`` fails)."""
    return text.isascii() and text.isdigit()


def _field(spec: str, lo: int, hi: int) -> set[int]:
    out: set[int] = set()
    for part in spec.split(","):
        rng, _, step_s = part.partition("/")
        step = int(step_s) if _number(step_s) and int(step_s) > 0 else None
        if step_s and step is None:
            raise CronError(f"bad step in {spec!r}")
        if rng == "*":
            a, b = lo, hi
        elif "-" in rng:
            a_s, _, b_s = rng.partition("-")
            if not (_number(a_s) and _number(b_s)):
                raise CronError(f"bad range in {spec!r}")
            a, b = int(a_s), int(b_s)
        elif _number(rng):
            a = b = int(rng)
            if step:
                b = hi
        else:
            raise CronError(f"bad field {spec!r}")
        if hi == 6 and b == 7:  # Sunday as 7
            out.add(0)
            if a == 7:
                continue
            b = 6
        if a < lo or b > hi or a > b:
            raise CronError(f"{spec!r} is outside {lo}-{hi}")
        out.update(range(a, b + 1, step or 1))
    return out


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]

    @classmethod
    def parse(cls, spec: str) -> "Cron":
        parts = spec.split()
        if len(parts) != 5:
            raise CronError(f"cron spec needs 5 fields (minute hour day month weekday): {spec!r}")
        return cls(*(frozenset(_field(p, lo, hi)) for p, (lo, hi) in zip(parts, _RANGES)))

    def matches(self, t: datetime) -> bool:
        t = t.astimezone(timezone.utc)
        return (t.minute in self.minutes and t.hour in self.hours and t.day in self.days
                and t.month in self.months and (t.isoweekday() % 7) in self.weekdays)


@dataclass
class Job:
    name: str
    cron: Cron
    run: Callable[[datetime], object]
    every: float = 0.0  # > 0: run_forever runs it every ``every`` seconds, not on ``cron``
    away: bool = False  # its last run stopped because the database was away


class _SubprocessJob:
    """Starts ``paperradar ARGS`` in the background so a long harvest never delays the digests;
    a new start is skipped while the previous one still runs. With ``wait`` it runs to the end."""

    def __init__(self, args: str, wait: bool = False):
        self.cmd = [sys.executable, "-m", "paperradar", *shlex.split(args)]
        self.wait = wait
        self.proc: subprocess.Popen | None = None

    def __call__(self, at: datetime) -> str:
        if self.proc is not None:
            rc = self.proc.poll()
            if rc is None:
                log.warning("%s still running; this start is skipped", " ".join(self.cmd[3:]))
                return "still running"
            (log.info if rc == 0 else log.warning)("job %s exited %d", " ".join(self.cmd[3:]), rc)
        self.proc = subprocess.Popen(self.cmd)
        if self.wait:
            return f"exit {self.proc.wait()}"
        return f"started pid {self.proc.pid}"


def _digest_job(settings: Settings, store) -> Callable[[datetime], object]:
    """Digests in-process; a fresh Searcher per run (it sees what the index job added) that
    reuses the embedding model loaded by an earlier run."""
    from paperradar.notify.runner import send_due
    from paperradar.search import Searcher

    model: dict[str, object] = {}

    def run(at: datetime):
        searcher = Searcher(settings, store, embedder=model.get("embedder"))
        try:
            return send_due(settings, store, at, searcher=searcher)
        finally:
            if getattr(searcher, "_embedder", None) is not None:  # loaded during this run
                model["embedder"] = searcher._embedder
    return run


def build_jobs(settings: Settings, store, only: set[str] | None = None,
               wait: bool = False) -> list[Job]:
    """The worker's jobs; ``wait`` runs subprocess jobs to completion (``--once``)."""
    jobs = [Job("harvest", Cron.parse(settings.worker_harvest_cron),
                _SubprocessJob(settings.worker_harvest_args, wait)),
            Job("index", Cron.parse(settings.worker_index_cron),
                _SubprocessJob(settings.worker_index_args, wait)),
            Job("digest", Cron.parse(settings.worker_digest_cron), _digest_job(settings, store),
                every=0.0 if wait else settings.worker_digest_every_seconds)]
    return [j for j in jobs if not only or j.name in only]


def run_job(job: Job, at: datetime) -> object:
    """One run of ``job``; a failure is logged and returned, never raised. The database being
    away is one line (no traceback) until a later run succeeds and says it is back."""
    try:
        result = job.run(at)
    except Exception as exc:
        if is_unavailable(exc):  # a database restart: one line, a later run resumes
            if not job.away:
                log.error("job %s stopped, the database is away: %s", job.name,
                          str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
            job.away = True
        else:
            log.exception("job %s failed", job.name)
        return exc
    if job.away:
        log.info("job %s: the database is back", job.name)
        job.away = False
    return result


def tick(jobs: list[Job], at: datetime) -> dict[str, object]:
    """Run the jobs whose spec matches ``at``'s minute; a failing job is logged, not fatal."""
    return {job.name: run_job(job, at) for job in jobs if job.cron.matches(at)}


def run_forever(jobs: list[Job], tick_seconds: float, *, max_ticks: int | None = None,
                clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                sleep: Callable[[float], None] = time.sleep,
                monotonic: Callable[[], float] = time.monotonic) -> None:
    """Tick once per minute (checking every ``tick_seconds``); each minute runs at most once.
    Jobs with ``every`` run that often instead, the first time at once."""
    on_cron = [j for j in jobs if not j.every]
    fast = [j for j in jobs if j.every]
    next_run = {id(j): 0.0 for j in fast}
    last_minute = None
    ticks = 0
    while max_ticks is None or ticks < max_ticks:
        now = clock().replace(second=0, microsecond=0)
        if now != last_minute:
            tick(on_cron, now)
            last_minute = now
            ticks += 1
        for job in fast:
            if monotonic() >= next_run[id(job)]:
                run_job(job, clock())
                next_run[id(job)] = monotonic() + job.every
        wait = min([tick_seconds, (now + timedelta(minutes=1) - clock()).total_seconds()]
                   + [next_run[id(j)] - monotonic() for j in fast])
        sleep(max(0.05 if fast else 0.1, wait))
