"""The cart cache in Redis, behind short timeouts, a circuit breaker and a cache epoch.

A cart change that could not invalidate Redis (it was unreachable) leaves entries there
that other workers would serve stale once it answers again. So that process marks the
cache distrusted and, as soon as Redis answers (from a background retry, not waiting for
its next request), moves the epoch `cart:epoch` on: every entry carries the epoch it was
written in, and an entry of an older epoch reads as a miss in every worker.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from typing import TypeVar

import orjson
import redis

from shopcore.adapters.cart_json import view_from_json, view_to_json
from shopcore.adapters.redis.breaker import CircuitBreaker, Guard
from shopcore.adapters.redis.client import Direct, redis_client
from shopcore.domain.cart import CartView
from shopcore.ports.cart_cache import CacheRead

log = logging.getLogger(__name__)
T = TypeVar("T")
_CHUNK = 500

_PUT_IF_GENERATION = """
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
if (redis.call('GET', KEYS[3]) or '0') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
return 1
"""
# Every (entry, generation) pair of KEYS: the generation moves on, the entry goes. One
# script, atomic like MULTI/EXEC, at less than half a pipeline's client CPU.
_DROP = """
for i = 1, #KEYS, 2 do
  redis.call('INCR', KEYS[i + 1])
  redis.call('EXPIRE', KEYS[i + 1], ARGV[1])
  redis.call('DEL', KEYS[i])
end
return 1
"""


def _stamped(epoch: str, body: str) -> str:
    """The cart's JSON with its epoch as the first member."""
    return f'{{"epoch":{int(epoch)},{body[1:]}' if body != "{}" else f'{{"epoch":{int(epoch)}}}'


class RedisCartCache:
    """Carts as JSON under `cart:<user_id>`, guarded by a generation under `cart:<user_id>:gen`
    and by the epoch under `cart:epoch`.

    `client` is the process's shared client (decoding responses), or a URL to build one for
    this cache alone with `timeout_s`.
    """

    def __init__(self, client: redis.Redis | str, ttl_seconds: int = 3600, *,
                 timeout_s: float = 0.25, breaker_failures: int = 3, breaker_reset_s: float = 5.0,
                 prefix: str = "cart:", clock: Callable[[], float] = time.monotonic,
                 retry_s: float = 0.5) -> None:
        self.ttl_seconds, self.prefix, self.retry_s = ttl_seconds, prefix, retry_s
        self.client = (redis_client(client, timeout_s=timeout_s) if isinstance(client, str)
                       else client)
        self._put = self.client.register_script(_PUT_IF_GENERATION)
        self._drop = self.client.register_script(_DROP)
        self._direct = Direct(self.client)
        self.breaker = CircuitBreaker(breaker_failures, breaker_reset_s, clock)
        self.guard = Guard(self.breaker, log, "cart cache", "carts are read from the database")
        self._lock = threading.Lock()
        self._pending: set[int] = set()
        self._distrusted = False
        self._retrier: threading.Thread | None = None

    @property
    def epoch_key(self) -> str:
        return f"{self.prefix}epoch"

    def _keys(self, user_id: int) -> list[str]:
        return [f"{self.prefix}{user_id}", f"{self.prefix}{user_id}:gen", self.epoch_key]

    def _flush_pending(self) -> None:
        with self._lock:
            pending, self._pending = sorted(self._pending), set()
            distrusted = self._distrusted
        if distrusted:
            try:
                self.client.incr(self.epoch_key)
            except BaseException:
                with self._lock:
                    self._pending.update(pending)
                raise
            with self._lock:
                self._distrusted = False
            log.info("cart cache: epoch moved on after a lost invalidation")
        for start in range(0, len(pending), _CHUNK):
            keys = [key for user_id in pending[start:start + _CHUNK]
                    for key in self._keys(user_id)[:2]]
            try:
                self._direct.script(self._drop, keys, [2 * self.ttl_seconds])
            except BaseException:
                with self._lock:
                    self._pending.update(pending[start:])
                raise

    def _call(self, operation: Callable[[], T], fallback: T) -> T:
        return self.guard.call(operation, fallback, self._flush_pending)

    @staticmethod
    def _retry_until_trusted(cache: weakref.ref[RedisCartCache], retry_s: float) -> None:
        """Move the epoch on as soon as Redis answers, whether or not requests come (and
        stop when the cache is gone)."""
        while True:
            time.sleep(retry_s)
            found = cache()
            if found is None:
                return
            with found._lock:
                if not found._distrusted:
                    found._retrier = None
                    return
            try:
                found._flush_pending()
            except Exception:  # noqa: S112 - still unreachable: try again after retry_s
                continue
            finally:
                del found

    def _distrust(self) -> None:
        with self._lock:
            if not self._pending:
                return
            self._distrusted = True
            if self._retrier is not None:
                return
            self._retrier = threading.Thread(
                target=self._retry_until_trusted, args=(weakref.ref(self), self.retry_s),
                daemon=True, name="cart-cache-epoch")
        self._retrier.start()

    def get(self, user_id: int) -> CacheRead:
        def read() -> CacheRead:
            raw, generation, epoch = self._direct("MGET", *self._keys(user_id))
            epoch, body = str(epoch or "0"), None
            stamp = f'{{"epoch":{epoch},'
            if raw is not None and str(raw).startswith(stamp):
                body = b"{" + str(raw)[len(stamp):].encode()
                try:  # what is sent on as it is must at least be a JSON object
                    body = body if isinstance(orjson.loads(body), dict) else None
                except orjson.JSONDecodeError:
                    body = None
            return CacheRead(None, str(generation or "0") + "/" + epoch, body, view_from_json)

        return self._call(read, CacheRead(None, ""))

    def put(self, user_id: int, view: CartView, generation: str) -> bool:
        if not generation:
            return False
        counter, _, epoch = generation.partition("/")
        args: list[str | int] = [counter, epoch or "0", _stamped(epoch or "0", view_to_json(view)),
                                 self.ttl_seconds]
        return self._call(lambda: self._put(keys=self._keys(user_id), args=args) == 1, False)

    def invalidate(self, user_ids: Iterable[int]) -> None:
        ids = set(user_ids)
        if not ids:
            return
        with self._lock:
            self._pending |= ids
        self._call(lambda: None, None)
        self._distrust()

    def check(self) -> str:
        return "up" if self._call(lambda: bool(self.client.ping()), False) else "down"

    @property
    def pending(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._pending)

    @property
    def distrusted(self) -> bool:
        """An invalidation was lost: the epoch must move on before Redis is trusted again."""
        with self._lock:
            return self._distrusted
