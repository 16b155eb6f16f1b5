"""`shopcore relay-outbox`, `events status|replay` and `consume-events`."""

from __future__ import annotations

import signal
import threading
from typing import Any

from shopcore import App
from shopcore.settings import Settings
from tests.integration.broker import TansuBroker


def register(env: dict[str, str], *names: str) -> None:
    with App(Settings.from_env(env, dotenv=None)) as app:
        for name in names:
            app.register_user(username=name, email=f"{name}@example.com",
                              password="correct-horse")


def test_status_shows_the_backlog_and_relay_once_drains_it(shopcore: Any,
                                                          migrated: dict[str, str]) -> None:
    register(migrated, "ada", "bob")

    before = shopcore("events", "status")
    relayed = shopcore("relay-outbox", "--once")
    after = shopcore("events", "status")

    assert before.exit_code == 0, before.output
    assert "unsent:         2" in before.output
    assert "bus:            inprocess (up)" in before.output
    assert relayed.exit_code == 0, relayed.output
    assert "published 2 event(s)" in relayed.output
    assert "unsent:         0" in after.output
    assert "published:      2" in after.output


def test_replay_republishes_events_since_a_duration_ago(shopcore: Any,
                                                        migrated: dict[str, str]) -> None:
    register(migrated, "ada")
    shopcore("relay-outbox", "--once")

    replayed = shopcore("events", "replay", "--since", "1h", "--aggregate", "users")
    none = shopcore("events", "replay", "--since", "1h", "--aggregate", "catalog")
    bad = shopcore("events", "replay", "--since", "yesterday")

    assert "replayed 1 event(s)" in replayed.output
    assert "replayed 0 event(s)" in none.output
    assert bad.exit_code == 2
    assert "ISO-8601" in bad.output


def test_consume_events_needs_a_kafka_broker_configured(shopcore: Any,
                                                        migrated: dict[str, str]) -> None:
    result = shopcore("consume-events")
    assert result.exit_code == 2
    assert "SHOPCORE_KAFKA_BOOTSTRAP_SERVERS" in result.output


def test_consume_events_prints_one_line_per_event_relayed_to_kafka(
    shopcore: Any, migrated: dict[str, str], kafka_broker: TansuBroker
) -> None:
    kafka = {**migrated, "SHOPCORE_KAFKA_BOOTSTRAP_SERVERS": kafka_broker.bootstrap_servers}
    register(kafka, "ada")
    assert "published 1 event(s)" in shopcore("relay-outbox", "--once", **kafka).output

    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    timer = threading.Timer(8, signal.raise_signal, args=(signal.SIGTERM,))
    timer.start()
    try:
        result = shopcore("consume-events", "--from-beginning", "--group", "cli-test",
                          **kafka)
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.output.splitlines() if "user.registered" in x]
    assert "key=1" in line
    assert '"username":"ada"' in line
