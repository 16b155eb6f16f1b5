"""A circuit breaker: after repeated failures, stop calling a service for a while."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class CircuitBreaker:
    """Opens after `failures` errors in a row; after `reset_s` lets one trial call through."""

    def __init__(self, failures: int, reset_s: float, clock: Callable[[], float]) -> None:
        self.threshold, self.reset_s, self._clock = failures, reset_s, clock
        self._lock = threading.Lock()
        self._failures, self._opened_at, self._trial = 0, 0.0, False

    @property
    def state(self) -> str:
        with self._lock:
            if self._failures < self.threshold:
                return "closed"
            cooled = self._clock() - self._opened_at >= self.reset_s
            return "half-open" if self._trial or cooled else "open"

    @property
    def open(self) -> bool:
        return self.state == "open"

    @property
    def failures(self) -> int:
        return self._failures

    def allow(self) -> bool:
        with self._lock:
            if self._failures < self.threshold:
                return True
            if self._trial or self._clock() - self._opened_at < self.reset_s:
                return False
            self._trial = True
            return True

    def succeeded(self) -> None:
        with self._lock:
            self._failures, self._trial = 0, False

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.threshold:
                self._opened_at, self._trial = self._clock(), False


class Guard:
    """Calls to a cache behind its breaker: a failure answers the fallback, never an error.

    It logs once when the cache goes (`name` unavailable; `then`) and once when it is back.
    """

    def __init__(self, breaker: CircuitBreaker, log: logging.Logger, name: str,
                 then: str) -> None:
        self.breaker, self.log, self.name, self.then = breaker, log, name, then
        self.degraded = False

    def call(self, operation: Callable[[], T], fallback: T,
             before: Callable[[], None] = lambda: None) -> T:
        if not self.breaker.allow():
            return fallback
        try:
            before()
            result = operation()
        except Exception as exc:  # whatever the cache does, a request must not fail for it
            self.breaker.failed()
            if not self.degraded:
                self.degraded = True
                self.log.warning("%s unavailable (%s); %s", self.name, exc, self.then)
            return fallback
        self.breaker.succeeded()
        if self.degraded:
            self.degraded = False
            self.log.info("%s is back", self.name)
        return result
