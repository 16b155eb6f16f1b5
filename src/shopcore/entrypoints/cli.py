"""The `shopcore` command: serve the API, migrate the database, create an admin, add demo data."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from shopcore import __version__
from shopcore.domain.errors import Conflict, DomainError
from shopcore.settings import Settings, SettingsError

PROGRESS_FROM = 2_000


def configure_logging() -> None:
    """Our INFO lines (events, relay) on the console; the Kafka client's only when they matter."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)


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
def shop(settings: Settings) -> Iterator[Any]:
    """A fresh container for one command, shut down when it ends; errors become messages."""
    from shopcore.bootstrap import build

    container = build(settings)
    try:
        yield container
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
        container.shutdown_resources()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shopcore")
def main() -> None:
    """shopcore: a hexagonal e-commerce backend.

    Settings come from SHOPCORE_* environment variables (and a .env file in the
    current directory); unset means the embedded default, a SQLite file in var/.
    """


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads/--no-threads", default=True, show_default=True,
              help="Serve each request in its own thread.")
@click.option("--debug", is_flag=True, help="Interactive debugger and auto-reload (never public).")
@click.option("--relay/--no-relay", default=None,
              help="Relay the outbox in a background thread "
                   "[default: on for the in-process bus, off for Kafka].")
def serve(host: str, port: int, threads: bool, debug: bool, relay: bool | None) -> None:
    """Run the API on the development server.

    In production use gunicorn: gunicorn 'shopcore.entrypoints.wsgi:app', with
    `shopcore relay-outbox` as its own process.
    """
    from werkzeug.serving import run_simple

    from shopcore.entrypoints.cli_orders import expire_all
    from shopcore.entrypoints.http.app import create_app
    from shopcore.entrypoints.relay import Periodic, RelayLoop

    configure_logging()
    settings = load_settings()
    app = create_app(settings)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    run_relay = relay if relay is not None else settings.event_bus != "kafka"
    if run_relay:
        use_cases = app.extensions["shopcore"].use_cases
        RelayLoop(lambda: use_cases.relay_outbox()(limit=100),
                  interval=settings.relay_interval_seconds).start()
        Periodic(lambda: expire_all(use_cases.expire_orders), every=60,
                 name="shopcore-expiry").start()
    try:
        if os.environ.get("WERKZEUG_RUN_MAIN") != "true":
            shown_host = f"[{host}]" if ":" in host else host
            url = f"http://{shown_host}:{port}/"
            click.echo(f"shopcore {__version__} on {url}  (API docs: {url}api/docs/)")
            click.echo(f"database: {shown(settings.database_url)}; press Ctrl+C to stop")
        run_simple(host, port, app, threaded=threads, use_debugger=debug, use_reloader=debug)
    finally:
        app.extensions["shopcore"].shutdown_resources()


def _exit_on_sigterm(_signum: int, _frame: Any) -> None:
    sys.exit(0)


@main.group()
def db() -> None:
    """The database schema (Alembic migrations)."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade(revision: str) -> None:
    """Create or update the tables."""
    from shopcore.adapters.sqlalchemy import migrate

    settings = stored_settings("migrate")
    with shop(settings) as container:
        engine = container.gateways.engine()
        migrate.upgrade(settings.database_url, revision, engine=engine)
        now = migrate.current(engine)
    click.echo(f"database {shown(settings.database_url)} is at revision {now}")


@db.command()
def current() -> None:
    """Show the schema's revision and the newest one available."""
    from shopcore.adapters.sqlalchemy import migrate

    settings = stored_settings("inspect")
    with shop(settings) as container:
        now = migrate.current(container.gateways.engine())
    head = migrate.head()
    if now == head:
        click.echo(f"{now} (head)")
    else:
        click.echo(f"{now or 'empty'} (head is {head}: run `shopcore db upgrade`)")


@db.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Go back to REVISION (`base` drops every table, and the data with them)."""
    from shopcore.adapters.sqlalchemy import migrate

    settings = stored_settings("migrate")
    migrate.downgrade(settings.database_url, revision)
    with shop(settings) as container:
        now = migrate.current(container.gateways.engine())
    click.echo(f"database {shown(settings.database_url)} is at revision {now or 'base'}")


def _missing(**values: str | None) -> list[str]:
    return [f"--{name}" for name, value in values.items() if not value]


def _not_asked(missing: list[str]) -> click.UsageError:
    return click.UsageError(f"missing {', '.join(missing)}: stdin is not a terminal, so nothing "
                            "can be asked; pass them as options (or use --interactive).")


@main.command("create-admin")
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
    with shop(settings) as container:
        username = username or click.prompt("Username")
        if if_missing and _exists(container, username):
            click.echo(f"user {username!r} already exists; nothing to do (--if-missing)")
            return
        if missing and not interactive:
            raise _not_asked(missing)
        email = email or click.prompt("E-mail")
        password = password or click.prompt("Password", hide_input=True,
                                            confirmation_prompt=True)
        try:
            user = container.use_cases.register_user()(
                username=username, email=email, password=password, is_staff=True)
        except Conflict as exc:
            if if_missing and "username" in exc.errors:
                click.echo(f"user {username!r} already exists; nothing to do (--if-missing)")
                return
            raise
    click.echo(f"created staff user {user.username!r} (id {user.id}, {user.email})")


def _exists(container: Any, username: str) -> bool:
    with container.adapters.uow() as uow:
        user = uow.users.by_username(username)
    if user is not None and not user.is_staff:
        click.echo(f"warning: {username!r} exists but is not staff", err=True)
    return user is not None


@main.command("populate-data")
@click.option("--users", default=10, show_default=True, type=click.IntRange(min=0))
@click.option("--categories", default=20, show_default=True, type=click.IntRange(min=0))
@click.option("--products", default=10_000, show_default=True, type=click.IntRange(min=0))
@click.option("--seed", default=42, show_default=True, help="Same seed, same data.")
@click.option("--password", default="password123", show_default=True,
              help="The password every demo user shares.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the catalog has products.")
def populate_data(users: int, categories: int, products: int, seed: int, password: str,
                  if_empty: bool) -> None:
    """Add fake users, categories and products.

    Faker data for demos and load tests, the same for the same --seed.
    """
    from shopcore.entrypoints.demo_data import DemoData

    settings = stored_settings("populate")
    started = time.perf_counter()
    with shop(settings) as container:
        demo = DemoData(container, seed)
        existing = demo.product_count() if if_empty else 0
        if existing:
            click.echo(f"the catalog already has {existing} products; nothing to do (--if-empty)")
            return
        added_users = demo.add_users(users, password)
        category_ids = demo.add_categories(categories)
        if products and not category_ids:
            raise click.ClickException("there are no categories to put products in: "
                                       "pass --categories 1 or more.")
        if products >= PROGRESS_FROM:
            with click.progressbar(length=products, label="products", file=sys.stderr) as bar:
                demo.add_products(products, category_ids, bar.update)
        else:
            demo.add_products(products, category_ids)
    click.echo(f"created {added_users} users, {categories} categories, {products} products "
               f"in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()


def _register_event_commands() -> None:
    from shopcore.entrypoints.cli_events import consume_events, events, relay_outbox
    from shopcore.entrypoints.cli_orders import orders

    main.add_command(relay_outbox)
    main.add_command(consume_events)
    main.add_command(events)
    main.add_command(orders)


_register_event_commands()
