"""`shopcore db upgrade|current|downgrade`: the database schema (Alembic migrations).

The one command group that knows the SQL adapter: migrations are that adapter's own.
"""

from __future__ import annotations

import click

from shopcore.adapters.sqlalchemy import migrate
from shopcore.entrypoints.cli.context import shop, shown, stored_settings


@click.group()
def db() -> None:
    """The database schema (Alembic migrations)."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade(revision: str) -> None:
    """Create or update the tables."""
    settings = stored_settings("migrate")
    with shop(settings) as app:
        engine = app.container.gateways.engine()
        migrate.upgrade(settings.database_url, revision, engine=engine)
        now = migrate.current(engine)
    click.echo(f"database {shown(settings.database_url)} is at revision {now}")


@db.command()
def current() -> None:
    """Show the schema's revision and the newest one available."""
    settings = stored_settings("inspect")
    with shop(settings) as app:
        now = migrate.current(app.container.gateways.engine())
    head = migrate.head()
    if now == head:
        click.echo(f"{now} (head)")
    else:
        click.echo(f"{now or 'empty'} (head is {head}: run `shopcore db upgrade`)")


@db.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Go back to REVISION (`base` drops every table, and the data with them)."""
    settings = stored_settings("migrate")
    migrate.downgrade(settings.database_url, revision)
    with shop(settings) as app:
        now = migrate.current(app.container.gateways.engine())
    click.echo(f"database {shown(settings.database_url)} is at revision {now or 'base'}")
