"""`shopcore relay-outbox`, `consume-events` and `events status|replay`: events from the shell."""

from __future__ import annotations

import re
import signal
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from shopcore.application.events import RelayResult
from shopcore.domain.events import AGGREGATES
from shopcore.entrypoints.cli.context import configure_logging, load_settings, shop
from shopcore.ports.events import correlation_id, topic_of

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
    from shopcore.entrypoints.relay import RelayLoop

    settings = load_settings()
    configure_logging(settings)
    published = 0
    with shop(settings) as app:

        def once_more() -> RelayResult:
            nonlocal published
            result = app.relay_outbox(limit=batch)
            published += result.published
            return result

        if once:
            total = 0
            while (result := once_more()).published:
                total += result.published
            click.echo(f"published {total} event(s); {result.failed} waiting"
                       + (f" ({result.error})" if result.error else ""))
            return
        loop = RelayLoop(once_more, interval=settings.relay_interval_seconds)
        # A stop lets the batch in flight finish and be marked sent: nothing is sent twice.
        stop_after_batch(loop.stop)
        click.echo(f"relaying the outbox to the {settings.event_bus} bus; Ctrl+C to stop")
        loop.run()
    click.echo(f"relay stopped; published {published} event(s)")


def stop_after_batch(stop: threading.Event) -> None:
    """SIGTERM and Ctrl+C set `stop` instead of interrupting the work in progress."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())


@click.group("events")
def events() -> None:
    """Inspect and replay the event outbox."""


@events.command("status")
def status() -> None:
    """The outbox backlog: unsent events, the oldest one's age, the last relay error."""
    settings = load_settings()
    with shop(settings) as app:
        stats = app.outbox_status()
        bus = app.check_readiness().checks["events"]
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
    moment = parse_since(since)
    with shop(load_settings()) as app:
        result = app.replay_events(since=moment, topics=topics_of(aggregates))
    click.echo(f"replayed {result.published} event(s) since {moment.isoformat()}"
               + (f"; {result.failed} failed ({result.error})" if result.failed else ""))
    if result.failed:
        raise SystemExit(1)


@click.command("consume-events")
@click.option("--topics", "aggregates", multiple=True, type=click.Choice(AGGREGATES),
              help="Aggregates whose topics to read (repeatable) [default: all].")
@click.option("--group", default="shopcore-consumer", show_default=True,
              help="Consumer group: each group gets every event once.")
@click.option("--from-beginning", is_flag=True,
              help="A new group starts at the oldest event instead of the newest.")
@click.option("--metrics-port", type=click.IntRange(1, 65535), default=None,
              help="Serve this consumer's Prometheus metrics (lag, dead letters) on this port.")
def consume_events(aggregates: tuple[str, ...], group: str, from_beginning: bool,
                   metrics_port: int | None) -> None:
    """Print each event from Kafka and run the registered handlers, once per event.

    On SIGTERM or Ctrl+C it finishes the event in hand, commits it and leaves the group.
    """
    from kafka.errors import KafkaError

    from shopcore.adapters.kafka.consumer import HandlerFailed, KafkaEventConsumer
    from shopcore.adapters.kafka.topics import SHOPCORE_TOPICS, TopicsNotCreated

    settings = load_settings()
    configure_logging(settings)
    if not settings.kafka_bootstrap_servers:
        raise click.UsageError("set SHOPCORE_KAFKA_BOOTSTRAP_SERVERS to the Kafka brokers "
                               "(the in-process bus prints events in the server's log)")
    observer = consumer_metrics(metrics_port)
    with shop(settings) as app:

        def handle(message: dict[str, Any]) -> None:
            cause = message.get("correlation_id")
            token = correlation_id.set(cause if isinstance(cause, str) else None)
            try:
                if not app.handle_event(consumer=group, message=message):
                    click.echo(f"# duplicate {message.get('event_id')} dropped")
                    if observer is not None:
                        observer.duplicate()
            finally:
                correlation_id.reset(token)

        consumer = KafkaEventConsumer(
            settings.kafka_bootstrap_servers, group=group,
            topics=topics_of(aggregates) or SHOPCORE_TOPICS, from_beginning=from_beginning,
            handle=handle, max_attempts=settings.consumer_max_attempts, observer=observer,
            partitions=settings.kafka_partitions,
            replication_factor=settings.kafka_replication_factor)
        stop = threading.Event()
        stop_after_batch(stop)
        click.echo(f"consuming as group {group!r}; Ctrl+C to stop", err=True)
        try:
            stats = consumer.run(stop=stop)
        except (KafkaError, OSError, TopicsNotCreated, HandlerFailed) as exc:
            raise click.ClickException(f"{type(exc).__name__}: {exc}") from exc
    click.echo(f"# {stats.handled} handled, {stats.failed_to_dlq} dead-lettered, "
               f"{stats.invalid} invalid", err=True)


def consumer_metrics(port: int | None) -> Any:
    """The consumer's instruments, served on `port`; None without a port."""
    if port is None:
        return None
    from shopcore.adapters.prometheus.consumer import ConsumerMetrics

    metrics = ConsumerMetrics()
    metrics.serve(port)
    click.echo(f"metrics on http://0.0.0.0:{port}/metrics", err=True)
    return metrics
