"""`shopcore payments reconcile`: settle the attempts the provider knows more about."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import click

from shopcore.entrypoints.cli.context import shop, stored_settings

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")


class Duration(click.ParamType[timedelta]):
    """`90s`, `15m`, `2h`, `1d`; a bare number is minutes."""

    name = "duration"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> timedelta:
        if isinstance(value, timedelta):
            return value
        found = DURATION.match(str(value))
        if found is None:
            self.fail(f"{value!r} is not a duration such as 90s, 15m, 2h or 1d.", param, ctx)
        return timedelta(**{UNITS[found.group(2) or "m"]: int(found.group(1))})


@click.group("payments")
def payments() -> None:
    """Payments: settle attempts left open."""


@payments.command("reconcile")
@click.option("--older-than", "older_than", type=Duration(), default="15m", show_default=True,
              help="Only attempts open for longer than this (90s, 15m, 2h, 1d).")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1, 100_000),
              help="Attempts looked at in one run.")
def reconcile(older_than: timedelta, limit: int) -> None:
    """Ask the provider about attempts still processing or awaiting action, and settle each.

    Safe to run from cron while the shop serves: each attempt is settled in its own short
    transaction and only ever moves forward, as a webhook would move it.
    """
    settings = stored_settings("reconcile in")
    with shop(settings) as app:
        result = replace(app.reconcile_payments, older_than=older_than)(limit=limit)
    for a in result.attempts:
        detail = f": {a.detail}" if a.detail else ""
        click.echo(f"payment {a.payment_id} (order {a.order_id}, attempt {a.attempt}) "
                   f"{a.outcome}{detail}")
    counts = ", ".join(f"{result.count(o)} {o}"
                       for o in ("paid", "failed", "waiting", "unreachable"))
    click.echo(f"reconciled {len(result.attempts)} attempt(s): {counts}")
