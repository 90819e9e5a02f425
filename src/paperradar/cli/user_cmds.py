"""CLI commands of the user area: ``paperradar user create EMAIL [--admin] [--password-stdin]``,
``paperradar user verify EMAIL`` (confirm an address by hand) and ``paperradar user token EMAIL`` (prints a new API token; only its hash is stored)."""

from __future__ import annotations

import re
import secrets
import sys

import typer

from paperradar.cli import common
from paperradar.cli.common import UserError

user_app = typer.Typer(no_args_is_help=True, help="Accounts: create and verify users, issue API tokens.")
_EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,252}\.[A-Za-z]{2,63}$")


def _handle_for(store, email: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]", "", email.split("@", 1)[0])[:24] or "user"
    if not base[0].isalnum():
        base = "u" + base
    name, n = base if len(base) >= 2 else base + "0", 1
    while store.get_user_by_name(name) is not None:
        n += 1
        name = f"{base}{n}"
    return name


@user_app.command("create")
def create(email: str = typer.Argument(..., help="the account's email address"),
           admin: bool = typer.Option(False, "--admin", help="make the user an administrator"),
           password_stdin: bool = typer.Option(False, "--password-stdin",
                                               help="read the password from standard input"),
           name: str = typer.Option("", "--name", help="public name (default: from the email)")
           ) -> None:
    """Create a user (email confirmed: the operator vouches for it)."""
    from paperradar.web.security import Passwords

    email = email.strip()
    if not _EMAIL.match(email):
        raise UserError(f"not an email address: {email!r}")
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if len(password) < 10:
            raise UserError("the password must have at least 10 characters")
    settings = common.settings()
    with common.store_from_settings(settings) as store:
        if store.get_user_by_email(email) is not None:
            raise UserError(f"a user with the email {email} already exists "
                            f"(confirm their address with: paperradar user verify {email})")
        if name and store.get_user_by_name(name) is not None:
            raise UserError(f"the name {name!r} is taken")
        hashed = Passwords(settings).hash(password) if password else None
        user = store.create_user(email, name or _handle_for(store, email), hashed,
                                 is_admin=admin, verified=True)
    role = "admin" if admin else "user"
    how = "with a password" if password else "without a password (use the reset link to set one)"
    common.out.print(f"created {role} {user.name} <{user.email}> {how}", highlight=False)


@user_app.command("verify")
def verify(email: str = typer.Argument(..., help="the account's email address")) -> None:
    """Mark a user's email address as confirmed (when the confirmation mail cannot reach them)."""
    with common.store_from_settings() as store:
        user = store.get_user_by_email(email.strip())
        if user is None:
            raise UserError(f"no user with the email {email}")
        if not user.verified:
            store.update_user(user.id, verified=True)
    common.out.print(f"{user.email} is confirmed: {user.name} can upvote, comment and submit",
                     highlight=False)


@user_app.command("token")
def token(email: str = typer.Argument(..., help="the account's email address"),
          label: str = typer.Option("cli", "--name", help="what the token is for")) -> None:
    """Print a new API token for the user (send it as Authorization: Bearer TOKEN)."""
    from paperradar.web.auth_deps import TOKEN_PREFIX
    from paperradar.web.security import hash_secret

    with common.store_from_settings() as store:
        user = store.get_user_by_email(email.strip())
        if user is None:
            raise UserError(f"no user with the email {email}")
        if user.banned:
            raise UserError(f"{email} is banned")
        value = TOKEN_PREFIX + secrets.token_urlsafe(32)
        store.create_api_token(user.id, label, hash_secret(value), value[:len(TOKEN_PREFIX) + 4])
    print(value)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(user_app, name="user")
