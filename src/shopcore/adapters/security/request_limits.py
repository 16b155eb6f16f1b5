"""Reset-request limits on the `limits` library, as the login throttle: memory, or Redis."""

from __future__ import annotations

import hashlib
import logging
import math
import time

import redis
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from shopcore.adapters.redis.client import redis_client

log = logging.getLogger(__name__)


def _digest(text: str) -> str:
    """Keys of a fixed size that keep no address readable in the store."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class LimitsResetRequestLimit:
    """At most `per_email` requests for one address and `per_client` from one client per window."""

    def __init__(self, storage: Storage, per_email: int = 5, per_client: int = 20,
                 window_minutes: int = 60) -> None:
        self.limiter = MovingWindowRateLimiter(storage)
        self.by_email: RateLimitItem = RateLimitItemPerMinute(per_email, window_minutes)
        self.by_client: RateLimitItem = RateLimitItemPerMinute(per_client, window_minutes)

    def hit(self, email: str, client: str) -> int | None:
        waits = []
        for item, key in ((self.by_email, ("reset-email", _digest(email.casefold()))),
                          (self.by_client, ("reset-client", _digest(client)))):
            if not self.limiter.hit(item, *key):  # test and count in one step
                reset = self.limiter.get_window_stats(item, *key).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits) if waits else None


class FallbackResetRequestLimit:
    """The Redis counts; while Redis fails, the in-process ones, so the limits hold."""

    def __init__(self, primary: LimitsResetRequestLimit,
                 fallback: LimitsResetRequestLimit) -> None:
        self.primary, self.fallback = primary, fallback

    def hit(self, email: str, client: str) -> int | None:
        try:
            return self.primary.hit(email, client)
        except Exception as exc:  # the store is down: keep counting in process
            log.warning("reset limit store unavailable (%s); using in-process limits", exc)
            return self.fallback.hit(email, client)


def memory_reset_limit(per_email: int, per_client: int,
                       window_minutes: int) -> LimitsResetRequestLimit:
    return LimitsResetRequestLimit(MemoryStorage(), per_email, per_client, window_minutes)


def redis_reset_limit(client: redis.Redis | str, per_email: int, per_client: int,
                      window_minutes: int) -> FallbackResetRequestLimit:
    """Counts shared by every worker, on the shared client's connection pool."""
    if isinstance(client, str):
        client = redis_client(client)
    storage = RedisStorage("redis://", connection_pool=client.connection_pool)
    return FallbackResetRequestLimit(
        LimitsResetRequestLimit(storage, per_email, per_client, window_minutes),
        memory_reset_limit(per_email, per_client, window_minutes))
