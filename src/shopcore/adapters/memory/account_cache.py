"""Accounts' standing kept a few seconds in the process."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from shopcore.domain.user import AccountStanding
from shopcore.ports.clock import Clock


class MemoryAccountCache:
    """At most `size` copies, each trusted for `ttl_seconds` (0 turns the cache off)."""

    def __init__(self, clock: Clock, ttl_seconds: float = 5, size: int = 10_000) -> None:
        self.clock, self.ttl, self.size = clock, timedelta(seconds=ttl_seconds), size
        self._held: OrderedDict[int, tuple[datetime, AccountStanding]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user_id: int) -> AccountStanding | None:
        with self._lock:
            held = self._held.get(user_id)
            if held is None:
                return None
            if self.clock.now() >= held[0]:
                del self._held[user_id]
                return None
            return held[1]

    def put(self, user_id: int, standing: AccountStanding) -> None:
        if not self.ttl:
            return
        with self._lock:
            self._held[user_id] = (self.clock.now() + self.ttl, standing)
            self._held.move_to_end(user_id)
            while len(self._held) > self.size:
                self._held.popitem(last=False)

    def forget(self, user_id: int) -> None:
        with self._lock:
            self._held.pop(user_id, None)
