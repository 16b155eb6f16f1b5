"""A circuit breaker: after repeated failures, stop calling a service for a while."""

from __future__ import annotations

import threading
from collections.abc import Callable


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
