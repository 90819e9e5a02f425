"""Who is due when: local hours across DST (zoneinfo), weekdays, weekly days, lateness,
confirmation time, and the ledger's once-per-period rule within one process."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from notify_helpers import active

from paperradar.notify.runner import send_due
from paperradar.notify.schedule import due, latest_period, local_slot, owner_alive, run_owner
from paperradar.notify.worker import Cron, CronError
from paperradar.store.base.notify import Subscriber
from zoneinfo import ZoneInfo

UTC = timezone.utc


def _utc(*a) -> datetime:
    return datetime(*a, tzinfo=UTC)


@pytest.mark.parametrize("zone, day, hour, expected", [
    # New York: EST (UTC-5) before 2026-03-08, EDT (UTC-4) after
    ("America/New_York", (2026, 3, 6), 8, _utc(2026, 3, 6, 13)),
    ("America/New_York", (2026, 3, 9), 8, _utc(2026, 3, 9, 12)),
    # spring forward in Berlin (2026-03-29 02:00 -> 03:00): 02:00 does not exist, lands at 03:00 CEST
    ("Europe/Berlin", (2026, 3, 29), 2, _utc(2026, 3, 29, 1)),
    # fall back in Berlin (2026-10-25 03:00 -> 02:00): 02:00 happens twice, the first one counts
    ("Europe/Berlin", (2026, 10, 25), 2, _utc(2026, 10, 25, 0)),
    ("Europe/Berlin", (2026, 10, 26), 2, _utc(2026, 10, 26, 1)),
    # southern hemisphere: Sydney leaves daylight time on 2026-04-05
    ("Australia/Sydney", (2026, 4, 3), 7, _utc(2026, 4, 2, 20)),
    ("Australia/Sydney", (2026, 4, 6), 7, _utc(2026, 4, 5, 21)),
])
def test_local_slot_follows_dst(zone, day, hour, expected):
    from datetime import date

    assert local_slot(date(*day), hour, ZoneInfo(zone)) == expected


def test_daily_is_weekdays_and_weekly_one_day():
    daily = Subscriber(email="d@x.org", hour=8, timezone="Europe/Paris")
    sat = _utc(2026, 3, 7, 12)
    p = latest_period(daily, sat)  # Saturday: still Friday's digest
    assert p.key == "daily:2026-03-06" and p.slot == _utc(2026, 3, 6, 7)
    mon = latest_period(daily, _utc(2026, 3, 9, 7, 30))
    assert mon.key == "daily:2026-03-09" and (mon.date_from, mon.date_to) == ("2026-03-06", "2026-03-09")
    weekly = Subscriber(email="w@x.org", frequency="weekly", weekday=2, hour=18, timezone="UTC")
    w = latest_period(weekly, _utc(2026, 3, 9, 12))  # Monday: last Wednesday's slot
    assert w.key == "weekly:2026-W10" and w.slot == _utc(2026, 3, 4, 18)
    assert latest_period(weekly, _utc(2026, 3, 11, 18)).key == "weekly:2026-W11"


def test_one_digest_per_local_day_across_fall_back(store, digest_settings):
    """Around the repeated hour, every minute is checked: exactly one period becomes due."""
    store.add_subscriber(active("b@x.org", hour=2, timezone="Europe/Berlin",
                                frequency="weekly", weekday=6))
    seen = set()
    t = _utc(2026, 10, 24, 22)
    while t < _utc(2026, 10, 25, 4):
        seen.update(p.key for _, p in due(store, t, digest_settings))
        t += timedelta(minutes=15)
    assert seen == {"weekly:2026-W43"}


def test_due_respects_hour_lateness_confirmation(store, digest_settings):
    s, _ = store.add_subscriber(active("n@x.org", hour=9, timezone="Asia/Kolkata"))  # 03:30 UTC
    assert due(store, _utc(2026, 3, 10, 3, 29), digest_settings)[0][1].key == "daily:2026-03-09"
    assert due(store, _utc(2026, 3, 10, 3, 30), digest_settings)[0][1].key == "daily:2026-03-10"
    late = digest_settings.model_copy(update={"digest_max_late_hours": 2})
    assert due(store, _utc(2026, 3, 10, 6), late) == []
    s.confirmed_at = "2026-03-10T05:00:00.000000Z"  # subscribed after today's slot
    store.update_subscriber(s)
    assert due(store, _utc(2026, 3, 10, 6), digest_settings) == []
    assert due(store, _utc(2026, 3, 11, 4), digest_settings)[0][1].key == "daily:2026-03-11"


def test_pending_and_unsubscribed_get_nothing(papers_store, digest_settings, smtp):
    papers_store.add_subscriber(Subscriber(email="pending@x.org", created_at="2025-01-01"))
    gone, _ = papers_store.add_subscriber(active("gone@x.org"))
    gone.status = "unsubscribed"
    papers_store.update_subscriber(gone)
    papers_store.add_subscriber(active("yes@x.org"))
    stats = send_due(digest_settings, papers_store, _utc(2025, 6, 30, 9))
    assert stats.sent == 1 and set(smtp.counts()) == {"yes@x.org"}


def test_ledger_sends_once_per_period(papers_store, digest_settings, smtp):
    papers_store.add_subscriber(active("a@x.org"))
    papers_store.add_subscriber(active("quiet@x.org", trending=False, queries=["zzzqqq"]))
    at = _utc(2025, 6, 30, 9)
    first = send_due(digest_settings, papers_store, at)
    assert (first.sent, first.empty) == (1, 1)
    again = send_due(digest_settings, papers_store, at + timedelta(hours=3))
    assert again.due == 0 and smtp.counts() == {"a@x.org": 1}
    rows = papers_store.list_deliveries()
    assert {d.period for d in rows} == {"daily:2025-06-30"}
    assert sorted(d.status for d in rows) == ["empty", "sent"]
    dry = send_due(digest_settings, papers_store, _utc(2025, 7, 1, 9), dry_run=True)
    assert dry.due == 2 and smtp.counts() == {"a@x.org": 1}
    assert all(d.period != "daily:2025-07-01" for d in papers_store.list_deliveries())


def test_bounces_recorded_in_ledger(papers_store, digest_settings, smtp):
    papers_store.add_subscriber(active("bad@x.org"))
    smtp.script("bad@x.org", "550 5.1.1 unknown user")
    stats = send_due(digest_settings, papers_store, _utc(2025, 6, 30, 9))
    assert stats.bounced == 1
    (row,) = papers_store.list_deliveries()
    assert row.status == "bounced" and "unknown user" in row.detail


def test_deferred_is_retried_next_run(papers_store, digest_settings, smtp):
    s = digest_settings.model_copy(update={"smtp_max_retries": 1})
    papers_store.add_subscriber(active("busy@x.org"))
    smtp.script("busy@x.org", "451 busy", "451 busy")
    assert send_due(s, papers_store, _utc(2025, 6, 30, 9)).deferred == 1
    assert papers_store.list_deliveries()[0].status == "failed"
    assert send_due(s, papers_store, _utc(2025, 6, 30, 10)).sent == 1
    assert smtp.counts() == {"busy@x.org": 1}


def test_claims_respect_live_owners(store):
    s, _ = store.add_subscriber(active("c@x.org"))
    now, lease = "2026-01-01T00:00:00.000000Z", "2026-01-01T00:10:00.000000Z"
    me = run_owner()
    assert store.claim_delivery(s.id, "p", me, now, lease, 6, owner_alive) == 1
    assert store.claim_delivery(s.id, "p", "otherhost:1:1", now, lease, 6, owner_alive) is None
    dead = f"{me.split(':')[0]}:999999999:1"
    assert owner_alive(dead) is False and owner_alive(me) is True
    store.claim_delivery(s.id, "q", dead, now, lease, 6, owner_alive)
    assert store.claim_delivery(s.id, "q", me, now, lease, 6, owner_alive) == 2  # dead: taken over


def test_cron_specs():
    c = Cron.parse("*/15 6-8,20 * * 1-5")
    assert c.matches(_utc(2026, 3, 9, 6, 45)) and not c.matches(_utc(2026, 3, 9, 6, 50))
    assert not c.matches(_utc(2026, 3, 8, 6, 45))  # Sunday
    assert Cron.parse("0 0 * * 7").matches(_utc(2026, 3, 8))
    for bad in ("* * *", "61 * * * *", "a * * * *", "*/0 * * * *", "\u00b2 * * * *",
                "*/\u00b2 * * * *", "1-\u00b3 * * * *"):
        with pytest.raises(CronError):
            Cron.parse(bad)


def test_worker_tick_runs_matching_jobs_and_survives_failures(caplog):
    from paperradar.notify.worker import Job, run_forever, tick
    from paperradar.store.errors import StoreUnavailable

    ran: list[tuple[str, datetime]] = []

    def boom(at):
        raise RuntimeError("harvest failed")

    def away(at):
        raise StoreUnavailable("lost the connection to PostgreSQL\nsecond line")

    jobs = [Job("every", Cron.parse("* * * * *"), lambda at: ran.append(("every", at))),
            Job("hourly", Cron.parse("0 * * * *"), lambda at: ran.append(("hourly", at))),
            Job("broken", Cron.parse("* * * * *"), boom),
            Job("digest", Cron.parse("* * * * *"), away)]
    with caplog.at_level("ERROR", logger="paperradar"):
        out = tick(jobs, _utc(2026, 3, 9, 10, 0))
    assert [r[0] for r in ran] == ["every", "hourly"] and isinstance(out["broken"], RuntimeError)
    broken, digest = [r for r in caplog.records if r.name.startswith("paperradar")]
    assert broken.exc_info and not digest.exc_info  # a database restart: one line, no traceback
    assert digest.getMessage() == ("job digest stopped, the database is away: "
                                   "lost the connection to PostgreSQL")
    jobs.pop()
    # the loop ticks once per minute, whatever its polling interval
    clock = iter([_utc(2026, 3, 9, 10, 1, s) for s in (0, 0, 20, 20, 40, 40)]
                 + [_utc(2026, 3, 9, 10, 2, 0)] * 4)
    ran.clear()
    run_forever(jobs[:1], 20, max_ticks=2, clock=lambda: next(clock), sleep=lambda s: None)
    assert [r[1].minute for r in ran] == [1, 2]


def test_unreachable_server_stops_the_run(papers_store, digest_settings):
    from smtp_sink import free_port

    closed = digest_settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}",
                                                "smtp_max_retries": 1})
    papers_store.add_subscribers([active(f"u{i}@x.org") for i in range(6)])
    stats = send_due(closed, papers_store, _utc(2025, 6, 30, 9))
    assert stats.stopped and "unreachable" in stats.stopped
    assert (stats.deferred, stats.sent) == (3, 0)
    rows = papers_store.list_deliveries()
    assert [r.status for r in rows] == ["failed"] * 3  # the others were not even claimed
    assert all(not papers_store.is_suppressed(f"u{i}@x.org") for i in range(6))


def test_one_bad_subscriber_does_not_stop_the_run(papers_store, digest_settings, smtp):
    papers_store.add_subscriber(active("badtz@x.org", timezone="Gone/Zone"))  # tzdata changed
    papers_store.add_subscriber(active("badq@x.org", trending=False, authors=["x" * 5000]))
    papers_store.add_subscriber(active("fine@x.org"))
    stats = send_due(digest_settings, papers_store, _utc(2025, 6, 30, 9))
    assert stats.sent == 1 and smtp.counts() == {"fine@x.org": 1}


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Australia/Sydney",
                                  "Pacific/Chatham", "Asia/Kolkata"])
@pytest.mark.parametrize("hour", [0, 2, 3, 8, 23])
def test_a_year_of_slots(zone, hour):
    """Every day of 2026: the slot is at the local hour (or just after a skipped hour), and
    minute-by-minute scheduling around it makes each weekday's period due exactly once."""
    from datetime import date

    z = ZoneInfo(zone)
    day = date(2026, 1, 1)
    while day.year == 2026:
        slot = local_slot(day, hour, z)
        local = slot.astimezone(z)
        assert local.date() == day and local.hour in (hour, (hour + 1) % 24)
        if local.hour != hour:  # only in a spring-forward gap
            assert z.utcoffset(datetime.combine(day, datetime.min.time())) != z.utcoffset(
                datetime.combine(day, datetime.max.time()))
        day += timedelta(days=1)
    sub = Subscriber(email="y@x.org", hour=hour, timezone=zone)
    t, end, keys, first_due = _utc(2026, 3, 1), _utc(2026, 4, 15), [], {}
    while t < end:  # March-April holds the DST changes of both hemispheres
        p = latest_period(sub, t)
        if p and p.key not in first_due:
            first_due[p.key] = t
            keys.append(p.key)
        t += timedelta(minutes=30)
    days = [date.fromisoformat(k.split(":")[1]) for k in keys]
    start = _utc(2026, 3, 1)
    expected = [d for d in (date(2026, 2, 25) + timedelta(n) for n in range(55))
                if d.weekday() < 5 and start <= local_slot(d, hour, z) < end]
    assert days[1:] == expected  # days[0]: the last slot before the window opened
    assert all(first_due[f"daily:{d}"] - local_slot(d, hour, z) < timedelta(minutes=30)
               for d in expected)  # each sent within one scheduler step of its slot


def test_changes_during_a_run_are_honoured(papers_store, digest_settings, smtp):
    """Who is due is computed when a run starts; a subscriber who unsubscribes or changes
    preferences while it runs gets what they asked for when their turn comes."""
    at = _utc(2025, 6, 30, 9)
    leaver, _ = papers_store.add_subscriber(active("leaver@x.org"))
    changer, _ = papers_store.add_subscriber(active("changer@x.org"))
    pairs = due(papers_store, at, digest_settings)
    leaver.status = "unsubscribed"
    papers_store.update_subscriber(leaver)
    changer.trending, changer.queries = False, ["zzzqqq nothing matches"]
    papers_store.update_subscriber(changer)
    stats = send_due(digest_settings, papers_store, at, pairs=pairs)
    assert (stats.sent, stats.skipped, stats.empty) == (0, 1, 1) and smtp.counts() == {}
    assert {d.status for d in papers_store.list_deliveries()} == {"cancelled", "empty"}
