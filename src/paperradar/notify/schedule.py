"""Who is due when, and the delivery ledger that keeps digests from going out twice.

A subscriber's *slot* is their local hour (zoneinfo, so DST is followed) on a weekday (daily
digests, like arXiv's announcements) or on their chosen day (weekly). At time ``at`` a subscriber
is due for the latest slot at or before ``at`` unless that slot is older than
``digest_max_late_hours``, precedes their confirmation, or the ledger already has a final row for
its *period* (``daily:<local date>`` or ``weekly:<ISO year>-W<week>``).

Sending one digest: claim the ledger row (atomic; a row held by a live run with an unexpired
lease is skipped, a dead owner's row is taken over at once), compose, send, mark it final. A run
killed between the server's 250 and the final commit leaves a claimed row that the next run sends
again: the one duplicate SMTP cannot rule out (it carries the same ``Message-ID``).
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from paperradar.config import Settings
from paperradar.notify.subscriptions import iso
from paperradar.store.base.notify import Subscriber

log = logging.getLogger("paperradar.digest")

MAX_ATTEMPTS = 6  # claims of one (subscriber, period) before it is abandoned


@dataclass(frozen=True, slots=True)
class Period:
    key: str  # daily:YYYY-MM-DD | weekly:YYYY-Www
    frequency: str
    slot: datetime  # UTC instant of the subscriber's slot
    local_date: date
    date_from: str  # UTC dates the digest's searches cover (inclusive)
    date_to: str

    @property
    def trending_period(self) -> str:
        return "week" if self.frequency == "weekly" else "day"


def local_slot(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of ``hour``:00 local on ``day``. A time skipped by a DST jump lands just
    after it (02:00 on a spring-forward night is 03:00 local); a repeated hour is its first pass."""
    local = datetime.combine(day, time(hour), tzinfo=zone)  # fold=0
    return local.astimezone(timezone.utc)


def _eligible(sub: Subscriber, day: date) -> bool:
    if sub.frequency == "weekly":
        return day.weekday() == sub.weekday
    return day.weekday() < 5


def period_key(frequency: str, day: date) -> str:
    if frequency == "weekly":
        y, w, _ = day.isocalendar()
        return f"weekly:{y}-W{w:02d}"
    return f"daily:{day.isoformat()}"


def latest_period(sub: Subscriber, at: datetime) -> Period | None:
    """The subscriber's latest slot at or before ``at`` (looking back eight days)."""
    zone = ZoneInfo(sub.timezone)
    at = at.astimezone(timezone.utc)
    today = at.astimezone(zone).date()
    for back in range(0, 9):
        day = today - timedelta(days=back)
        if not _eligible(sub, day):
            continue
        slot = local_slot(day, sub.hour, zone)
        if slot > at:
            continue
        span = 7 if sub.frequency == "weekly" else (3 if day.weekday() == 0 else 1)
        return Period(period_key(sub.frequency, day), sub.frequency, slot, day,
                      (slot - timedelta(days=span)).date().isoformat(), slot.date().isoformat())
    return None


def due_period(sub: Subscriber, at: datetime, max_late: timedelta) -> Period | None:
    p = latest_period(sub, at)
    if p is None or at - p.slot > max_late:
        return None
    if sub.confirmed_at and iso(p.slot) < sub.confirmed_at:
        return None  # subscribed after this slot: start with the next one
    return p


def due(store, at: datetime, settings: Settings) -> list[tuple[Subscriber, Period]]:
    """Active, unsuppressed subscribers due at ``at`` with no final ledger row for the period."""
    max_late = timedelta(hours=settings.digest_max_late_hours)
    cands = []
    for s in store.iter_active_subscribers():
        try:
            p = due_period(s, at, max_late)
        except Exception:  # e.g. a time zone the system's tzdata no longer knows
            log.exception("cannot schedule subscriber %s (time zone %r)", s.id, s.timezone)
            continue
        if p is not None:
            cands.append((s, p))
    done = store.final_deliveries([p.key for _, p in cands])
    return [(s, p) for s, p in cands if (s.id, p.key) not in done]


# -- run ownership --------------------------------------------------------------------------
def _boot_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except OSError:
        return "?"


def run_owner() -> str:
    """``host:pid:start`` of this process (start time guards against pid reuse)."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_boot_time(pid)}"


def owner_alive(owner: str) -> bool:
    """False only when the owner is certainly gone (same host, process absent or reused)."""
    host, _, rest = owner.partition(":")
    pid_s, _, start = rest.partition(":")
    if host != socket.gethostname() or not (pid_s.isascii() and pid_s.isdigit()):
        return True  # another machine: rely on the lease
    pid = int(pid_s)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _boot_time(pid) == start


@dataclass
class RunStats:
    due: int = 0
    sent: int = 0
    empty: int = 0
    skipped: int = 0  # claimed by another live run, or final meanwhile
    bounced: int = 0
    suppressed: int = 0
    deferred: int = 0
    previews: list[tuple[str, str, int]] = field(default_factory=list)  # dry run: email, period, items
    stopped: str | None = None  # why the run ended early

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("due", "sent", "empty", "skipped", "bounced",
                                              "suppressed", "deferred")}
