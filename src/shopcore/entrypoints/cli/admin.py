"""`shopcore create-admin`: a staff user, from options or prompts."""

from __future__ import annotations

import sys

import click

from shopcore.domain.errors import Conflict
from shopcore.entrypoints.cli.context import shop, stored_settings
from shopcore.library import App


def _missing(**values: str | None) -> list[str]:
    return [f"--{name}" for name, value in values.items() if not value]


def _not_asked(missing: list[str]) -> click.UsageError:
    return click.UsageError(f"missing {', '.join(missing)}: stdin is not a terminal, so nothing "
                            "can be asked; pass them as options (or use --interactive).")


def _exists(app: App, username: str) -> bool:
    user = app.find_user(username=username)
    if user is not None and not user.is_staff:
        click.echo(f"warning: {username!r} exists but is not staff", err=True)
    return user is not None


@click.command("create-admin")
@click.option("--username", help="Login name of the staff account.")
@click.option("--email", help="Its e-mail address.")
@click.option("--password", help="Its password; prompted (hidden, twice) when omitted.")
@click.option("--if-missing", is_flag=True,
              help="Succeed without changing anything when the username exists.")
@click.option("--interactive/--no-interactive", default=None,
              help="Prompt for missing values [default: when stdin is a terminal].")
def create_admin(username: str | None, email: str | None, password: str | None,
                 if_missing: bool, interactive: bool | None) -> None:
    """Create a staff user.

    Staff may manage the catalog and orders. Missing values are prompted for on a
    terminal; elsewhere they must be given as options.
    """
    interactive = sys.stdin.isatty() if interactive is None else interactive
    missing = _missing(username=username, email=email, password=password)
    if missing and not interactive and not (if_missing and username):
        raise _not_asked(missing)
    settings = stored_settings("create an admin in")
    with shop(settings) as app:
        username = username or click.prompt("Username")
        if if_missing and _exists(app, username):
            click.echo(f"user {username!r} already exists; nothing to do (--if-missing)")
            return
        if missing and not interactive:
            raise _not_asked(missing)
        email = email or click.prompt("E-mail")
        password = password or click.prompt("Password", hide_input=True,
                                            confirmation_prompt=True)
        try:
            user = app.register_user(username=username, email=email, password=password,
                                     is_staff=True)
        except Conflict as exc:
            if if_missing and "username" in exc.errors:
                click.echo(f"user {username!r} already exists; nothing to do (--if-missing)")
                return
            raise
    click.echo(f"created staff user {user.username!r} (id {user.id}, {user.email})")
