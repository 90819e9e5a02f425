"""SQLite implementation of the notify store: subscribers, tokens, the delivery ledger,
bounces/suppression and the mail log. Timestamps are ISO strings that sort as text."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator, Sequence

from paperradar.store.base.notify import (FINAL_DELIVERY_STATES, Delivery, MailLogEntry,
                                          Subscriber, abandoned_detail, claim_verdict)
from paperradar.store.sqlite.db import Database

_SUB_COLUMNS = ("id", "email", "user_id", "status", "frequency", "hour", "weekday", "timezone",
                "trending", "recommendations", "categories", "queries", "authors", "source",
                "created_at", "confirmed_at", "unsubscribed_at")
_SUB_SELECT = f"SELECT {', '.join(_SUB_COLUMNS)} FROM subscribers"
_JSON_FIELDS = ("categories", "queries", "authors")
_FINAL_SQL = ", ".join(f"'{s}'" for s in FINAL_DELIVERY_STATES)


def _sub_row(s: Subscriber) -> dict[str, Any]:
    d = {c: getattr(s, c) for c in _SUB_COLUMNS}
    for f in _JSON_FIELDS:
        d[f] = json.dumps(list(d[f]), ensure_ascii=False)
    d["trending"] = int(bool(s.trending))
    d["recommendations"] = int(bool(s.recommendations))
    return d


def _sub_from(row: Sequence[Any]) -> Subscriber:
    d = dict(zip(_SUB_COLUMNS, row))
    for f in _JSON_FIELDS:
        d[f] = json.loads(d[f] or "[]")
    d["trending"] = bool(d["trending"])
    d["recommendations"] = bool(d["recommendations"])
    return Subscriber(**d)


class NotifyMixin:
    db: Database

    # -- subscribers ----------------------------------------------------------------------
    def _insert_sub(self, conn, s: Subscriber) -> bool:
        row = _sub_row(s)
        del row["id"]
        cur = conn.execute(
            f"INSERT INTO subscribers ({', '.join(row)}) VALUES ({', '.join('?' * len(row))}) "
            "ON CONFLICT (email) DO NOTHING", tuple(row.values()))
        return cur.rowcount == 1

    def add_subscriber(self, sub: Subscriber) -> tuple[Subscriber, bool]:
        with self.db.transaction() as conn:
            created = self._insert_sub(conn, sub)
            row = conn.execute(f"{_SUB_SELECT} WHERE email = ?", (sub.email,)).fetchone()
        return _sub_from(row), created

    def add_subscribers(self, subs: Sequence[Subscriber]) -> tuple[int, int]:
        added = 0
        with self.db.transaction() as conn:
            for s in subs:
                added += self._insert_sub(conn, s)
        return added, len(subs) - added

    def _one_sub(self, where: str, arg: Any) -> Subscriber | None:
        row = self.db.conn.execute(f"{_SUB_SELECT} WHERE {where} = ?", (arg,)).fetchone()
        return _sub_from(row) if row else None

    def get_subscriber(self, subscriber_id: int) -> Subscriber | None:
        return self._one_sub("id", subscriber_id)

    def get_subscriber_by_email(self, email: str) -> Subscriber | None:
        return self._one_sub("email", email)

    def get_subscriber_by_user(self, user_id: int) -> Subscriber | None:
        return self._one_sub("user_id", user_id)

    def update_subscriber(self, sub: Subscriber) -> None:
        row = _sub_row(sub)
        sid = row.pop("id")
        row.pop("created_at")
        with self.db.transaction() as conn:
            conn.execute(f"UPDATE subscribers SET {', '.join(f'{c} = ?' for c in row)} WHERE id = ?",
                         (*row.values(), sid))

    def list_subscribers(self, status: str | None = None, limit: int = 1000,
                         offset: int = 0) -> list[Subscriber]:
        where, args = ("WHERE status = ?", (status,)) if status else ("", ())
        rows = self.db.conn.execute(f"{_SUB_SELECT} {where} ORDER BY id LIMIT ? OFFSET ?",
                                    (*args, limit, offset)).fetchall()
        return [_sub_from(r) for r in rows]

    def iter_active_subscribers(self, batch: int = 2000) -> Iterator[Subscriber]:
        last = 0
        while True:
            rows = self.db.conn.execute(
                f"{_SUB_SELECT} WHERE status = 'active' AND id > ? ORDER BY id LIMIT ?",
                (last, batch)).fetchall()
            if not rows:
                return
            for r in rows:
                yield _sub_from(r)
            last = rows[-1][0]

    def count_subscribers(self) -> dict[str, int]:
        rows = self.db.conn.execute("SELECT status, count(*) FROM subscribers GROUP BY status")
        return dict(rows.fetchall())

    def delete_subscriber(self, subscriber_id: int) -> bool:
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM subscribers WHERE id = ?",
                                (subscriber_id,)).rowcount == 1

    def purge_pending(self, created_before: str) -> int:
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM subscribers WHERE status = 'pending' AND created_at < ?",
                                (created_before,)).rowcount

    # -- tokens ---------------------------------------------------------------------------
    def add_subscriber_token(self, subscriber_id: int, token_hash: str, purpose: str,
                             expires_at: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO subscriber_tokens (token_hash, subscriber_id, purpose, "
                         "expires_at) VALUES (?, ?, ?, ?)",
                         (token_hash, subscriber_id, purpose, expires_at))

    def use_subscriber_token(self, token_hash: str, purpose: str, now: str) -> int | None:
        with self.db.transaction() as conn:
            row = conn.execute(
                "UPDATE subscriber_tokens SET used_at = ? WHERE token_hash = ? AND purpose = ? "
                "AND used_at IS NULL AND expires_at > ? RETURNING subscriber_id",
                (now, token_hash, purpose, now)).fetchone()
        return row[0] if row else None

    def token_is_valid(self, token_hash: str, purpose: str, now: str) -> bool:
        row = self.db.conn.execute(
            "SELECT 1 FROM subscriber_tokens WHERE token_hash = ? AND purpose = ? "
            "AND used_at IS NULL AND expires_at > ?", (token_hash, purpose, now)).fetchone()
        return row is not None

    # -- ledger ---------------------------------------------------------------------------
    def final_deliveries(self, periods: Sequence[str]) -> set[tuple[int, str]]:
        out: set[tuple[int, str]] = set()
        for p in set(periods):
            rows = self.db.conn.execute(
                f"SELECT subscriber_id, period FROM digest_deliveries WHERE period = ? "
                f"AND status IN ({_FINAL_SQL})", (p,))
            out.update((r[0], r[1]) for r in rows)
        return out

    def claim_delivery(self, subscriber_id: int, period: str, owner: str, now: str,
                       lease_until: str, max_attempts: int,
                       owner_alive: Callable[[str], bool]) -> int | None:
        with self.db.transaction(durable=True) as conn:
            row = conn.execute("SELECT status, owner, lease_until, attempts FROM digest_deliveries "
                               "WHERE subscriber_id = ? AND period = ?",
                               (subscriber_id, period)).fetchone()
            if row is None:
                conn.execute("INSERT INTO digest_deliveries (subscriber_id, period, status, owner, "
                             "lease_until, attempts, updated_at) VALUES (?, ?, 'claimed', ?, ?, 1, ?)",
                             (subscriber_id, period, owner, lease_until, now))
                return 1
            attempts = row[3]
            verdict = claim_verdict(row, owner=owner, now=now, max_attempts=max_attempts,
                                    owner_alive=owner_alive)
            if verdict == "abandon":
                conn.execute("UPDATE digest_deliveries SET status = 'abandoned', lease_until = NULL, "
                             "detail = ?, updated_at = ? WHERE subscriber_id = ? AND period = ?",
                             (abandoned_detail(attempts, max_attempts), now, subscriber_id, period))
            if verdict != "take":
                return None
            conn.execute("UPDATE digest_deliveries SET status = 'claimed', owner = ?, lease_until = ?, "
                         "attempts = attempts + 1, updated_at = ? WHERE subscriber_id = ? AND period = ?",
                         (owner, lease_until, now, subscriber_id, period))
            return attempts + 1

    def finish_delivery(self, subscriber_id: int, period: str, owner: str, status: str,
                        now: str, message_id: str | None = None,
                        detail: str | None = None) -> None:
        with self.db.transaction(durable=True) as conn:
            conn.execute("UPDATE digest_deliveries SET status = ?, message_id = coalesce(?, message_id), "
                         "detail = ?, lease_until = NULL, updated_at = ? "
                         "WHERE subscriber_id = ? AND period = ? AND owner = ?",
                         (status, message_id, detail, now, subscriber_id, period, owner))

    def list_deliveries(self, subscriber_id: int | None = None,
                        period: str | None = None) -> list[Delivery]:
        conds, args = [], []
        if subscriber_id is not None:
            conds.append("subscriber_id = ?")
            args.append(subscriber_id)
        if period is not None:
            conds.append("period = ?")
            args.append(period)
        where = f"WHERE {' AND '.join(conds)}" if conds else ""
        rows = self.db.conn.execute(
            "SELECT subscriber_id, period, status, owner, lease_until, attempts, message_id, detail, "
            f"updated_at FROM digest_deliveries {where} ORDER BY subscriber_id, period", args)
        return [Delivery(*r) for r in rows.fetchall()]

    # -- bounces, suppression, log -----------------------------------------------------------
    def is_suppressed(self, email: str) -> bool:
        row = self.db.conn.execute("SELECT suppressed_at FROM mail_addresses WHERE email = ?",
                                   (email,)).fetchone()
        return bool(row and row[0])

    def record_bounce(self, email: str, code: int | None, detail: str, threshold: int,
                      now: str) -> bool:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO mail_addresses (email, bounces, last_code, last_detail) VALUES (?, 1, ?, ?) "
                "ON CONFLICT (email) DO UPDATE SET bounces = bounces + 1, last_code = excluded.last_code, "
                "last_detail = excluded.last_detail", (email, code, detail))
            conn.execute("UPDATE mail_addresses SET suppressed_at = ? WHERE email = ? "
                         "AND bounces >= ? AND suppressed_at IS NULL", (now, email, threshold))
            row = conn.execute("SELECT suppressed_at FROM mail_addresses WHERE email = ?",
                               (email,)).fetchone()
        return bool(row[0])

    def clear_bounces(self, email: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM mail_addresses WHERE email = ?", (email,))

    def log_mail(self, entry: MailLogEntry) -> None:
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO mail_log (at, recipient, kind, message_id, status, code, detail, "
                         "attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (entry.at, entry.recipient, entry.kind, entry.message_id, entry.status,
                          entry.code, entry.detail, entry.attempts))

    def mail_log(self, recipient: str | None = None, limit: int = 100) -> list[MailLogEntry]:
        where, args = ("WHERE recipient = ? COLLATE NOCASE", (recipient,)) if recipient else ("", ())
        rows = self.db.conn.execute(
            f"SELECT at, recipient, kind, status, message_id, code, detail, attempts FROM mail_log "
            f"{where} ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [MailLogEntry(*r) for r in rows]

    # -- global rate limit --------------------------------------------------------------------
    def reserve_mail_slot(self, interval: float, now: float) -> float:
        with self.db.transaction() as conn:
            row = conn.execute("SELECT next_at FROM mail_rate WHERE id = 1").fetchone()
            slot = max(now, row[0]) if row else now
            conn.execute("INSERT INTO mail_rate (id, next_at) VALUES (1, ?) "
                         "ON CONFLICT (id) DO UPDATE SET next_at = excluded.next_at",
                         (slot + interval,))
        return slot
