"""What every command shares: settings, the shop for one command, error messages, logging."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from shopcore.domain.errors import DomainError
from shopcore.library import App
from shopcore.settings import Settings, SettingsError


def configure_logging(settings: Settings) -> None:
    """Our INFO lines (events, relay) on the console, as SHOPCORE_LOG_FORMAT says."""
    from shopcore.entrypoints.logs import configure_logging as configure

    configure(settings.log_format)


def load_settings() -> Settings:
    """Settings from the environment and `.env`, or a clean exit naming the bad variable."""
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def stored_settings(action: str) -> Settings:
    """Settings that point at a real database: `action` makes no sense in memory."""
    settings = load_settings()
    if settings.in_memory:
        raise click.ClickException(
            f"SHOPCORE_DATABASE_URL is memory://: an in-memory database lives and dies with "
            f"one process, so there is nothing to {action}. Point it at SQLite or PostgreSQL.")
    return settings


def shown(url: str) -> str:
    """A database URL fit to print: the password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable URL>"


def explain(exc: DomainError) -> str:
    """The error's message, or its messages field by field when it has them."""
    if not exc.errors:
        return exc.message
    return "\n".join(f"{field}: {' '.join(messages)}" for field, messages in exc.errors.items())


@contextmanager
def shop(settings: Settings) -> Iterator[App]:
    """A fresh App for one command, closed when it ends; errors become messages."""
    app = App(settings)
    try:
        yield app
    except DomainError as exc:
        raise click.ClickException(explain(exc)) from exc
    except ArgumentError as exc:
        raise click.ClickException(f"SHOPCORE_DATABASE_URL: {exc}") from exc
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise click.ClickException(
            f"database error: {reason}\nCheck SHOPCORE_DATABASE_URL "
            f"({shown(settings.database_url)}) and that `shopcore db upgrade` has run.") from exc
    finally:
        app.close()
