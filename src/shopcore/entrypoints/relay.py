"""Background work: the relay loop (backing off while the bus is down), periodic jobs, expiry."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from shopcore.application.events import RelayResult
from shopcore.application.orders import ExpireOrders

log = logging.getLogger("shopcore.relay")
expiry_log = logging.getLogger("shopcore.orders")


def expire_all(expire: Callable[[], ExpireOrders], batch: int = 100) -> int:
    """Run the expiry in batches, each its own transaction, until a batch finds none."""
    total = 0
    while expired := expire()(limit=batch):
        total += expired
    if total:
        expiry_log.info("expired %d unpaid order(s); their stock is back on sale", total)
    return total


@dataclass
class RelayLoop:
    """Calls `relay` until stopped: at once while it finds work, else every `interval`."""

    relay: Callable[[], RelayResult]
    interval: float = 0.5
    max_backoff: float = 30.0
    stop: threading.Event = field(default_factory=threading.Event)
    backoff: float = 0.0
    last_error: str | None = None

    def step(self) -> float:
        """One relay pass; the seconds to wait before the next."""
        try:
            result = self.relay()
        except Exception as exc:  # the database may be down too: keep the loop alive
            result = RelayResult(0, 1, f"{type(exc).__name__}: {exc}")
        if result.failed:
            self.backoff = min(self.max_backoff, max(self.interval, self.backoff * 2))
            if result.error != self.last_error:
                log.warning("relay: %d event(s) not delivered (%s); retrying in %.1fs",
                            result.failed, result.error, self.backoff)
            self.last_error = result.error
            return self.backoff
        if self.last_error is not None:
            log.info("relay: bus reachable again")
        self.backoff, self.last_error = 0.0, None
        return 0.0 if result.published else self.interval

    def run(self) -> None:
        while not self.stop.is_set():
            self.stop.wait(self.step())

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="shopcore-relay", daemon=True)
        thread.start()
        return thread


@dataclass
class Periodic:
    """Calls `job` at once and then every `every` seconds in a daemon thread until `stop`."""

    job: Callable[[], object]
    every: float
    name: str = "shopcore-periodic"
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.job()
            except Exception:  # a failed run (database down...) must not end the schedule
                log.exception("%s failed; next run in %.0fs", self.name, self.every)
            self.stop.wait(self.every)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        thread.start()
        return thread
