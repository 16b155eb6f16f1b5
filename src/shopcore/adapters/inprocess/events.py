"""Event publishers without a broker: handlers in this process, or a list (tests)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from shopcore.ports.events import Envelope, PublishOutcome, summary

log = logging.getLogger("shopcore.events")
Handler = Callable[[dict[str, Any]], None]


class InProcessPublisher:
    """Logs each event and calls the registered handlers, in order, after commit."""

    def __init__(self, handlers: Sequence[Handler] = ()) -> None:
        self.handlers = list(handlers)

    def publish(self, envelopes: Sequence[Envelope]) -> PublishOutcome:
        outcome = PublishOutcome()
        failed_keys: set[tuple[str, str]] = set()
        for envelope in envelopes:
            if (envelope.topic, envelope.key) in failed_keys:
                continue
            message = envelope.to_message()
            try:
                log.info("event %s", summary(message))
                for handler in self.handlers:
                    handler(message)
            except Exception as exc:  # a failing handler must not lose the event
                log.warning("handler failed for %s: %s", envelope.event_id, exc)
                failed_keys.add((envelope.topic, envelope.key))
                outcome.error = f"{type(exc).__name__}: {exc}"
                continue
            outcome.delivered.add(envelope.event_id)
        return outcome

    def check(self) -> str:
        return "up"


class MemoryPublisher:
    """Keeps what was published; can be switched off to act like a broker outage."""

    def __init__(self) -> None:
        self.published: list[Envelope] = []
        self.down = False

    def publish(self, envelopes: Sequence[Envelope]) -> PublishOutcome:
        if self.down:
            return PublishOutcome(error="bus is down")
        self.published.extend(envelopes)
        return PublishOutcome(delivered={e.event_id for e in envelopes})

    def check(self) -> str:
        return "down" if self.down else "up"
