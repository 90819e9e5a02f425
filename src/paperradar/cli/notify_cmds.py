"""CLI commands of the notify area: ``subscribers`` (add, import, list, unsubscribe, inbound),
``digest`` (preview, send) and ``worker`` (registered by ``paperradar.cli``)."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

import typer

from paperradar.cli import common
from paperradar.cli.common import UserError

subscribers_app = typer.Typer(no_args_is_help=True, help="Digest subscribers.")
digest_app = typer.Typer(no_args_is_help=True, help="Email digests: preview and send.")


def _at(value: str | None) -> datetime:
    if not value:
        return datetime.now(timezone.utc)
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--at: {value!r} is not an ISO time (e.g. 2026-03-02T08:30:00Z)") from None
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def _prefs(frequency, hour, weekday, tz, categories, queries, authors, trending) -> dict:
    prefs: dict = {"frequency": frequency, "hour": hour, "weekday": weekday, "timezone": tz,
                   "trending": trending}
    for key, values in (("categories", categories), ("queries", queries), ("authors", authors)):
        if values:
            prefs[key] = list(values)
    return prefs


def _new_subscriber(email: str, prefs: dict, confirmed: bool, source: str, now: datetime):
    from paperradar.notify.subscriptions import apply_prefs, iso, normalize_email
    from paperradar.store.base.notify import Subscriber

    sub = apply_prefs(Subscriber(email=normalize_email(email), created_at=iso(now), source=source),
                      prefs)
    if confirmed:
        sub.status, sub.confirmed_at = "active", iso(now)
    return sub


@subscribers_app.command("add")
def add(email: str = typer.Argument(...),
        frequency: str = typer.Option("daily", "--frequency", help="daily (weekdays) or weekly"),
        category: List[str] = typer.Option([], "--category", help="e.g. cs.CL (repeatable)"),
        query: List[str] = typer.Option([], "--query", help="saved keyword search (repeatable)"),
        author: List[str] = typer.Option([], "--author", help="author name (repeatable)"),
        hour: int = typer.Option(8, "--hour", help="local hour 0-23"),
        weekday: int = typer.Option(0, "--weekday", help="weekly: 0 = Monday"),
        tz: str = typer.Option("UTC", "--timezone", help="e.g. Europe/Paris"),
        no_trending: bool = typer.Option(False, "--no-trending", help="leave out trending papers"),
        confirmed: bool = typer.Option(False, "--confirmed",
                                       help="active at once (only when you vouch for consent); "
                                            "otherwise a confirmation mail is sent")) -> None:
    """Add a subscriber (double opt-in unless --confirmed)."""
    from paperradar.notify.subscriptions import InvalidInput, request_subscription

    settings = common.settings()
    prefs = _prefs(frequency, hour, weekday, tz, category, query, author, not no_trending)
    now = datetime.now(timezone.utc)
    with common.store_from_settings(settings) as store:
        try:
            if not confirmed:
                request_subscription(settings, store, email, prefs, now=now)
                common.out.print(f"confirmation mail sent to {email} (pending until confirmed)")
                return
            sub = _new_subscriber(email, prefs, True, "cli", now)
        except InvalidInput as exc:
            raise UserError(str(exc)) from exc
        stored, created = store.add_subscriber(sub)
        if not created:
            raise UserError(f"{stored.email} is already a subscriber ({stored.status})")
    common.out.print(f"added {stored.email} (active, {stored.frequency})")


def _csv_rows(path: Path) -> list[dict]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or "email" not in [c.strip().lower() for c in reader.fieldnames]:
                raise UserError(f"{path}: needs a header row with an 'email' column")
            return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
                    for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"{path}: {exc}") from exc


@subscribers_app.command("import")
def import_csv(path: Path = typer.Argument(..., help="CSV: email[,frequency,hour,weekday,timezone,"
                                                     "categories,queries,authors] (lists split by ;)"),
               confirmed: bool = typer.Option(False, "--confirmed",
                                              help="import as active (you vouch for consent); "
                                                   "otherwise each address gets a confirmation mail")) -> None:
    """Import subscribers from a CSV file; nothing is written if any row is invalid."""
    from paperradar.notify.subscriptions import InvalidInput, request_subscription

    settings = common.settings()
    now = datetime.now(timezone.utc)
    subs, errors = [], []
    for line, row in enumerate(_csv_rows(path), start=2):
        prefs = {k: row[k] for k in ("frequency", "hour", "weekday", "timezone") if row.get(k)}
        for k in ("categories", "queries", "authors"):
            if row.get(k):
                prefs[k] = row[k].split(";")
        try:
            subs.append(_new_subscriber(row.get("email", ""), prefs, confirmed, "import", now))
        except InvalidInput as exc:
            errors.append(f"line {line}: {exc}")
    if errors:
        raise UserError(f"{path}: {common.plural(len(errors), 'invalid row')}, nothing imported; "
                        + "; ".join(errors[:10]))
    with common.store_from_settings(settings) as store:
        if confirmed:
            added, skipped = store.add_subscribers(subs)
        else:
            added = skipped = 0
            for s in subs:
                existed = store.get_subscriber_by_email(s.email) is not None
                request_subscription(settings, store, s.email, _prefs_of(s), now=now)
                skipped += existed
                added += not existed
    common.out.print(f"imported {common.plural(added, 'subscriber')}, {skipped} already present"
                     + ("" if confirmed else "; confirmation mails sent"))


def _prefs_of(sub) -> dict:
    from paperradar.notify.subscriptions import prefs_dict

    d = prefs_dict(sub)
    for k in ("email", "status"):
        d.pop(k)
    return d


@subscribers_app.command("list")
def list_cmd(status: Optional[str] = typer.Option(None, "--status", help="pending|active|unsubscribed"),
             as_json: bool = typer.Option(False, "--json", help="print JSON lines")) -> None:
    """List subscribers and their preferences."""
    from paperradar.notify.subscriptions import prefs_dict

    with common.store_from_settings() as store:
        offset = 0
        while batch := store.list_subscribers(status, limit=1000, offset=offset):
            for s in batch:
                if as_json:
                    typer.echo(json.dumps(prefs_dict(s)))
                else:
                    topics = ", ".join([*s.categories, *(f'"{q}"' for q in s.queries),
                                        *(f"author:{a}" for a in s.authors)]) or "-"
                    typer.echo(f"{s.email}\t{s.status}\t{s.frequency}\t{s.hour:02d}:00 "
                               f"{s.timezone}\t{topics}")
            offset += len(batch)


@subscribers_app.command("confirm")
def confirm_cmd(email: str = typer.Argument(...)) -> None:
    """Activate a pending subscriber without the confirmation mail (the operator vouches)."""
    from paperradar.notify.subscriptions import iso

    with common.store_from_settings() as store:
        sub = store.get_subscriber_by_email(email.strip())
        if sub is None:
            raise UserError(f"{email} is not a subscriber")
        if sub.status == "active":
            common.out.print(f"{sub.email} is already active")
            return
        sub.status, sub.confirmed_at = "active", iso(datetime.now(timezone.utc))
        sub.unsubscribed_at = None
        store.update_subscriber(sub)
    common.out.print(f"{sub.email} confirmed: digests will be sent")


@subscribers_app.command("unsubscribe")
def unsubscribe_cmd(email: str = typer.Argument(...)) -> None:
    """Stop digests to an address (idempotent)."""
    from paperradar.notify.subscriptions import unsubscribe

    with common.store_from_settings() as store:
        sub = store.get_subscriber_by_email(email.strip())
        if sub is None:
            raise UserError(f"{email} is not a subscriber")
        unsubscribe(store, sub)
    common.out.print(f"{email} unsubscribed")


@subscribers_app.command("remove")
def remove_cmd(email: str = typer.Argument(...)) -> None:
    """Forget an address entirely (its preferences and delivery history)."""
    with common.store_from_settings() as store:
        sub = store.get_subscriber_by_email(email.strip())
        if sub is None or not store.delete_subscriber(sub.id):
            raise UserError(f"{email} is not a subscriber")
    common.out.print(f"{email} removed")


@subscribers_app.command("purge-pending")
def purge_pending_cmd(days: float = typer.Option(7.0, "--older-than-days", min=0,
                                                 help="age of unconfirmed sign-ups to delete")) -> None:
    """Delete sign-ups never confirmed within the given number of days."""
    from datetime import timedelta

    from paperradar.notify.subscriptions import iso

    with common.store_from_settings() as store:
        n = store.purge_pending(iso(datetime.now(timezone.utc) - timedelta(days=days)))
    common.out.print(f"deleted {n} unconfirmed subscriber{'' if n == 1 else 's'}")


@subscribers_app.command("inbound")
def inbound() -> None:
    """Read one mail on stdin (pipe the sender address here from your MTA): delivery failure
    reports count as bounces; "unsubscribe TOKEN" requests (List-Unsubscribe mailto) unsubscribe."""
    from paperradar.notify.inbound import handle_inbound

    raw = sys.stdin.buffer.read()
    settings = common.settings()
    with common.store_from_settings(settings) as store:
        try:
            done = handle_inbound(settings, store, raw)
        except ValueError as exc:
            raise UserError(str(exc)) from exc
    common.out.print(done, highlight=False)


@digest_app.command("preview")
def preview(email: str = typer.Option(..., "--email", help="the subscriber"),
            html: Optional[Path] = typer.Option(None, "--html", help="also write the HTML part here"),
            at: Optional[str] = typer.Option(None, "--at", help="ISO time (default: now)"),
            send_it: bool = typer.Option(False, "--send", help="also mail it to the subscriber "
                                         "now (a test digest; the demo's go to the outbox)")) -> None:
    """Print the digest a subscriber would get for their latest period (sends nothing unless
    --send; --at a past time shows a digest of the data you have, e.g. the demo's 2025 days)."""
    from paperradar.notify.digest import build_digest
    from paperradar.notify.runner import make_searcher
    from paperradar.notify.schedule import latest_period

    settings = common.settings()
    when = _at(at)
    with common.store_from_settings(settings) as store:
        sub = store.get_subscriber_by_email(email.strip())
        if sub is None:
            raise UserError(f"{email} is not a subscriber")
        period = latest_period(sub, when)
        msg = build_digest(settings, store, make_searcher(settings, store), sub, period, when)
    if msg is None:
        common.out.print(f"nothing to send to {sub.email} for {period.key}")
        return
    if send_it:
        from paperradar.notify.mail import Mailer

        with common.store_from_settings(settings) as store, Mailer(settings, store) as mailer:
            result = mailer.send(msg, kind="digest-test")
        if not result.ok:
            raise UserError(f"not sent to {sub.email}: {result.status} {result.detail}")
        common.console.print(f"sent to {sub.email}", highlight=False)
    common.out.print(f"Subject: {msg['Subject']}\n", highlight=False)
    common.out.print(msg.get_body(("plain",)).get_content(), highlight=False, markup=False)
    if html:
        html.write_text(msg.get_body(("html",)).get_content(), encoding="utf-8")
        common.out.print(f"HTML written to {html}")


@digest_app.command("send")
def send(dry_run: bool = typer.Option(False, "--dry-run", help="list what would be sent"),
         at: Optional[str] = typer.Option(None, "--at", help="ISO time to run as (catch-up, tests)")) -> None:
    """Send every digest due now (or at --at); safe to run again or concurrently."""
    from paperradar.notify.mail import MailConfigError
    from paperradar.notify.runner import send_due

    settings = common.settings()
    with common.store_from_settings(settings) as store:
        try:
            stats = send_due(settings, store, _at(at), dry_run=dry_run)
        except MailConfigError as exc:
            raise UserError(str(exc)) from exc
    if dry_run:
        for email, period, count in stats.previews:
            typer.echo(f"{email}\t{period}\t{count} papers" if count else
                       f"{email}\t{period}\tnothing to send")
    common.out.print(" ".join(f"{k}={v}" for k, v in stats.as_dict().items()), highlight=False)
    if stats.stopped:
        common.fail(f"stopped early: {stats.stopped}", code=1)


def worker(once: bool = typer.Option(False, "--once", help="run one tick and exit"),
           at: Optional[str] = typer.Option(None, "--at", help="with --once: the tick's time"),
           job: List[str] = typer.Option([], "--job", help="harvest, index or digest (repeatable; "
                                                           "default all)")) -> None:
    """Long-running scheduler: harvest, index and digests on their cron-like settings."""
    import logging

    from paperradar.notify.worker import CronError, build_jobs, run_forever, tick

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # the pool warns at every failed connection attempt while the database restarts; the
    # worker says it once itself ("the database is away", then "back")
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
    settings = common.settings()
    bad = set(job) - {"harvest", "index", "digest"}
    if bad:
        raise UserError(f"unknown job{'s' if len(bad) > 1 else ''}: {', '.join(sorted(bad))}")
    with common.store_from_settings(settings) as store:
        try:
            jobs = build_jobs(settings, store, set(job) or None, wait=once)
        except CronError as exc:
            raise UserError(f"worker schedule: {exc}") from exc
        if once:
            results = tick(jobs, _at(at).replace(second=0, microsecond=0))
            common.out.print(" ".join(f"{k}={getattr(v, 'as_dict', lambda: v)()}"
                                      for k, v in results.items()) or "no job due", highlight=False)
            return
        run_forever(jobs, settings.worker_tick_seconds)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(subscribers_app, name="subscribers")
    app.add_typer(digest_app, name="digest")
    app.command("worker")(worker)
