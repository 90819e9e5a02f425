"""PostgreSQL notify store: subscribers, tokens, the delivery ledger, bounces/suppression,
the mail log and the global mail rate limit.

A ledger claim locks its row with ``FOR UPDATE SKIP LOCKED``: a row another worker is
claiming right now is skipped, never waited for and never taken twice; a row that does not
exist yet is inserted with ``ON CONFLICT DO NOTHING`` (the loser of that race skips too).
The mail rate limit is one row, locked ``FOR UPDATE`` while the next slot is taken.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

from paperradar.store.base.notify import (FINAL_DELIVERY_STATES, Delivery, MailLogEntry,
                                          Subscriber, abandoned_detail, claim_verdict)
from paperradar.store.postgres.db import Database
from paperradar.store.sqlite.notify import _SUB_COLUMNS, _SUB_SELECT, _sub_from, _sub_row

_DELIVERY_COLS = ("subscriber_id, period, status, owner, lease_until, attempts, message_id, "
                  "detail, updated_at")


def _pg_sub_row(s: Subscriber) -> dict[str, Any]:
    d = _sub_row(s)
    d["trending"], d["recommendations"] = bool(s.trending), bool(s.recommendations)
    return d


class NotifyMixin:
    db: Database

    # -- subscribers ----------------------------------------------------------------------
    def _insert_sub(self, conn, s: Subscriber) -> bool:
        row = _pg_sub_row(s)
        del row["id"]
        cur = conn.execute(
            f"INSERT INTO subscribers ({', '.join(row)}) VALUES ({', '.join(['%s'] * len(row))}) "
            "ON CONFLICT ((lower(email))) DO NOTHING", tuple(row.values()))
        return cur.rowcount == 1

    def add_subscriber(self, sub: Subscriber) -> tuple[Subscriber, bool]:
        with self.db.transaction() as conn:
            created = self._insert_sub(conn, sub)
            row = conn.execute(f"{_SUB_SELECT} WHERE lower(email) = lower(%s)",
                               (sub.email,)).fetchone()
        return _sub_from(row), created

    def add_subscribers(self, subs: Sequence[Subscriber]) -> tuple[int, int]:
        added = 0
        with self.db.transaction() as conn:
            for s in subs:
                added += self._insert_sub(conn, s)
        return added, len(subs) - added

    def _one_sub(self, where: str, arg: Any) -> Subscriber | None:
        row = self.db.one(f"{_SUB_SELECT} WHERE {where}", (arg,))
        return _sub_from(row) if row else None

    def get_subscriber(self, subscriber_id: int) -> Subscriber | None:
        if not isinstance(subscriber_id, int) or not 0 < subscriber_id < 2 ** 63:
            return None
        return self._one_sub("id = %s", subscriber_id)

    def get_subscriber_by_email(self, email: str) -> Subscriber | None:
        return self._one_sub("lower(email) = lower(%s)", email)

    def get_subscriber_by_user(self, user_id: int) -> Subscriber | None:
        return self._one_sub("user_id = %s ORDER BY id LIMIT 1", user_id)

    def update_subscriber(self, sub: Subscriber) -> None:
        row = _pg_sub_row(sub)
        sid = row.pop("id")
        row.pop("created_at")
        with self.db.transaction() as conn:
            conn.execute(f"UPDATE subscribers SET {', '.join(f'{c} = %s' for c in row)} "
                         "WHERE id = %s", (*row.values(), sid))

    def list_subscribers(self, status: str | None = None, limit: int = 1000,
                         offset: int = 0) -> list[Subscriber]:
        where, args = ("WHERE status = %s", (status,)) if status else ("", ())
        rows = self.db.rows(f"{_SUB_SELECT} {where} ORDER BY id LIMIT %s OFFSET %s",
                            (*args, limit, offset))
        return [_sub_from(r) for r in rows]

    def iter_active_subscribers(self, batch: int = 2000) -> Iterator[Subscriber]:
        last = 0
        while True:
            rows = self.db.rows(f"{_SUB_SELECT} WHERE status = 'active' AND id > %s "
                                "ORDER BY id LIMIT %s", (last, batch))
            if not rows:
                return
            for r in rows:
                yield _sub_from(r)
            last = rows[-1][0]

    def count_subscribers(self) -> dict[str, int]:
        return dict(self.db.rows("SELECT status, count(*) FROM subscribers GROUP BY status"))

    def delete_subscriber(self, subscriber_id: int) -> bool:
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM subscribers WHERE id = %s",
                                (subscriber_id,)).rowcount == 1

    def purge_pending(self, created_before: str) -> int:
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM subscribers WHERE status = 'pending' AND "
                                "created_at < %s", (created_before,)).rowcount

    # -- tokens ---------------------------------------------------------------------------
    def add_subscriber_token(self, subscriber_id: int, token_hash: str, purpose: str,
                             expires_at: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO subscriber_tokens (token_hash, subscriber_id, purpose, "
                         "expires_at) VALUES (%s, %s, %s, %s)",
                         (token_hash, subscriber_id, purpose, expires_at))

    def use_subscriber_token(self, token_hash: str, purpose: str, now: str) -> int | None:
        with self.db.transaction() as conn:
            row = conn.execute(
                "UPDATE subscriber_tokens SET used_at = %s WHERE token_hash = %s AND "
                "purpose = %s AND used_at IS NULL AND expires_at > %s RETURNING subscriber_id",
                (now, token_hash, purpose, now)).fetchone()
        return row[0] if row else None

    def token_is_valid(self, token_hash: str, purpose: str, now: str) -> bool:
        return self.db.one("SELECT 1 FROM subscriber_tokens WHERE token_hash = %s AND "
                           "purpose = %s AND used_at IS NULL AND expires_at > %s",
                           (token_hash, purpose, now)) is not None

    # -- ledger ---------------------------------------------------------------------------
    def final_deliveries(self, periods: Sequence[str]) -> set[tuple[int, str]]:
        rows = self.db.rows("SELECT subscriber_id, period FROM digest_deliveries WHERE "
                            "period = ANY(%s::text[]) AND status = ANY(%s::text[])",
                            (list(set(periods)), list(FINAL_DELIVERY_STATES)))
        return {(r[0], r[1]) for r in rows}

    def claim_delivery(self, subscriber_id: int, period: str, owner: str, now: str,
                       lease_until: str, max_attempts: int,
                       owner_alive: Callable[[str], bool]) -> int | None:
        with self.db.transaction() as conn:
            row = conn.execute("SELECT status, owner, lease_until, attempts FROM digest_deliveries "
                               "WHERE subscriber_id = %s AND period = %s FOR UPDATE SKIP LOCKED",
                               (subscriber_id, period)).fetchone()
            if row is None:
                taken = conn.execute(
                    "INSERT INTO digest_deliveries (subscriber_id, period, status, owner, "
                    "lease_until, attempts, updated_at) VALUES (%s, %s, 'claimed', %s, %s, 1, %s) "
                    "ON CONFLICT DO NOTHING RETURNING 1",
                    (subscriber_id, period, owner, lease_until, now)).fetchone()
                return 1 if taken else None  # None: it exists and is locked or was just taken
            attempts = row[3]
            verdict = claim_verdict(row, owner=owner, now=now, max_attempts=max_attempts,
                                    owner_alive=owner_alive)
            if verdict == "abandon":
                conn.execute("UPDATE digest_deliveries SET status = 'abandoned', lease_until = NULL, "
                             "detail = %s, updated_at = %s WHERE subscriber_id = %s AND period = %s",
                             (abandoned_detail(attempts, max_attempts), now, subscriber_id, period))
            if verdict != "take":
                return None
            conn.execute("UPDATE digest_deliveries SET status = 'claimed', owner = %s, "
                         "lease_until = %s, attempts = attempts + 1, updated_at = %s "
                         "WHERE subscriber_id = %s AND period = %s",
                         (owner, lease_until, now, subscriber_id, period))
            return attempts + 1

    def finish_delivery(self, subscriber_id: int, period: str, owner: str, status: str,
                        now: str, message_id: str | None = None,
                        detail: str | None = None) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE digest_deliveries SET status = %s, "
                         "message_id = coalesce(%s, message_id), detail = %s, lease_until = NULL, "
                         "updated_at = %s WHERE subscriber_id = %s AND period = %s AND owner = %s",
                         (status, message_id, detail, now, subscriber_id, period, owner))

    def list_deliveries(self, subscriber_id: int | None = None,
                        period: str | None = None) -> list[Delivery]:
        conds, args = [], []
        if subscriber_id is not None:
            conds.append("subscriber_id = %s")
            args.append(subscriber_id)
        if period is not None:
            conds.append("period = %s")
            args.append(period)
        where = f"WHERE {' AND '.join(conds)}" if conds else ""
        rows = self.db.rows(f"SELECT {_DELIVERY_COLS} FROM digest_deliveries {where} "
                            "ORDER BY subscriber_id, period", args)
        return [Delivery(*r) for r in rows]

    # -- bounces, suppression, log -----------------------------------------------------------
    def is_suppressed(self, email: str) -> bool:
        return bool(self.db.value("SELECT suppressed_at FROM mail_addresses "
                                  "WHERE lower(email) = lower(%s)", (email,)))

    def record_bounce(self, email: str, code: int | None, detail: str, threshold: int,
                      now: str) -> bool:
        with self.db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO mail_addresses AS m (email, bounces, last_code, last_detail, "
                "suppressed_at) VALUES (%(e)s, 1, %(c)s, %(d)s, CASE WHEN 1 >= %(t)s THEN %(n)s END) "
                "ON CONFLICT ((lower(email))) DO UPDATE SET bounces = m.bounces + 1, "
                "last_code = excluded.last_code, last_detail = excluded.last_detail, "
                "suppressed_at = coalesce(m.suppressed_at, CASE WHEN m.bounces + 1 >= %(t)s "
                "THEN %(n)s END) RETURNING suppressed_at",
                {"e": email, "c": code, "d": detail, "t": threshold, "n": now}).fetchone()
        return bool(row[0])

    def clear_bounces(self, email: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM mail_addresses WHERE lower(email) = lower(%s)", (email,))

    def log_mail(self, entry: MailLogEntry) -> None:
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO mail_log (at, recipient, kind, message_id, status, code, "
                         "detail, attempts) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                         (entry.at, entry.recipient, entry.kind, entry.message_id, entry.status,
                          entry.code, entry.detail, entry.attempts))

    def mail_log(self, recipient: str | None = None, limit: int = 100) -> list[MailLogEntry]:
        where, args = (("WHERE lower(recipient) = lower(%s)", (recipient,)) if recipient
                       else ("", ()))
        rows = self.db.rows(f"SELECT at, recipient, kind, status, message_id, code, detail, "
                            f"attempts FROM mail_log {where} ORDER BY id DESC LIMIT %s",
                            (*args, limit))
        return [MailLogEntry(*r) for r in rows]

    # -- global rate limit --------------------------------------------------------------------
    def reserve_mail_slot(self, interval: float, now: float) -> float:
        with self.db.transaction() as conn:
            row = conn.execute("SELECT next_at FROM mail_rate WHERE id = 1 FOR UPDATE").fetchone()
            slot = max(now, row[0]) if row else now
            conn.execute("INSERT INTO mail_rate (id, next_at) VALUES (1, %s) "
                         "ON CONFLICT (id) DO UPDATE SET next_at = excluded.next_at",
                         (slot + interval,))
        return slot


__all__ = ["NotifyMixin", "_SUB_COLUMNS"]
