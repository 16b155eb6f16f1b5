"""Events leaving the core: the stored envelope, the outbox and the bus it is relayed to."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shopcore.domain.events import DomainEvent

TOPIC_PREFIX = "shopcore."
# What caused the work in progress (an HTTP request's id, a consumed event's correlation id):
# the events recorded meanwhile carry it, so one checkout can be followed from HTTP to Kafka.
correlation_id: ContextVar[str | None] = ContextVar("shopcore_correlation_id", default=None)


def topic_of(aggregate: str) -> str:
    return TOPIC_PREFIX + aggregate


@dataclass(frozen=True)
class Envelope:
    """An event as it travels: API.md's envelope plus its topic and per-key sequence."""

    event_id: str
    type: str
    version: int
    occurred_at: datetime
    key: str
    payload: dict[str, Any]
    topic: str
    sequence: int = 0
    correlation_id: str | None = None

    @classmethod
    def wrap(cls, event: DomainEvent, occurred_at: datetime, sequence: int = 0,
             correlation: str | None = None) -> Envelope:
        return cls(event_id=str(uuid.uuid4()), type=event.type, version=event.version,
                   occurred_at=occurred_at, key=event.key, payload=event.payload(),
                   topic=topic_of(event.aggregate), sequence=sequence,
                   correlation_id=correlation)

    def to_message(self) -> dict[str, Any]:
        """The JSON value published on the bus (`correlation_id` only when it has one)."""
        message = {"event_id": self.event_id, "type": self.type, "version": self.version,
                   "occurred_at": self.occurred_at.isoformat().replace("+00:00", "Z"),
                   "key": self.key, "payload": self.payload, "sequence": self.sequence}
        if self.correlation_id:
            message["correlation_id"] = self.correlation_id
        return message


@dataclass(frozen=True)
class OutboxMessage:
    """A stored envelope and its delivery state."""

    id: int
    envelope: Envelope
    attempts: int = 0
    published_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class OutboxStats:
    unsent: int
    oldest_unsent: datetime | None
    last_error: str | None
    published: int


class OutboxRepository(Protocol):
    """The outbox table, written in the use case's transaction, drained by the relay."""

    def add(self, envelope: Envelope) -> None: ...
    def add_many(self, envelopes: Sequence[Envelope]) -> None: ...
    def next_sequence(self, topic: str, key: str) -> int: ...
    def next_sequences(self, topic: str, keys: Sequence[str]) -> dict[str, int]:
        """`next_sequence` of each key, in one look (bulk adds record thousands of events)."""
        ...
    def add_numbered(self, envelopes: Sequence[Envelope]) -> None:
        """Store `envelopes`, each numbered after the last stored of its topic and key, in order.

        Their own `sequence` is ignored. A unit of work's few events cost one statement.
        """
        ...
    def claim(self, limit: int) -> Sequence[OutboxMessage]:
        """The oldest unsent message of each key, oldest first, locked against other relays."""
        ...
    def mark_published(self, ids: Sequence[int], at: datetime) -> None: ...
    def mark_failed(self, ids: Sequence[int], error: str) -> None: ...
    def stats(self) -> OutboxStats: ...
    def since(self, moment: datetime, topics: Sequence[str] | None = None
              ) -> Sequence[OutboxMessage]: ...


def numbered(envelopes: Sequence[Envelope],
             following: Callable[[str, list[str]], dict[str, int]]) -> list[Envelope]:
    """`envelopes` numbered per key from `following(topic, keys)`, the next number of each."""
    keys: dict[str, dict[str, None]] = {}
    for envelope in envelopes:
        keys.setdefault(envelope.topic, {})[envelope.key] = None
    after = {(topic, key): n for topic, of_topic in keys.items()
             for key, n in following(topic, list(of_topic)).items()}
    found = []
    for envelope in envelopes:
        where = (envelope.topic, envelope.key)
        found.append(dataclasses.replace(envelope, sequence=after[where]))
        after[where] += 1
    return found


class ProcessedEventRepository(Protocol):
    """Which events a consumer group has handled, to drop duplicates."""

    def seen(self, consumer: str, event_id: str) -> bool: ...
    def add(self, consumer: str, event_id: str, at: datetime) -> bool:
        """Record it in the current transaction; False when it was already recorded."""
        ...


@dataclass
class PublishOutcome:
    """Which envelopes the bus acknowledged, and the error that stopped the rest."""

    delivered: set[str] = field(default_factory=set)
    error: str | None = None


class EventPublisher(Protocol):
    """The bus the relay hands stored events to, in order."""

    def publish(self, envelopes: Sequence[Envelope]) -> PublishOutcome: ...
    def check(self) -> str:
        """'up' or 'down', quickly, for readiness."""
        ...


def summary(message: dict[str, Any], width: int = 80) -> str:
    """One line for a log or a console: time, type, key and the payload, shortened."""
    payload = json.dumps(message.get("payload", {}), separators=(",", ":"), ensure_ascii=False,
                         default=str)
    if len(payload) > width:
        payload = payload[: width - 1] + "…"
    correlation = (f" correlation_id={message['correlation_id']}"
                   if message.get("correlation_id") else "")
    return (f"{message.get('occurred_at', '-')} {message.get('type', '?')} "
            f"key={message.get('key', '-')}{correlation} {payload}")
