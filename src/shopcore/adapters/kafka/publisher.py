"""The relay's EventPublisher on Kafka: a topic per aggregate, keyed by aggregate id.

The producer is built lazily by the first publish, never at start, and with short
timeouts: kafka-python's constructor otherwise waits 30 s (`bootstrap_timeout_ms`) for a
dead broker, and a send to it waits up to `delivery_timeout_ms` (2 min by default).
Settings, checked against Tansu 0.6 and kafka-python 3.0:

- `acks="all"`, a few `retries`, `max_in_flight_requests_per_connection=1` so a retry
  never overtakes a later record of the same partition;
- `enable_idempotence=False`: kafka-python 3 turns it on by default, and after a restart
  of Tansu's memory storage the idempotent producer fails for good (UnknownProducerId,
  then InitProducerId answers UnknownError). Consumers dedupe by `event_id` anyway;
- `bootstrap_timeout_ms = max_block_ms` (5 s), `request_timeout_ms` 5 s and
  `delivery_timeout_ms` 10 s bound one publish call.

Every failure drops the producer and forgets which topics exist, so the next publish
builds a fresh one and creates the topics again (a restarted Tansu on `memory://` has none).
A TCP probe first makes a publish against a dead broker fail at once.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Sequence
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError

from shopcore.adapters.kafka.topics import (
    SHOPCORE_TOPICS,
    TopicsNotCreated,
    ensure_topics,
    reachable,
    with_dead_letters,
)
from shopcore.ports.events import Envelope, PublishOutcome

BROKER_ERRORS = (KafkaError, TopicsNotCreated, OSError)


def encode(envelope: Envelope) -> bytes:
    """The message value: the envelope as compact UTF-8 JSON."""
    return json.dumps(envelope.to_message(), separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8")


def short(error: BaseException, limit: int = 200) -> str:
    text = f"{type(error).__name__}: {error}".strip().rstrip(":")
    return text if len(text) <= limit else text[: limit - 3] + "..."


class KafkaPublisher:
    """Publishes envelopes to Kafka in order, acknowledged by all in-sync replicas."""

    def __init__(self, bootstrap_servers: str, *, client_id: str = "shopcore-relay",
                 topics: Sequence[str] = SHOPCORE_TOPICS, partitions: int = 3,
                 replication_factor: int = 1, max_block_ms: int = 5000,
                 request_timeout_ms: int = 5000, delivery_timeout_ms: int = 10000) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.topics = tuple(topics)
        self.partitions, self.replication_factor = partitions, replication_factor
        self.max_block_ms = max_block_ms
        self.request_timeout_ms = request_timeout_ms
        self.delivery_timeout_ms = delivery_timeout_ms
        self._producer: Any = None
        self._ensured: set[str] = set()
        self._lock = threading.Lock()

    def check(self) -> str:
        """'up' when the broker accepts a connection; never builds a producer."""
        return "up" if reachable(self.bootstrap_servers) else "down"

    def publish(self, envelopes: Sequence[Envelope]) -> PublishOutcome:
        if not envelopes:
            return PublishOutcome()
        with self._lock:
            if not reachable(self.bootstrap_servers):
                self._reset()
                return PublishOutcome(error=f"Kafka unreachable at {self.bootstrap_servers}")
            try:
                producer = self._ready({e.topic for e in envelopes})
            except BROKER_ERRORS as exc:
                self._reset()
                return PublishOutcome(error=short(exc))
            outcome = self._send(producer, envelopes)
            if outcome.error:
                self._reset()
            return outcome

    def close(self) -> None:
        with self._lock:
            self._reset()

    def _ready(self, topics: set[str]) -> Any:
        missing = [t for t in (*self.topics, *sorted(topics)) if t not in self._ensured]
        if missing:
            names = with_dead_letters(missing)
            ensure_topics(self.bootstrap_servers, names, partitions=self.partitions,
                          replication_factor=self.replication_factor,
                          client_id=self.client_id + "-admin", timeout_ms=self.max_block_ms)
            self._ensured.update(names)
        if self._producer is None:
            self._producer = KafkaProducer(
                bootstrap_servers=self.bootstrap_servers, client_id=self.client_id,
                acks="all", retries=3, retry_backoff_ms=200, linger_ms=5,
                max_in_flight_requests_per_connection=1, enable_idempotence=False,
                max_block_ms=self.max_block_ms, bootstrap_timeout_ms=self.max_block_ms,
                request_timeout_ms=self.request_timeout_ms,
                delivery_timeout_ms=self.delivery_timeout_ms)
        return self._producer

    def _send(self, producer: Any, envelopes: Sequence[Envelope]) -> PublishOutcome:
        """Send all, then wait for each; a failed key's later envelopes do not count."""
        outcome = PublishOutcome()
        futures: list[Any] = []
        for envelope in envelopes:
            if outcome.error:
                futures.append(None)
                continue
            try:
                futures.append(producer.send(envelope.topic, key=envelope.key.encode("utf-8"),
                                             value=encode(envelope)))
            except (KafkaError, TypeError, ValueError) as exc:
                futures.append(exc)
                outcome.error = short(exc)
        deadline = time.monotonic() + self.delivery_timeout_ms / 1000 + 1
        failed: set[tuple[str, str]] = set()
        for envelope, future in zip(envelopes, futures, strict=True):
            error = future if isinstance(future, BaseException) else None
            if future is not None and error is None:
                try:
                    future.get(timeout=max(deadline - time.monotonic(), 0.01))
                except KafkaError as exc:
                    error = exc
            if future is None or error is not None:
                failed.add((envelope.topic, envelope.key))
                outcome.error = outcome.error or short(error or RuntimeError("not sent"))
            elif (envelope.topic, envelope.key) not in failed:
                outcome.delivered.add(envelope.event_id)
        return outcome

    def _reset(self) -> None:
        producer, self._producer = self._producer, None
        self._ensured.clear()
        if producer is not None:
            with contextlib.suppress(KafkaError):
                producer.close(timeout=1)
