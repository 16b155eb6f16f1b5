"""The outbox and processed-events tables, in memory."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from shopcore.adapters.memory.store import Tables
from shopcore.ports.events import Envelope, OutboxMessage, OutboxStats, numbered


class MemoryOutboxRepository:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    def add(self, envelope: Envelope) -> None:
        message_id = self.t.next_id("outbox")
        self.t.outbox[message_id] = OutboxMessage(id=message_id, envelope=envelope)

    def add_many(self, envelopes: Sequence[Envelope]) -> None:
        for envelope in envelopes:
            self.add(envelope)

    def add_numbered(self, envelopes: Sequence[Envelope]) -> None:
        self.add_many(numbered(envelopes, self.next_sequences))

    def next_sequence(self, topic: str, key: str) -> int:
        return self.next_sequences(topic, [key])[key]

    def next_sequences(self, topic: str, keys: Sequence[str]) -> dict[str, int]:
        last = dict.fromkeys(keys, 0)
        for m in self.t.outbox.values():
            if m.envelope.topic == topic and m.envelope.key in last:
                last[m.envelope.key] = max(last[m.envelope.key], m.envelope.sequence)
        return {key: n + 1 for key, n in last.items()}

    def claim(self, limit: int) -> Sequence[OutboxMessage]:
        heads: dict[tuple[str, str], OutboxMessage] = {}
        for message in sorted(self.t.outbox.values(), key=lambda m: m.id):
            if message.published_at is None:
                heads.setdefault((message.envelope.topic, message.envelope.key), message)
        return sorted(heads.values(), key=lambda m: m.id)[:limit]

    def mark_published(self, ids: Sequence[int], at: datetime) -> None:
        for message_id in ids:
            message = self.t.outbox[message_id]
            self.t.outbox[message_id] = dataclasses.replace(
                message, published_at=at, attempts=message.attempts + 1)

    def mark_failed(self, ids: Sequence[int], error: str) -> None:
        for message_id in ids:
            message = self.t.outbox[message_id]
            self.t.outbox[message_id] = dataclasses.replace(
                message, attempts=message.attempts + 1, last_error=error)

    def stats(self) -> OutboxStats:
        unsent = [m for m in self.t.outbox.values() if m.published_at is None]
        failed = [m for m in unsent if m.last_error]
        return OutboxStats(
            unsent=len(unsent),
            oldest_unsent=min((m.envelope.occurred_at for m in unsent), default=None),
            last_error=max(failed, key=lambda m: m.id).last_error if failed else None,
            published=len(self.t.outbox) - len(unsent))

    def since(self, moment: datetime, topics: Sequence[str] | None = None
              ) -> Sequence[OutboxMessage]:
        return [m for m in sorted(self.t.outbox.values(), key=lambda m: m.id)
                if m.envelope.occurred_at >= moment
                and (not topics or m.envelope.topic in topics)]


class MemoryProcessedEventRepository:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    def seen(self, consumer: str, event_id: str) -> bool:
        return (consumer, event_id) in self.t.processed_events

    def add(self, consumer: str, event_id: str, at: datetime) -> bool:
        if (consumer, event_id) in self.t.processed_events:
            return False
        self.t.processed_events.add((consumer, event_id))
        return True
