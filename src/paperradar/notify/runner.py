"""A digest run: find who is due at ``at``, then for each claim the ledger row, compose, send
and record the outcome (see ``schedule`` for the guarantees).

Fault injection for crash tests: ``PAPERRADAR_FAULT=<point>:<n>`` SIGKILLs this process at the
n-th passage of ``point`` (``claimed``, ``composed``, ``sent`` = after the server's 250,
``finished`` = after the ledger commit). Unset in normal operation.
"""

from __future__ import annotations

import logging
import os
import signal
from datetime import datetime, timedelta

from paperradar.config import Settings
from paperradar.notify.digest import TopicCache, build_digest, collect_sections
from paperradar.notify.mail import Mailer
from paperradar.notify.schedule import MAX_ATTEMPTS, RunStats, due, owner_alive, run_owner
from paperradar.notify.subscriptions import iso, utcnow
from paperradar.store.errors import retry_while_away

log = logging.getLogger("paperradar.digest")

UNREACHABLE_STOP = 3  # consecutive digests the server could not even be reached for

_OUTCOME = {"sent": "sent", "bounced": "bounced", "suppressed": "suppressed", "deferred": "failed",
            "failed": "failed"}


class _Faults:
    def __init__(self) -> None:
        spec = os.environ.get("PAPERRADAR_FAULT", "")
        point, _, n = spec.partition(":")
        self.point, self.n, self.seen = point, int(n or 1) if spec else 0, 0

    def hit(self, point: str) -> None:
        if self.point == point:
            self.seen += 1
            if self.seen == self.n:
                os.kill(os.getpid(), signal.SIGKILL)


def make_searcher(settings: Settings, store):
    from paperradar.search import Searcher

    return Searcher(settings, store)


def send_due(settings: Settings, store, at: datetime, *, dry_run: bool = False, searcher=None,
             owner: str | None = None, limit: int | None = None, pairs=None) -> RunStats:
    """Send every digest due at ``at`` (or the given ``pairs`` of ``due``, computed earlier);
    returns counts. ``dry_run`` composes without sending or touching the ledger."""
    pairs = (due(store, at, settings) if pairs is None else pairs)[:limit]
    stats = RunStats(due=len(pairs))
    if not pairs:
        return stats
    topics = TopicCache(settings, store, searcher or make_searcher(settings, store))
    if dry_run:
        for sub, period in pairs:
            sections = collect_sections(sub, period, topics)
            stats.previews.append((sub.email, period.key, sum(len(s.items) for s in sections)))
        return stats
    owner = owner or run_owner()
    lease = timedelta(seconds=settings.digest_lease_seconds)
    faults = _Faults()
    unreachable = 0
    with Mailer(settings, store) as mailer:
        for sub, period in pairs:
            now = utcnow()
            attempt = store.claim_delivery(sub.id, period.key, owner, iso(now), iso(now + lease),
                                           MAX_ATTEMPTS, owner_alive)
            if attempt is None:
                stats.skipped += 1
                continue
            faults.hit("claimed")
            sub = store.get_subscriber(sub.id)  # preferences or status may have changed
            if sub is None or sub.status != "active":
                if sub is not None:
                    store.finish_delivery(sub.id, period.key, owner, "cancelled", iso(utcnow()),
                                          detail=f"subscriber is {sub.status}")
                stats.skipped += 1
                continue
            try:
                msg = build_digest(settings, store, topics.searcher, sub, period, utcnow(), topics)
            except Exception as exc:  # one subscriber's problem must not stop the run
                log.exception("composing the digest for subscriber %s failed", sub.id)
                store.finish_delivery(sub.id, period.key, owner, "failed", iso(utcnow()),
                                      detail=f"compose: {type(exc).__name__}: {exc}")
                stats.deferred += 1
                continue
            faults.hit("composed")
            if msg is None:
                store.finish_delivery(sub.id, period.key, owner, "empty", iso(utcnow()))
                stats.empty += 1
                continue
            result = mailer.send(msg, kind="digest")
            faults.hit("sent" if result.ok else "not-sent")
            status = _OUTCOME[result.status]
            if status == "failed" and attempt >= MAX_ATTEMPTS:
                status = "abandoned"
            done = iso(utcnow())  # the mail is out: its ledger row waits out a restart
            retry_while_away(lambda: store.finish_delivery(
                sub.id, period.key, owner, status, done, message_id=msg["Message-ID"],
                detail=result.detail or None), "the ledger row", log=log)
            faults.hit("finished")
            counter = status if status in ("sent", "bounced", "suppressed") else "deferred"
            setattr(stats, counter, getattr(stats, counter) + 1)
            unreachable = unreachable + 1 if result.status == "deferred" and result.code is None else 0
            if unreachable >= UNREACHABLE_STOP:
                stats.stopped = f"mail server unreachable ({result.detail}); the rest waits for the next run"
                log.error("digest run stopped: %s", stats.stopped)
                break
    idle = stats.skipped == stats.due  # all claimed by other live runs (a fast worker loop)
    (log.debug if idle else log.info)("digest run at %s: %s", iso(at), stats.as_dict())
    return stats
