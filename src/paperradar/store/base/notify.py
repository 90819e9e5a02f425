"""Storage protocol for digest subscribers, confirmation tokens, the delivery ledger,
bounce/suppression state and the per-delivery mail log (plain data + protocol)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol, Sequence


# Ledger states after which a (subscriber, period) is never claimed again.
FINAL_DELIVERY_STATES = ("sent", "empty", "bounced", "suppressed", "abandoned", "cancelled")


def claim_verdict(row: tuple, *, owner: str, now: str, max_attempts: int,
                  owner_alive: Callable[[str], bool]) -> str:
    """What ``claim_delivery`` does with an existing ledger row (status, owner, lease_until,
    attempts), the same rule on every backend: "take" it (a new attempt), "abandon" it (out of
    attempts and its last claim's run died: final now) or "leave" it (final, out of attempts
    while its last run lives, or claimed by another owner whose lease and process live)."""
    status, cur_owner, lease, attempts = row
    if status in FINAL_DELIVERY_STATES:
        return "leave"
    live = bool(lease and lease > now and owner_alive(cur_owner or ""))
    if attempts >= max_attempts:
        return "abandon" if status == "claimed" and not live else "leave"
    return "leave" if status == "claimed" and cur_owner != owner and live else "take"


def abandoned_detail(attempts: int, max_attempts: int) -> str:
    return f"the run of claim {attempts} of {max_attempts} died"


@dataclass(slots=True)
class Subscriber:
    email: str
    id: int | None = None
    user_id: int | None = None
    status: str = "pending"  # pending | active | unsubscribed
    frequency: str = "daily"  # daily (weekdays) | weekly
    hour: int = 8
    weekday: int = 0  # weekly digests: 0 = Monday
    timezone: str = "UTC"
    trending: bool = True
    recommendations: bool = False
    categories: list[str] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    source: str = "web"
    created_at: str = ""
    confirmed_at: str | None = None
    unsubscribed_at: str | None = None


@dataclass(slots=True)
class Delivery:
    subscriber_id: int
    period: str
    status: str
    owner: str | None
    lease_until: str | None
    attempts: int
    message_id: str | None
    detail: str | None
    updated_at: str


@dataclass(slots=True)
class MailLogEntry:
    at: str
    recipient: str
    kind: str
    status: str
    message_id: str | None = None
    code: int | None = None
    detail: str | None = None
    attempts: int = 1


class NotifyStore(Protocol):
    # -- subscribers ----------------------------------------------------------------------
    def add_subscriber(self, sub: Subscriber) -> tuple[Subscriber, bool]:
        """Insert ``sub`` unless its email exists; returns (stored row, created)."""

    def add_subscribers(self, subs: Sequence[Subscriber]) -> tuple[int, int]:
        """Bulk insert in one transaction; existing emails are skipped. (added, skipped)"""

    def get_subscriber(self, subscriber_id: int) -> Subscriber | None: ...

    def get_subscriber_by_email(self, email: str) -> Subscriber | None: ...

    def get_subscriber_by_user(self, user_id: int) -> Subscriber | None: ...

    def update_subscriber(self, sub: Subscriber) -> None:
        """Write preferences, status, user link and timestamps of an existing row."""

    def list_subscribers(self, status: str | None = None, limit: int = 1000,
                         offset: int = 0) -> list[Subscriber]: ...

    def iter_active_subscribers(self, batch: int = 2000) -> Iterator[Subscriber]: ...

    def count_subscribers(self) -> dict[str, int]: ...

    def delete_subscriber(self, subscriber_id: int) -> bool:
        """Forget a subscriber entirely (tokens and ledger rows go with it)."""

    def purge_pending(self, created_before: str) -> int:
        """Delete never-confirmed subscribers created before the time; returns how many."""

    # -- confirmation tokens (stored hashed, single use) ----------------------------------
    def add_subscriber_token(self, subscriber_id: int, token_hash: str, purpose: str,
                             expires_at: str) -> None: ...

    def use_subscriber_token(self, token_hash: str, purpose: str, now: str) -> int | None:
        """Mark an unexpired, unused token used and return its subscriber id, atomically."""

    def token_is_valid(self, token_hash: str, purpose: str, now: str) -> bool: ...

    # -- delivery ledger -------------------------------------------------------------------
    def final_deliveries(self, periods: Sequence[str]) -> set[tuple[int, str]]:
        """(subscriber id, period) pairs of these periods in a final state."""

    def claim_delivery(self, subscriber_id: int, period: str, owner: str, now: str,
                       lease_until: str, max_attempts: int,
                       owner_alive: Callable[[str], bool]) -> int | None:
        """Atomically take the row for sending; returns the attempt number, or None when
        it is final, exhausted, or held by a live owner whose lease has not expired. An
        exhausted row still claimed by a dead owner (or past its lease) becomes final:
        ``abandoned``, so it is no longer due."""

    def finish_delivery(self, subscriber_id: int, period: str, owner: str, status: str,
                        now: str, message_id: str | None = None,
                        detail: str | None = None) -> None: ...

    def list_deliveries(self, subscriber_id: int | None = None,
                        period: str | None = None) -> list[Delivery]: ...

    # -- bounces, suppression, mail log ----------------------------------------------------
    def is_suppressed(self, email: str) -> bool: ...

    def record_bounce(self, email: str, code: int | None, detail: str, threshold: int,
                      now: str) -> bool:
        """Count a bounce; suppress the address at ``threshold``. True when suppressed."""

    def clear_bounces(self, email: str) -> None: ...

    def log_mail(self, entry: MailLogEntry) -> None: ...

    def mail_log(self, recipient: str | None = None, limit: int = 100) -> list[MailLogEntry]: ...

    def reserve_mail_slot(self, interval: float, now: float) -> float:
        """Take the next sending slot of the global rate limit (shared by all processes):
        returns the Unix time at which the caller may send, and moves the next slot on."""
