"""`shopcore orders expire|graph`: unpaid orders and the order state machine."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import click

from shopcore.application.orders import ExpireOrders

log = logging.getLogger("shopcore.orders")


def expire_all(expire: Callable[[], ExpireOrders], batch: int = 100) -> int:
    """Run the expiry in batches, each its own transaction, until a batch finds none."""
    total = 0
    while expired := expire()(limit=batch):
        total += expired
    if total:
        log.info("expired %d unpaid order(s); their stock is back on sale", total)
    return total


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
    from shopcore.entrypoints.cli import shop, stored_settings

    settings = stored_settings("expire orders in")
    minutes = settings.order_expiry_minutes if minutes is None else minutes
    with shop(settings) as container:
        provider = container.use_cases.expire_orders
        total = expire_all(lambda: provider(after=timedelta(minutes=minutes)), batch)
    click.echo(f"cancelled {total} unpaid order(s) pending for more than {minutes} minute(s)")


@orders.command("graph")
def graph() -> None:
    """Print the order state machine as a Mermaid diagram (paste it into any Mermaid viewer)."""
    from shopcore.domain.order import mermaid

    click.echo(mermaid())
