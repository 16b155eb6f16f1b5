"""The catalog cache in Redis, with a per-process layer that costs one round trip per hit."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis

from shopcore.adapters.memory.catalog_cache import Entries
from shopcore.adapters.redis.breaker import CircuitBreaker, Guard
from shopcore.adapters.redis.client import Direct, redis_client
from shopcore.ports.catalog_cache import CatalogRead

log = logging.getLogger(__name__)
T = TypeVar("T")

# The version, started at a fresh number when missing (a flushed or evicted version key must
# never bring back answers stored under an old one), and the entry unless the caller holds
# that version's answer already.
_READ = """
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[3])
  v = ARGV[3]
end
if v == ARGV[2] then return {v} end
return {v, redis.call('GET', ARGV[1] .. v .. ':' .. ARGV[4])}
"""
_BUMP = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCR', KEYS[1]) end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
"""


def _fresh_version() -> str:
    return str(time.time_ns())


def _digest(key: str) -> str:
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class RedisCatalogCache:
    """Answers under `<prefix>e:<version>:<digest of key>`, the version under `<prefix>version`.

    Each process keeps the answers it read or wrote in a bounded LRU and asks Redis only for
    the version when it holds the answer already. `client` is the process's shared client,
    or a URL to build one for this cache alone.
    """

    def __init__(self, client: redis.Redis | str, ttl_seconds: int = 300, *,
                 timeout_s: float = 0.25, breaker_failures: int = 3, breaker_reset_s: float = 5.0,
                 prefix: str = "catalog:", local_entries: int = 2_000,
                 local_bytes: int = 32 * 2**20,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds, self.prefix = ttl_seconds, prefix
        self.client = (redis_client(client, timeout_s=timeout_s) if isinstance(client, str)
                       else client)
        self._read = self.client.register_script(_READ)
        self._bump = self.client.register_script(_BUMP)
        self._direct = Direct(self.client)
        self.local = Entries(local_entries, local_bytes, ttl_seconds, clock)
        self.breaker = CircuitBreaker(breaker_failures, breaker_reset_s, clock)
        self.guard = Guard(self.breaker, log, "catalog cache", "reads go to the database")
        self._lock = threading.Lock()
        self._bump_pending = False

    @property
    def version_key(self) -> str:
        return f"{self.prefix}version"

    def _flush_pending(self) -> None:
        with self._lock:
            pending, self._bump_pending = self._bump_pending, False
        if not pending:
            return
        try:
            self._bump(keys=[self.version_key], args=[_fresh_version()])
        except BaseException:
            with self._lock:
                self._bump_pending = True
            raise

    def _call(self, operation: Callable[[], T], fallback: T) -> T:
        return self.guard.call(operation, fallback, self._flush_pending)

    def get(self, key: str) -> CatalogRead:
        digest = _digest(key)

        def read() -> CatalogRead:
            held, kept = self.local.held(key)
            args = [f"{self.prefix}e:", held, _fresh_version(), digest]
            found: list[Any] = self._direct.script(self._read, [self.version_key], args)
            version = _text(found[0])
            if version == held:
                return CatalogRead(kept, version)
            raw = found[1] if len(found) > 1 else None
            if raw is None:
                return CatalogRead(None, version)
            value = raw if isinstance(raw, bytes) else str(raw).encode()
            self.local.put(key, version, value)
            return CatalogRead(value, version)

        return self._call(read, CatalogRead(None, ""))

    def put(self, key: str, value: bytes, version: str) -> None:
        if not version:
            return
        entry = f"{self.prefix}e:{version}:{_digest(key)}"
        if self._call(lambda: self.client.set(entry, value, ex=self.ttl_seconds), None):
            self.local.put(key, version, value)

    def bump(self) -> None:
        with self._lock:
            self._bump_pending = True
        self._call(lambda: None, None)

    def check(self) -> str:
        return "up" if self._call(lambda: bool(self.client.ping()), False) else "down"

    @property
    def bump_pending(self) -> bool:
        with self._lock:
            return self._bump_pending


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
