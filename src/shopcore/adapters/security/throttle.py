"""Password-guess throttling on the `limits` library: memory, or Redis with a memory fallback."""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from contextlib import AbstractContextManager, nullcontext

import redis
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter

from shopcore.adapters.redis.client import redis_client

log = logging.getLogger(__name__)
Key = tuple[RateLimitItem, str]


def digest(*parts: str) -> str:
    """A fixed-size key part: a megabyte of username costs the store 32 characters."""
    joined = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(joined).hexdigest()[:32]


class LimitsThrottle:
    """Guesses counted per username and address, per username, and per client address.

    Every guess is counted before the password is checked, by the atomic `hit` of a fixed
    window counter, so parallel guesses cannot slip past a limit; a correct password takes its
    guess back. The per-username limit refuses only addresses that already guessed wrong for
    that username, so an attacker spraying it from many addresses cannot lock the owner out.
    """

    def __init__(self, storage: Storage, per_address: int = 5, per_user: int = 20,
                 window_minutes: int = 15, per_client: int = 50) -> None:
        self.limiter = FixedWindowRateLimiter(storage)
        self.storage = storage
        # Redis counts in one Lua call; limits' in-process counter can lose a count to a
        # racing expiry check, so in process the throttle takes its own lock.
        self._lock: AbstractContextManager[object] = (
            threading.Lock() if isinstance(storage, MemoryStorage) else nullcontext())
        self.by_pair: RateLimitItem = RateLimitItemPerMinute(per_address, window_minutes)
        self.by_user: RateLimitItem = RateLimitItemPerMinute(per_user, window_minutes)
        self.by_client: RateLimitItem = RateLimitItemPerMinute(per_client, window_minutes)

    def _keys(self, username: str, address: str) -> tuple[Key, Key, Key]:
        return ((self.by_client, "login-client:" + digest(address)),
                (self.by_pair, "login-pair:" + digest(username, address)),
                (self.by_user, "login-user:" + digest(username)))

    def _wait(self, key: Key) -> int:
        reset = self.limiter.get_window_stats(*key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def _take_back(self, key: Key) -> None:
        item, name = key
        if self.storage.get(item.key_for(name)) > 0:
            self.storage.incr(item.key_for(name), item.get_expiry(), amount=-1)

    def attempt(self, username: str, address: str) -> int | None:
        with self._lock:
            return self._attempt(username, address)

    def _attempt(self, username: str, address: str) -> int | None:
        client, pair, user = self._keys(username, address)
        if not self.limiter.hit(*client):
            return self._wait(client)
        guessed_here = self.limiter.get_window_stats(*pair).remaining < pair[0].amount
        if not self.limiter.hit(*pair):
            return self._wait(pair)
        if not self.limiter.hit(*user) and guessed_here:
            return self._wait(user)
        return None

    def succeeded(self, username: str, address: str) -> None:
        client, pair, user = self._keys(username, address)
        with self._lock:
            self._take_back(client)
            self._take_back(user)
            self.limiter.clear(*pair)


class FallbackThrottle:
    """Uses the primary (Redis) throttle; when it fails, the in-process one, so limits hold."""

    def __init__(self, primary: LimitsThrottle, fallback: LimitsThrottle) -> None:
        self.primary, self.fallback = primary, fallback

    def attempt(self, username: str, address: str) -> int | None:
        try:
            wait = self.primary.attempt(username, address)
        except Exception as exc:  # the store is down: keep enforcing in process
            log.warning("login throttle store unavailable (%s); using in-process limits", exc)
            return self.fallback.attempt(username, address)
        self.fallback.attempt(username, address)
        return wait

    def succeeded(self, username: str, address: str) -> None:
        try:
            self.primary.succeeded(username, address)
        except Exception as exc:
            log.warning("login throttle store unavailable (%s); using in-process limits", exc)
        self.fallback.succeeded(username, address)


def memory_throttle(per_address: int, per_user: int, window_minutes: int,
                    per_client: int = 50) -> LimitsThrottle:
    return LimitsThrottle(MemoryStorage(), per_address, per_user, window_minutes, per_client)


def redis_throttle(client: redis.Redis | str, per_address: int, per_user: int,
                   window_minutes: int, per_client: int = 50) -> FallbackThrottle:
    """Counters in Redis: on the shared client's connection pool, or on its own for a URL."""
    if isinstance(client, str):
        client = redis_client(client)
    # limits builds its own Redis object; given the pool, it shares the sockets and timeouts.
    storage = RedisStorage("redis://", connection_pool=client.connection_pool)
    return FallbackThrottle(
        LimitsThrottle(storage, per_address, per_user, window_minutes, per_client),
        memory_throttle(per_address, per_user, window_minutes, per_client))
