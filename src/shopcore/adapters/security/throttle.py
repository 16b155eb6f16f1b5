"""Failed-login throttling on the `limits` library: memory, or Redis with a memory fallback."""

from __future__ import annotations

import logging
import math
import time

import redis
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from shopcore.adapters.redis.client import redis_client

log = logging.getLogger(__name__)


class LimitsThrottle:
    """Blocks a username after `per_address` failures from one address or `per_user` in all."""

    def __init__(self, storage: Storage, per_address: int = 5, per_user: int = 20,
                 window_minutes: int = 15) -> None:
        self.limiter = MovingWindowRateLimiter(storage)
        self.by_address: RateLimitItem = RateLimitItemPerMinute(per_address, window_minutes)
        self.by_user: RateLimitItem = RateLimitItemPerMinute(per_user, window_minutes)

    def _keys(self, username: str, address: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        name = username.casefold()
        return [(self.by_address, ("login", name, address)), (self.by_user, ("login", name))]

    def retry_after(self, username: str, address: str) -> int | None:
        waits = []
        for item, key in self._keys(username, address):
            if not self.limiter.test(item, *key):
                reset = self.limiter.get_window_stats(item, *key).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits) if waits else None

    def failed(self, username: str, address: str) -> None:
        for item, key in self._keys(username, address):
            self.limiter.hit(item, *key)

    def succeeded(self, username: str, address: str) -> None:
        for item, key in self._keys(username, address):
            self.limiter.clear(item, *key)


class FallbackThrottle:
    """Uses the primary (Redis) throttle; when it fails, the in-process one, so limits hold."""

    def __init__(self, primary: LimitsThrottle, fallback: LimitsThrottle) -> None:
        self.primary, self.fallback = primary, fallback

    def _run(self, method: str, username: str, address: str) -> int | None:
        try:
            result: int | None = getattr(self.primary, method)(username, address)
        except Exception as exc:  # the store is down: keep enforcing in process
            log.warning("login throttle store unavailable (%s); using in-process limits", exc)
            result = getattr(self.fallback, method)(username, address)
            return result
        if method == "failed":
            self.fallback.failed(username, address)
        return result

    def retry_after(self, username: str, address: str) -> int | None:
        return self._run("retry_after", username, address)

    def failed(self, username: str, address: str) -> None:
        self._run("failed", username, address)

    def succeeded(self, username: str, address: str) -> None:
        self._run("succeeded", username, address)
        self.fallback.succeeded(username, address)


def memory_throttle(per_address: int, per_user: int, window_minutes: int) -> LimitsThrottle:
    return LimitsThrottle(MemoryStorage(), per_address, per_user, window_minutes)


def redis_throttle(client: redis.Redis | str, per_address: int, per_user: int,
                   window_minutes: int) -> FallbackThrottle:
    """Counters in Redis: on the shared client's connection pool, or on its own for a URL."""
    if isinstance(client, str):
        client = redis_client(client)
    # limits builds its own Redis object; given the pool, it shares the sockets and timeouts.
    storage = RedisStorage("redis://", connection_pool=client.connection_pool)
    return FallbackThrottle(LimitsThrottle(storage, per_address, per_user, window_minutes),
                            memory_throttle(per_address, per_user, window_minutes))
