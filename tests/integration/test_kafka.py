"""The Kafka publisher and consumer group against a real Kafka-compatible broker (Tansu)."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from shopcore.adapters.kafka.consumer import HandlerFailed, KafkaEventConsumer
from shopcore.adapters.kafka.publisher import KafkaPublisher
from shopcore.adapters.kafka.topics import SHOPCORE_TOPICS, dead_letter_topic
from shopcore.domain.events import DomainEvent, OrderCreated, OrderStatusChanged, UserRegistered
from shopcore.ports.events import Envelope
from tests.integration.broker import TansuBroker

pytestmark = pytest.mark.slow

ORDERS = "shopcore.orders"
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def wrap(*events: DomainEvent) -> list[Envelope]:
    """Envelopes with increasing times and a per-key sequence, as the outbox would store them."""
    sequences: dict[str, int] = {}
    envelopes = []
    for i, event in enumerate(events):
        sequences[event.key] = sequences.get(event.key, 0) + 1
        envelopes.append(Envelope.wrap(event, T0 + timedelta(seconds=i), sequences[event.key]))
    return envelopes


def created(order_id: int) -> OrderCreated:
    return OrderCreated(order_id=order_id, user_id=7, total=Decimal("12.50"), currency="EUR",
                        items=[{"product_id": 3, "quantity": 2}])


def moved(order_id: int, to_status: str) -> OrderStatusChanged:
    return OrderStatusChanged(order_id=order_id, from_status="pending", to_status=to_status,
                              actor="staff")


def topics_of(broker: TansuBroker) -> set[str]:
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    try:
        return set(admin.list_topics())
    finally:
        admin.close()


def committed(broker: TansuBroker, group: str, topic: str = ORDERS) -> dict[int, int]:
    """The group's committed offsets, read without joining it."""
    reader = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, group_id=group,
                           enable_auto_commit=False)
    try:
        offsets = {p: reader.committed(TopicPartition(topic, p))
                   for p in reader.partitions_for_topic(topic)}
    finally:
        reader.close()
    return {p: offset for p, offset in offsets.items() if offset is not None}


def read(broker: TansuBroker, topic: str, count: int, timeout_s: float = 10) -> list[Any]:
    """The first `count` records of `topic` (all partitions), without a consumer group."""
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, group_id=None,
                             enable_auto_commit=False, auto_offset_reset="earliest")
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list[Any] = []
        for _ in range(int(timeout_s / 0.2)):
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
            if len(records) >= count:
                break
        return records
    finally:
        consumer.close()


def produce_raw(broker: TansuBroker, topic: str, key: bytes, value: bytes) -> None:
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all",
                             enable_idempotence=False)
    try:
        producer.send(topic, key=key, value=value).get(timeout=10)
    finally:
        producer.close()


@pytest.fixture
def publisher(kafka_broker: TansuBroker) -> Iterator[KafkaPublisher]:
    bus = KafkaPublisher(kafka_broker.bootstrap_servers, max_block_ms=2000,
                         request_timeout_ms=2000, delivery_timeout_ms=4000)
    yield bus
    bus.close()


def publish_all(publisher: KafkaPublisher, envelopes: Sequence[Envelope]) -> None:
    outcome = publisher.publish(envelopes)
    assert outcome.error is None
    assert outcome.delivered == {e.event_id for e in envelopes}


