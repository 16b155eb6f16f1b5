"""`shopcore orders expire|graph`: unpaid orders and the order state machine."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import click

from shopcore.entrypoints.cli.context import shop, stored_settings
from shopcore.entrypoints.relay import expire_all


@click.group("orders")
def orders() -> None:
    """Orders: expire unpaid ones, draw the state machine."""


@orders.command("expire")
@click.option("--older-than", "minutes", type=click.IntRange(min=0), default=None,
              help="Minutes a pending order may wait for payment "
                   "[default: SHOPCORE_ORDER_EXPIRY_MINUTES, 30].")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 10_000),
              help="Orders cancelled per transaction.")
def expire(minutes: int | None, batch: int) -> None:
    """Cancel pending orders older than --older-than minutes and put their stock back."""
    settings = stored_settings("expire orders in")
    minutes = settings.order_expiry_minutes if minutes is None else minutes
    with shop(settings) as app:
        after = timedelta(minutes=minutes)
        total = expire_all(lambda: replace(app.expire_orders, after=after), batch)
    click.echo(f"cancelled {total} unpaid order(s) pending for more than {minutes} minute(s)")


@orders.command("graph")
def graph() -> None:
    """Print the order state machine as a Mermaid diagram (paste it into any Mermaid viewer)."""
    from shopcore.domain.order import mermaid

    click.echo(mermaid())
