"""The in-process cart cache: a bounded LRU with a TTL and per-user generations."""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from shopcore.adapters.cart_json import view_from_json, view_to_json
from shopcore.domain.cart import CartView
from shopcore.ports.cart_cache import CacheRead


class LruCartCache:
    """Carts of one process, least recently used evicted first, expired after `ttl_seconds`."""

    def __init__(self, max_entries: int = 10_000, ttl_seconds: float = 3600,
                 clock: Callable[[], float] | None = None) -> None:
        self.max_entries, self.ttl_seconds = max_entries, ttl_seconds
        self._clock = clock or time.monotonic
        self._lock = threading.Lock()
        self._entries: OrderedDict[int, tuple[str, float]] = OrderedDict()
        self._generations: OrderedDict[int, int] = OrderedDict()
        self._counter = itertools.count(1)
        # A user without a remembered generation reads as the highest one ever forgotten,
        # so forgetting a generation can never bring an older one back.
        self._floor = 0

    def _generation(self, user_id: int) -> str:
        return str(self._generations.get(user_id, self._floor))

    def get(self, user_id: int) -> CacheRead:
        with self._lock:
            generation = self._generation(user_id)
            found = self._entries.get(user_id)
            if found is None:
                return CacheRead(None, generation)
            body, expires_at = found
            if self._clock() >= expires_at:
                del self._entries[user_id]
                return CacheRead(None, generation)
            self._entries.move_to_end(user_id)
        return CacheRead(None, generation, body.encode(), view_from_json)

    def put(self, user_id: int, view: CartView, generation: str) -> bool:
        # Stored as JSON, like Redis does: a reader gets its own copy, never a shared one.
        body = view_to_json(view)
        with self._lock:
            if not generation or generation != self._generation(user_id):
                return False
            self._entries[user_id] = (body, self._clock() + self.ttl_seconds)
            self._entries.move_to_end(user_id)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
            return True

    def invalidate(self, user_ids: Iterable[int]) -> None:
        with self._lock:
            for user_id in set(user_ids):
                self._entries.pop(user_id, None)
                self._generations[user_id] = next(self._counter)
                self._generations.move_to_end(user_id)
            while len(self._generations) > self.max_entries:
                _, forgotten = self._generations.popitem(last=False)
                self._floor = max(self._floor, forgotten)

    def check(self) -> str:
        return "up"

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
