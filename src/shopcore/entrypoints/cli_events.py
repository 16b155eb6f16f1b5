"""`shopcore relay-outbox` and `shopcore events ...`: the outbox from the command line."""

from __future__ import annotations

import logging
import re
import signal
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from shopcore.domain.events import AGGREGATES
from shopcore.ports.events import topic_of

DURATION = re.compile(r"^(\d+)([smhd])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_since(value: str) -> datetime:
    """An ISO-8601 moment (UTC when naive) or a duration back from now: 30m, 2h, 7d."""
    match = DURATION.match(value.strip())
    if match:
        return datetime.now(UTC) - timedelta(**{UNITS[match[2]]: int(match[1])})
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter("use an ISO-8601 time or a duration like 30m, 2h, 7d") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def topics_of(aggregates: tuple[str, ...]) -> list[str] | None:
    return [topic_of(a) for a in aggregates] or None


@click.command("relay-outbox")
@click.option("--once", is_flag=True, help="Relay what is waiting, then exit.")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 10_000))
def relay_outbox(once: bool, batch: int) -> None:
    """Publish outbox events to the bus (Kafka when configured), oldest first."""
    from shopcore.entrypoints.cli import load_settings, shop
    from shopcore.entrypoints.relay import RelayLoop

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = load_settings()
    with shop(settings) as container:
        relay = container.use_cases.relay_outbox

        def once_more() -> Any:
            return relay()(limit=batch)

        if once:
            total = 0
            while (result := once_more()).published:
                total += result.published
            click.echo(f"published {total} event(s); {result.failed} waiting"
                       + (f" ({result.error})" if result.error else ""))
            return
        loop = RelayLoop(once_more, interval=settings.relay_interval_seconds)
        signal.signal(signal.SIGTERM, lambda *_: loop.stop.set())
        click.echo(f"relaying the outbox to the {settings.event_bus} bus; Ctrl+C to stop")
        try:
            loop.run()
        except KeyboardInterrupt:
            loop.stop.set()


@click.group("events")
def events() -> None:
    """Inspect and replay the event outbox."""


@events.command("status")
def status() -> None:
    """The outbox backlog: unsent events, the oldest one's age, the last relay error."""
    from shopcore.entrypoints.cli import load_settings, shop

    settings = load_settings()
    with shop(settings) as container:
        stats = container.use_cases.outbox_status()()
        bus = container.adapters.event_publisher().check()
    age = (f"{(datetime.now(UTC) - stats.oldest_unsent).total_seconds():.0f}s"
           if stats.oldest_unsent else "-")
    click.echo(f"bus:            {settings.event_bus} ({bus})")
    click.echo(f"unsent:         {stats.unsent}")
    click.echo(f"oldest unsent:  {age}")
    click.echo(f"published:      {stats.published}")
    click.echo(f"last error:     {stats.last_error or '-'}")


@events.command("replay")
@click.option("--since", required=True, help="ISO-8601 time, or a duration back: 30m, 2h, 7d.")
@click.option("--aggregate", "aggregates", multiple=True, type=click.Choice(AGGREGATES),
              help="Only these aggregates' topics (repeatable).")
def replay(since: str, aggregates: tuple[str, ...]) -> None:
    """Publish stored events again; consumers drop the ones they already handled."""
    from shopcore.entrypoints.cli import load_settings, shop

    moment = parse_since(since)
    with shop(load_settings()) as container:
        result = container.use_cases.replay_events()(since=moment,
                                                     topics=topics_of(aggregates))
    click.echo(f"replayed {result.published} event(s) since {moment.isoformat()}"
               + (f"; {result.failed} failed ({result.error})" if result.failed else ""))
    if result.failed:
        raise SystemExit(1)
