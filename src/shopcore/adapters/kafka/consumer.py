"""A consumer group that prints, handles and commits events one by one, dead-lettering failures.

Joining a group on Tansu (0.6, measured with kafka-python 3.0.12): the broker holds the
first JoinGroup response for about half the member's `session_timeout_ms`, rounded up to
whole seconds, before it completes the round. kafka-python's default session of 45 s made
every join take ~23 s (so a 5 s `consumer_timeout_ms` saw nothing); measured joins:
45000 -> 23 s, 6000 -> 3 s, 3000 -> 2 s, 2000 or 1000 -> 1 s. `max_poll_interval_ms`
(the rebalance timeout) makes no difference; pinning `api_version=(2, 8)` only swaps
kafka-python's default session for 30 s (a 15 s join). So we use `session_timeout_ms=6000`
(the smallest real Kafka accepts by default, `group.min.session.timeout.ms`) with
`heartbeat_interval_ms=1000`: ~3 s to join. A member killed without LeaveGroup holds the
next join up until its session expires (~11 s measured), hence close() in a `finally`.
After the join, fetch and commit are immediate.

Also set explicitly: `enable_auto_commit=False` (commit only after the handler succeeded
or the record was dead-lettered), `auto_offset_reset` ("earliest" with --from-beginning,
else "latest"), and `max_poll_records=1` so a stop, a failed commit or a rebalance never
leaves fetched records behind unprocessed. Tansu creates no topic, so `run()` creates the
subscribed topics and their `.dlq` when missing.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TextIO

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from shopcore.adapters.kafka.publisher import short
from shopcore.adapters.kafka.topics import dead_letter_topic, ensure_topics, with_dead_letters
from shopcore.ports.events import summary

Handler = Callable[[dict[str, Any]], None]
log = logging.getLogger("shopcore.consumer")
PAYLOAD_WIDTH = 80


@dataclass
class ConsumerStats:
    """What one run saw: invalid records are dead-lettered too but counted only as invalid."""

    received: int = 0
    handled: int = 0
    failed_to_dlq: int = 0
    invalid: int = 0


class ConsumerObserver(Protocol):
    """Told what became of each record (handled, dead_lettered, invalid) and the lag behind."""

    def record(self, topic: str, result: str) -> None: ...
    def lag(self, topic: str, partition: int, behind: int) -> None: ...


class Unobserved:
    def record(self, topic: str, result: str) -> None:
        pass

    def lag(self, topic: str, partition: int, behind: int) -> None:
        pass


class HandlerFailed(RuntimeError):
    """A handler kept failing and dead-lettering is off: stop without committing."""


def decode(value: bytes | None) -> dict[str, Any] | None:
    try:
        message = json.loads(value or b"")
    except (UnicodeDecodeError, ValueError):
        return None
    return message if isinstance(message, dict) else None


def describe(message: dict[str, Any], key: str, now: str) -> str:
    """One line: `<occurred_at> <type> key=<key> <payload, truncated>`."""
    return summary({**message, "occurred_at": message.get("occurred_at") or now,
                    "key": message.get("key", key)}, PAYLOAD_WIDTH)


class _LoggedAssignment(ConsumerRebalanceListener):  # type: ignore[misc]
    """Logs the partitions this member holds after each rebalance."""

    def on_partitions_revoked(self, revoked: Any) -> None:
        pass

    def on_partitions_assigned(self, assigned: Any) -> None:
        names = ", ".join(sorted(f"{p.topic}/{p.partition}" for p in assigned))
        log.info("assigned: %s", names or "-")


class KafkaEventConsumer:
    """Joins `group`, and for each record prints a line, runs `handle`, then commits it."""

    def __init__(self, bootstrap_servers: str, *, group: str, topics: Sequence[str],
                 from_beginning: bool, handle: Handler, max_attempts: int = 3,
                 retry_backoff_s: float = 0.2, dead_letter: bool = True,
                 out: TextIO | None = None, client_id: str = "shopcore-consumer",
                 session_timeout_ms: int = 6000, partitions: int = 3,
                 replication_factor: int = 1,
                 observer: ConsumerObserver | None = None) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.group, self.topics = group, tuple(topics)
        self.from_beginning, self.handle = from_beginning, handle
        self.max_attempts, self.retry_backoff_s = max(max_attempts, 1), retry_backoff_s
        self.dead_letter, self.out, self.client_id = dead_letter, out, client_id
        self.session_timeout_ms = session_timeout_ms
        self.partitions, self.replication_factor = partitions, replication_factor
        self.observer = observer or Unobserved()
        self._producer: Any = None

    def run(self, *, stop: threading.Event | None = None, max_messages: int | None = None,
            idle_timeout_s: float | None = None) -> ConsumerStats:
        """Consume until `stop` is set, `max_messages` were received or it idled that long."""
        ensure_topics(self.bootstrap_servers,
                      with_dead_letters(self.topics) if self.dead_letter else self.topics,
                      partitions=self.partitions, replication_factor=self.replication_factor,
                      client_id=self.client_id + "-admin")
        stats = ConsumerStats()
        consumer = self._consumer()
        try:
            idle_since, assigned = time.monotonic(), False
            while not (stop and stop.is_set()) and (
                    max_messages is None or stats.received < max_messages):
                batch = consumer.poll(timeout_ms=200)
                if not assigned and consumer.assignment():
                    idle_since, assigned = time.monotonic(), True
                for partition, records in batch.items():
                    for record in records:
                        self._process(consumer, partition, record, stats)
                        idle_since = time.monotonic()
                if idle_timeout_s is not None and time.monotonic() - idle_since > idle_timeout_s:
                    break
        finally:
            consumer.close(timeout_ms=5000)
            self._close_producer()
        return stats

    def _consumer(self) -> Any:
        consumer = KafkaConsumer(
            bootstrap_servers=self.bootstrap_servers, group_id=self.group,
            client_id=self.client_id, enable_auto_commit=False,
            auto_offset_reset="earliest" if self.from_beginning else "latest",
            session_timeout_ms=self.session_timeout_ms,
            heartbeat_interval_ms=max(self.session_timeout_ms // 6, 100),
            max_poll_records=1)
        consumer.subscribe(list(self.topics), listener=_LoggedAssignment())
        return consumer

    def _process(self, consumer: Any, partition: Any, record: Any, stats: ConsumerStats) -> None:
        stats.received += 1
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        key = record.key.decode("utf-8", "replace") if record.key is not None else ""
        message = decode(record.value)
        if message is None:
            stats.invalid += 1
            self._print(f"{now} (invalid) key={key} {bytes(record.value or b'')[:60]!r}")
            self.observer.record(record.topic, "invalid")
            if self.dead_letter:
                self._send_to_dead_letter(record, "not a JSON envelope", 0)
        else:
            self._print(describe(message, key, now))
            error = self._handle(message)
            if error is None:
                stats.handled += 1
                self.observer.record(record.topic, "handled")
            elif self.dead_letter:
                self._send_to_dead_letter(record, error, self.max_attempts)
                stats.failed_to_dlq += 1
                self.observer.record(record.topic, "dead_lettered")
            else:
                raise HandlerFailed(f"{record.topic}/{record.partition}@{record.offset}: {error}")
        self._commit(consumer, partition, record.offset + 1)
        highwater = consumer.highwater(partition)
        if highwater is not None:
            self.observer.lag(record.topic, record.partition, max(highwater - record.offset - 1, 0))

    def _handle(self, message: dict[str, Any]) -> str | None:
        """None once `handle` succeeded, else the last error after max_attempts tries."""
        error = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                self.handle(message)
                return None
            except Exception as exc:
                error = short(exc)
                if attempt < self.max_attempts:
                    time.sleep(self.retry_backoff_s * attempt)
        return error

    def _commit(self, consumer: Any, partition: Any, offset: int) -> None:
        """A failed commit (rebalance, outage) only means a redelivery later: dedupe covers it."""
        try:
            consumer.commit({partition: OffsetAndMetadata(offset, "", -1)}, timeout_ms=10000)
        except KafkaError as exc:
            self._print(f"# commit of {partition.topic}/{partition.partition}@{offset} "
                        f"failed: {short(exc)}")

    def _send_to_dead_letter(self, record: Any, error: str, attempts: int) -> None:
        """Raises KafkaError if the dead-letter topic cannot take it: better stop than lose it."""
        if self._producer is None:
            self._producer = KafkaProducer(
                bootstrap_servers=self.bootstrap_servers, client_id=self.client_id + "-dlq",
                acks="all", retries=3, max_in_flight_requests_per_connection=1,
                enable_idempotence=False, max_block_ms=10000, request_timeout_ms=10000,
                delivery_timeout_ms=20000)
        headers = [("error", error.encode("utf-8")), ("attempts", str(attempts).encode()),
                   ("original_topic", record.topic.encode("utf-8")),
                   ("original_partition", str(record.partition).encode()),
                   ("original_offset", str(record.offset).encode())]
        self._producer.send(dead_letter_topic(record.topic), key=record.key, value=record.value,
                            headers=headers).get(timeout=25)

    def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=5)

    def _print(self, line: str) -> None:
        out = self.out or sys.stdout
        out.write(line + "\n")
        out.flush()
