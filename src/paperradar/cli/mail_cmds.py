"""CLI commands of the mail outbox: ``paperradar mail outbox`` prints the messages kept in the
data directory when no SMTP server is configured (development, the demo)."""

from __future__ import annotations

from typing import Optional

import typer

from paperradar.cli import common

mail_app = typer.Typer(no_args_is_help=True, help="Mail kept in the outbox (no SMTP configured).")


@mail_app.command("outbox")
def outbox(limit: int = typer.Option(5, "--limit", min=1, max=1000, help="how many, newest first"),
           to: Optional[str] = typer.Option(None, "--to", help="only messages to this address"),
           headers_only: bool = typer.Option(False, "--list", help="one line per message")) -> None:
    """Print the newest messages of the outbox (the links in them work as sent)."""
    from paperradar.notify.outbox import messages

    settings = common.settings()
    box = settings.mail_outbox
    if box is None:
        common.console.print("mail is sent over SMTP (PAPERRADAR_SMTP_URL is set): no outbox",
                             highlight=False)
        return
    found = messages(box, limit=limit, to=to)
    if not found:
        common.console.print(f"the outbox {box.resolve()} is empty", highlight=False)
        return
    for m in found:
        common.out.print(f"{m.date}  to {m.to}  {m.subject}  [{m.name}]", highlight=False,
                         markup=False, soft_wrap=True)
        if not headers_only:
            common.out.print(m.text.rstrip() + "\n", highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(mail_app, name="mail")
