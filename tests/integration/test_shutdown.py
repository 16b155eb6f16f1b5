"""SIGTERM and SIGKILL to real `relay-outbox` and `consume-events` processes, mid-stream.

SIGTERM: the relay finishes its batch and marks it sent, the consumer commits the event in
hand and leaves its group; nothing is lost and nothing is sent or handled twice. SIGKILL:
nothing is lost either; what was published but not marked (relay) or handled but not
committed (consumer) comes again, and the consumer's dedupe drops it.
"""

from __future__ import annotations

import shutil
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import free_port
from tests.integration.broker import TansuBroker
from tests.integration.processes import (
    SIGKILL,
    SIGTERM,
    Stack,
    duplicate_lines,
    event_lines,
    stop,
    wait_until,
)

pytestmark = pytest.mark.slow
EVENTS = 400


@pytest.fixture
def stack(kafka_broker: TansuBroker, sqlite_template: Path, tmp_path: Path) -> Iterator[Stack]:
    path = tmp_path / "shop.sqlite3"
    shutil.copy(sqlite_template, path)
    running = Stack(path, kafka_broker, tmp_path)
    yield running
    running.kill_all()


def consume_to_the_end(stack: Stack, group: str, name: str) -> str:
    """A fresh `consume-events` of `group` until every event is handled; its output."""
    process = stack.start("consume-events", "--from-beginning", "--group", group, name=name)
    wait_until(lambda: stack.processed(group) == EVENTS)
    assert stop(process, SIGTERM) == 0, stack.output(name)
    return stack.output(name)


@pytest.mark.parametrize("signum", [SIGTERM, SIGKILL], ids=["sigterm", "sigkill"])
def test_a_stopped_relay_loses_no_event_and_only_a_kill_publishes_one_twice(
    stack: Stack, signum: int
) -> None:
    stack.register(EVENTS)
    relay = stack.start("relay-outbox", "--batch", "20", name="relay")
    wait_until(lambda: stack.published() >= 50)
    if signum == SIGKILL:
        # The broker, paused, holds the next batch unacknowledged: the kill lands mid-batch.
        stack.broker.pause()
        time.sleep(1.0)
    code = stop(relay, signum)
    stack.broker.resume()
    marked = stack.published()
    bus_at_stop = stack.on_the_bus()

    resumed = stack.start("relay-outbox", "--once", name="resumed")
    assert resumed.wait(timeout=60) == 0, stack.output("resumed")
    bus = stack.on_the_bus()
    output = consume_to_the_end(stack, "shop", "consumer")
    duplicates = sum(bus.values()) - len(bus)
    print(f"\nrelay {signum.name}: stopped at {marked}/{EVENTS} marked sent, "
          f"{sum(bus_at_stop.values())} on the bus; after the restart {len(bus)} distinct, "
          f"{duplicates} duplicate(s), {duplicate_lines(output)} dropped by the consumer")

    assert 0 < marked < EVENTS, "the signal did not land mid-stream"
    assert stack.published() == EVENTS
    assert len(bus) == EVENTS  # none lost
    if signum == SIGTERM:
        assert code == 0
        assert "relay stopped; published" in stack.output("relay")
        assert sum(bus_at_stop.values()) == marked  # the batch in flight was marked
        assert duplicates == 0
    else:
        assert sum(bus_at_stop.values()) > marked  # published, never marked: sent again
        assert duplicates == sum(bus_at_stop.values()) - marked
    assert event_lines(output) == EVENTS + duplicates
    assert duplicate_lines(output) == duplicates
    assert stack.processed("shop") == EVENTS


@pytest.mark.parametrize("signum", [SIGTERM, SIGKILL], ids=["sigterm", "sigkill"])
def test_a_stopped_consumer_loses_no_event_and_only_a_kill_handles_one_again(
    stack: Stack, signum: int
) -> None:
    stack.register(EVENTS)
    assert stack.relay_all() == EVENTS
    first = stack.start("consume-events", "--from-beginning", "--group", "shop", name="first")
    wait_until(lambda: stack.processed("shop") >= 50)
    code = stop(first, signum)
    handled_at_stop = stack.processed("shop")

    # --from-beginning only decides where a partition the group never committed starts.
    second = stack.start("consume-events", "--from-beginning", "--group", "shop",
                         name="second")
    wait_until(lambda: stack.processed("shop") == EVENTS)
    assert stop(second, SIGTERM) == 0, stack.output("second")
    printed = event_lines(stack.output("first")) + event_lines(stack.output("second"))
    dropped = duplicate_lines(stack.output("second"))
    print(f"\nconsumer {signum.name}: stopped at {handled_at_stop}/{EVENTS} handled; "
          f"{printed} printed in all, {dropped} duplicate(s) dropped")

    assert 0 < handled_at_stop < EVENTS, "the signal did not land mid-stream"
    assert stack.processed("shop") == EVENTS  # none lost
    if signum == SIGTERM:
        assert code == 0
        assert f"# {handled_at_stop} handled" in stack.output("first")
        assert (printed, dropped) == (EVENTS, 0)
    else:
        # Only the event in hand comes again: dropped if its handling was recorded, else
        # handled for the first time (it was printed, then killed before the handlers ran).
        assert printed - EVENTS in (0, 1)
        assert dropped <= printed - EVENTS


def test_two_consumers_of_one_group_split_the_partitions_and_handle_each_event_once(
    stack: Stack,
) -> None:
    partitions = {"SHOPCORE_KAFKA_PARTITIONS": "2"}
    metrics_port = free_port()
    members = [stack.start("consume-events", "--from-beginning", "--group", "pair", *extra,
                           name=name, **partitions)
               for name, extra in (("one", ("--metrics-port", str(metrics_port))), ("two", ()))]

    def split() -> bool:
        last = [[line for line in stack.output(name).splitlines()
                 if " assigned: " in line][-1:] for name in ("one", "two")]
        return all(lines and lines[0].count("shopcore.users/") == 1 for lines in last)

    wait_until(split, timeout_s=60, every=0.2)
    stack.register(EVENTS)
    assert stack.relay_all(kafka_partitions=2) == EVENTS
    wait_until(lambda: stack.processed("pair") == EVENTS)
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics") as response:
        scraped = response.read().decode()
    for member in members:
        assert stop(member, SIGTERM) == 0
    counts = [event_lines(stack.output(name)) for name in ("one", "two")]
    print(f"\ntwo consumers: {counts[0]} + {counts[1]} events of {EVENTS}")

    assert sum(counts) == EVENTS
    assert min(counts) > 0
    handled = ('shopcore_consumer_records_total{result="handled",topic="shopcore.users"} '
               f"{float(counts[0])}")
    assert handled in scraped
    assert 'shopcore_consumer_lag{partition="' in scraped
    assert duplicate_lines(stack.output("one") + stack.output("two")) == 0
