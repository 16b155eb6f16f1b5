"""The cart cache in Redis, behind short timeouts and a circuit breaker."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

import redis

from shopcore.adapters.cart_json import view_from_json, view_to_json
from shopcore.adapters.redis.client import redis_client
from shopcore.domain.cart import CartView
from shopcore.ports.cart_cache import CacheRead

log = logging.getLogger(__name__)
T = TypeVar("T")
_CHUNK = 500

_PUT_IF_GENERATION = """
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""


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


class RedisCartCache:
    """Carts as JSON under `cart:<user_id>`, guarded by a generation under `cart:<user_id>:gen`.

    `client` is the process's shared client (decoding responses), or a URL to build one for
    this cache alone with `timeout_s`.
    """

    def __init__(self, client: redis.Redis | str, ttl_seconds: int = 3600, *,
                 timeout_s: float = 0.25, breaker_failures: int = 3, breaker_reset_s: float = 5.0,
                 prefix: str = "cart:", clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds, self.prefix = ttl_seconds, prefix
        self.client = (redis_client(client, timeout_s=timeout_s) if isinstance(client, str)
                       else client)
        self._put = self.client.register_script(_PUT_IF_GENERATION)
        self.breaker = CircuitBreaker(breaker_failures, breaker_reset_s, clock)
        self._lock = threading.Lock()
        self._pending: set[int] = set()
        self._degraded = False

    def _keys(self, user_id: int) -> list[str]:
        return [f"{self.prefix}{user_id}", f"{self.prefix}{user_id}:gen"]

    def _flush_pending(self) -> None:
        with self._lock:
            pending, self._pending = sorted(self._pending), set()
        for start in range(0, len(pending), _CHUNK):
            pipe = self.client.pipeline(transaction=True)
            for user_id in pending[start:start + _CHUNK]:
                entry, generation = self._keys(user_id)
                pipe.incr(generation)
                pipe.expire(generation, 2 * self.ttl_seconds)
                pipe.delete(entry)
            try:
                pipe.execute()
            except BaseException:
                with self._lock:
                    self._pending.update(pending[start:])
                raise

    def _call(self, operation: Callable[[], T], fallback: T) -> T:
        if not self.breaker.allow():
            return fallback
        try:
            self._flush_pending()
            result = operation()
        except Exception as exc:  # whatever the cache does, a request must not fail for it
            self.breaker.failed()
            if not self._degraded:
                self._degraded = True
                log.warning("cart cache unavailable (%s); carts are read from the database", exc)
            return fallback
        self.breaker.succeeded()
        if self._degraded:
            self._degraded = False
            log.info("cart cache is back")
        return result

    def get(self, user_id: int) -> CacheRead:
        def read() -> CacheRead:
            raw, generation = self.client.mget(self._keys(user_id))
            try:
                value = view_from_json(str(raw)) if raw is not None else None
            except ValueError:
                value = None
            return CacheRead(value, str(generation or "0"))

        return self._call(read, CacheRead(None, ""))

    def put(self, user_id: int, view: CartView, generation: str) -> bool:
        if not generation:
            return False
        body = view_to_json(view)
        args: list[str | int] = [generation, body, self.ttl_seconds]
        return self._call(lambda: self._put(keys=self._keys(user_id), args=args) == 1, False)

    def invalidate(self, user_ids: Iterable[int]) -> None:
        ids = set(user_ids)
        if not ids:
            return
        with self._lock:
            self._pending |= ids
        self._call(lambda: None, None)

    def check(self) -> str:
        return "up" if self._call(lambda: bool(self.client.ping()), False) else "down"

    @property
    def pending(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._pending)
