"""The `shopcore` command: every command group, added in one place."""

from __future__ import annotations

import click

from shopcore import __version__
from shopcore.entrypoints.cli.admin import create_admin
from shopcore.entrypoints.cli.check_config import check_config
from shopcore.entrypoints.cli.data import populate_data
from shopcore.entrypoints.cli.db import db
from shopcore.entrypoints.cli.events import consume_events, events, relay_outbox
from shopcore.entrypoints.cli.orders import orders
from shopcore.entrypoints.cli.payments import payments
from shopcore.entrypoints.cli.search import search_index
from shopcore.entrypoints.cli.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shopcore")
def main() -> None:
    """shopcore: a hexagonal e-commerce backend.

    Settings come from SHOPCORE_* environment variables (and a .env file in the
    current directory); unset means the embedded default, a SQLite file in var/.
    """


for command in (serve, db, create_admin, relay_outbox, consume_events, events, orders,
                payments, populate_data, search_index, check_config):
    main.add_command(command)
