"""A killed worker's digest claim on both backends: taken over at once when its owner is a
process of this machine that is gone, after its lease when the owner is on another machine
(its liveness cannot be seen from here), never while a live owner's lease runs; and a claim
whose run died at the last allowed attempt becomes final (``abandoned``) instead of staying
claimed, and due, for ever."""

from __future__ import annotations

import os
import socket
import sys
from datetime import datetime, timedelta, timezone

from paperradar.notify.schedule import MAX_ATTEMPTS, due, owner_alive, run_owner
from paperradar.notify.subscriptions import iso

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "notify"))
from notify_helpers import active  # noqa: E402

T0 = datetime(2026, 3, 9, 9, 0, tzinfo=timezone.utc)  # a Monday; subscribers are due at 8:00
PERIOD = "daily:2026-03-09"


def _claim(store, sid: int, owner: str, at: datetime, lease_s: float = 600):
    return store.claim_delivery(sid, PERIOD, owner, iso(at), iso(at + timedelta(seconds=lease_s)),
                                MAX_ATTEMPTS, owner_alive)


def _dead_local_owner() -> str:
    return f"{socket.gethostname()}:{2 ** 22 + 12345}:1"  # above pid_max's default: no such pid


def test_dead_or_remote_claims_are_taken_over_live_ones_are_not(store, settings):
    store.add_subscribers([active("a@example.org"), active("b@example.org")])
    a, b = sorted(s.id for s in store.iter_active_subscribers())
    me = run_owner()
    assert owner_alive(me) and not owner_alive(_dead_local_owner())
    # a dead process of this machine: its claim is taken at once, whatever its lease
    assert _claim(store, a, _dead_local_owner(), T0) == 1
    assert _claim(store, a, me, T0 + timedelta(seconds=1)) == 2
    # another machine's claim: held for its lease, taken after it
    remote = "node-b.example:4242:77"
    assert _claim(store, b, remote, T0, lease_s=30) == 1
    assert _claim(store, b, me, T0 + timedelta(seconds=29)) is None
    assert _claim(store, b, me, T0 + timedelta(seconds=31)) == 2
    # a live owner (this process) keeps its claim from another run for the whole lease
    assert _claim(store, b, "other-run", T0 + timedelta(seconds=40)) is None
    assert {(d.subscriber_id, d.status, d.owner, d.attempts) for d in store.list_deliveries()} == {
        (a, "claimed", me, 2), (b, "claimed", me, 2)}


def test_a_claim_whose_last_attempt_died_is_abandoned_not_due(store, settings):
    store.add_subscribers([active("a@example.org")])
    (sid,) = [s.id for s in store.iter_active_subscribers()]
    at = T0
    for n in range(1, MAX_ATTEMPTS + 1):  # each run killed right after its claim
        assert _claim(store, sid, _dead_local_owner(), at) == n
        at += timedelta(minutes=1)
    assert [s.email for s, _ in due(store, at, settings)] == ["a@example.org"]
    assert _claim(store, sid, run_owner(), at) is None
    (row,) = store.list_deliveries()
    assert row.status == "abandoned" and row.attempts == MAX_ATTEMPTS and row.lease_until is None
    assert "died" in (row.detail or "")
    assert due(store, at, settings) == []