class Recorder:
    """A handler that keeps what it was given and fails on demand, deduplicating by event_id."""

    def __init__(self, failures: dict[str, int] | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.handled: dict[str, dict[str, Any]] = {}
        self.failures = dict(failures or {})

    def __call__(self, message: dict[str, Any]) -> None:
        self.calls.append(message)
        event_id = message["event_id"]
        if event_id in self.handled:
            return
        if self.failures.get(event_id, 0) > 0:
            self.failures[event_id] -= 1
            raise RuntimeError(f"handler broke on {message['type']}")
        self.handled[event_id] = message


def consumer(broker: TansuBroker, handle: Any, *, group: str = "tests",
             from_beginning: bool = True, out: io.StringIO | None = None,
             **options: Any) -> KafkaEventConsumer:
    return KafkaEventConsumer(broker.bootstrap_servers, group=group, topics=[ORDERS],
                              from_beginning=from_beginning, handle=handle,
                              retry_backoff_s=0.01, out=out or io.StringIO(), **options)


def test_the_first_publish_creates_every_aggregate_topic_and_its_dead_letter_topic(
    kafka_broker: TansuBroker, publisher: KafkaPublisher,
) -> None:
    assert not topics_of(kafka_broker) & set(SHOPCORE_TOPICS)

    publish_all(publisher, wrap(created(1)))

    expected = {*SHOPCORE_TOPICS, *(dead_letter_topic(t) for t in SHOPCORE_TOPICS)}
    assert len(expected) == 10
    assert expected <= topics_of(kafka_broker)


def test_envelopes_reach_a_consumer_group_in_order_per_key_keyed_by_aggregate_id(
    kafka_broker: TansuBroker, publisher: KafkaPublisher,
) -> None:
    envelopes = wrap(created(1), created(2), moved(1, "paid"), moved(2, "cancelled"),
                     moved(1, "shipped"), created(3), moved(1, "delivered"))
    publish_all(publisher, envelopes)
    recorder, out = Recorder(), io.StringIO()

    stats = consumer(kafka_broker, recorder, out=out).run(
        max_messages=len(envelopes), idle_timeout_s=15)

    assert stats.received == stats.handled == len(envelopes)
    for key in ("1", "2", "3"):
        assert [m for m in recorder.calls if m["key"] == key] == [
            e.to_message() for e in envelopes if e.key == key]
    lines = out.getvalue().splitlines()
    assert len(lines) == len(envelopes)
    assert min(lines).startswith("2024-05-01T12:00:00Z order.created key=1 {\"order_id\":1,")
    records = {r.value: r for r in read(kafka_broker, ORDERS, len(envelopes))}
    for envelope in envelopes:
        record = records[json.dumps(envelope.to_message(), separators=(",", ":")).encode()]
        assert record.key == envelope.key.encode()


def test_the_value_is_utf8_json_of_the_envelope(
    kafka_broker: TansuBroker, publisher: KafkaPublisher,
) -> None:
    [envelope] = wrap(UserRegistered(user_id=5, username="zoë", email="zoë@example.com"))
    publish_all(publisher, [envelope])

    [record] = read(kafka_broker, "shopcore.users", 1)

    assert record.key == b"5"
    assert "zoë".encode() in record.value
    assert json.loads(record.value) == envelope.to_message()


def test_a_handler_that_fails_once_gets_the_event_again_and_its_offset_is_committed_after(
    kafka_broker: TansuBroker, publisher: KafkaPublisher,
) -> None:
    first, second = wrap(created(1), moved(1, "paid"))
    publish_all(publisher, [first, second])
    recorder = Recorder(failures={first.event_id: 1})

    stats = consumer(kafka_broker, recorder).run(max_messages=2, idle_timeout_s=15)

    assert stats.handled == 2 and stats.failed_to_dlq == 0
    assert [m["event_id"] for m in recorder.calls] == [
        first.event_id, first.event_id, second.event_id]
    [partition] = {r.partition for r in read(kafka_broker, ORDERS, 2)}
    assert committed(kafka_broker, "tests") == {partition: 2}

    [third] = wrap(moved(1, "shipped"))
    publish_all(publisher, [third])
    restarted = Recorder()
    stats = consumer(kafka_broker, restarted).run(max_messages=1, idle_timeout_s=15)

    assert [m["event_id"] for m in restarted.calls] == [third.event_id]
    assert committed(kafka_broker, "tests") == {partition: 3}


def test_without_a_dead_letter_topic_a_failing_handler_stops_the_consumer_uncommitted(
    kafka_broker: TansuBroker, publisher: KafkaPublisher,
) -> None:
    [envelope] = wrap(created(1))
    publish_all(publisher, [envelope])
    broken = Recorder(failures={envelope.event_id: 99})

    with pytest.raises(HandlerFailed, match="handler broke"):
        consumer(kafka_broker, broken, dead_letter=False).run(max_messages=1, idle_timeout_s=15)

    assert committed(kafka_broker, "tests") == {}
    fixed = Recorder()
    stats = consumer(kafka_broker, fixed).run(max_messages=1, idle_timeout_s=15)
    assert stats.handled == 1
    assert [m["event_id"] for m in fixed.calls] == [envelope.event_id]


def test_a_handler_that_always_fails_sends_the_event_to_the_dead_letter_topic_and_moves_on(
    kafka_broker: TansuBroker, publisher: KafkaPublisher,
) -> None:
    poison, fine = wrap(created(1), moved(1, "paid"))
    publish_all(publisher, [poison])
    produce_raw(kafka_broker, ORDERS, b"1", b"{not json")
    publish_all(publisher, [fine])
    recorder = Recorder(failures={poison.event_id: 99})

    stats = consumer(kafka_broker, recorder, max_attempts=3).run(
        max_messages=3, idle_timeout_s=15)

    assert (stats.received, stats.handled, stats.failed_to_dlq, stats.invalid) == (3, 1, 1, 1)
    assert [m["event_id"] for m in recorder.calls] == [poison.event_id] * 3 + [fine.event_id]
    dead = read(kafka_broker, dead_letter_topic(ORDERS), 2)
    assert [r.value for r in dead] == [
        json.dumps(poison.to_message(), separators=(",", ":")).encode(), b"{not json"]
    headers = dict(dead[0].headers)
    assert headers["attempts"] == b"3"
    assert headers["original_topic"] == ORDERS.encode()
    assert b"handler broke on order.created" in headers["error"]
    assert dead[0].key == b"1"
    [partition] = {r.partition for r in read(kafka_broker, ORDERS, 3)}
    assert committed(kafka_broker, "tests") == {partition: 3}


def test_a_new_group_without_from_beginning_skips_events_published_before_it_joined(
    kafka_broker: TansuBroker, publisher: KafkaPublisher,
) -> None:
    publish_all(publisher, wrap(created(1)))
    recorder = Recorder()

    stats = consumer(kafka_broker, recorder, group="late", from_beginning=False).run(
        max_messages=1, idle_timeout_s=2)

    assert stats.received == 0 and recorder.calls == []


def test_publishing_while_the_broker_is_down_delivers_nothing_and_works_once_it_is_back(
    kafka_broker: TansuBroker, publisher: KafkaPublisher,
) -> None:
    publish_all(publisher, wrap(created(1)))
    envelopes = wrap(created(2), moved(2, "paid"))
    kafka_broker.stop()

    outcome = publisher.publish(envelopes)

    assert outcome.delivered == set() and outcome.error
    kafka_broker.restart()
    assert not topics_of(kafka_broker) & set(SHOPCORE_TOPICS)
    publish_all(publisher, envelopes)
    values = [json.loads(r.value) for r in read(kafka_broker, ORDERS, 2)]
    assert [v["event_id"] for v in values] == [e.event_id for e in envelopes]


def test_a_publisher_that_never_reached_the_broker_reports_an_error_instead_of_raising(
    kafka_broker: TansuBroker,
) -> None:
    kafka_broker.stop()
    fresh = KafkaPublisher(kafka_broker.bootstrap_servers, max_block_ms=1000)
    envelopes = wrap(created(1))

    outcome = fresh.publish(envelopes)

    assert outcome.delivered == set() and outcome.error
    kafka_broker.restart()
    publish_all(fresh, envelopes)
    fresh.close()


def test_a_port_that_accepts_connections_but_never_answers_gives_an_error_not_a_hang() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        host, port = silent.getsockname()
        mute = KafkaPublisher(f"{host}:{port}", max_block_ms=1000, request_timeout_ms=1000)

        outcome = mute.publish(wrap(created(1)))

        assert outcome.delivered == set() and outcome.error
        mute.close()


def test_check_is_up_with_the_broker_and_down_without_it_and_builds_no_producer(
    kafka_broker: TansuBroker,
) -> None:
    bus = KafkaPublisher(kafka_broker.bootstrap_servers)
    assert bus.check() == "up"
    assert not topics_of(kafka_broker) & set(SHOPCORE_TOPICS)
    kafka_broker.stop()
    assert bus.check() == "down"
    assert KafkaPublisher("127.0.0.1:1,127.0.0.1:2").check() == "down"
