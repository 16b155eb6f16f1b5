"""The in-process catalog cache: a bounded LRU of answers under a version kept in process."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from shopcore.ports.catalog_cache import CatalogRead


class Entries:
    """Answers by key, each with the version it was read under and when it expires.

    Bounded by count and by bytes, least recently used evicted first. Also the
    per-process layer in front of Redis.
    """

    def __init__(self, max_entries: int, max_bytes: int, ttl_seconds: float,
                 clock: Callable[[], float]) -> None:
        self.max_entries, self.max_bytes, self.ttl_seconds = max_entries, max_bytes, ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[str, bytes, float]] = OrderedDict()
        self._bytes = 0

    def get(self, key: str, version: str) -> bytes | None:
        """The answer stored under `version`, if it has not expired."""
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] != version or self._clock() >= found[2]:
                return None
            self._items.move_to_end(key)
            return found[1]

    def held(self, key: str) -> tuple[str, bytes | None]:
        """The version and answer held for `key` ("" and None when none is, or it expired)."""
        with self._lock:
            found = self._items.get(key)
            if found is None or self._clock() >= found[2]:
                return "", None
            self._items.move_to_end(key)
            return found[0], found[1]

    def put(self, key: str, version: str, value: bytes) -> None:
        if len(value) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._items[key] = (version, value, self._clock() + self.ttl_seconds)
            self._bytes += len(value)
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped, _) = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class LruCatalogCache:
    """The catalog cache of one process, under a version counted in it.

    `outside` adds a version that moves with changes made elsewhere (SQLite's data_version,
    moved by any commit of any process); its "" (unreadable) turns caching off.
    """

    def __init__(self, max_entries: int = 5_000, max_bytes: int = 64 * 2**20,
                 ttl_seconds: float = 300, clock: Callable[[], float] | None = None,
                 outside: Callable[[], str] | None = None) -> None:
        self.entries = Entries(max_entries, max_bytes, ttl_seconds, clock or time.monotonic)
        self.outside = outside
        self._lock = threading.Lock()
        self._version = 1

    def _current(self) -> str:
        if self.outside is None:
            return str(self._version)
        outside = self.outside()
        return f"{self._version}:{outside}" if outside else ""

    def get(self, key: str) -> CatalogRead:
        version = self._current()
        return CatalogRead(self.entries.get(key, version) if version else None, version)

    def put(self, key: str, value: bytes, version: str) -> None:
        if version and version == self._current():
            self.entries.put(key, version, value)

    def bump(self) -> None:
        with self._lock:
            self._version += 1
        # Nothing can read the old version's answers any more: free them at once.
        self.entries.clear()

    def check(self) -> str:
        return "up"

    def __len__(self) -> int:
        return len(self.entries)


class NoCatalogCache:
    """No catalog cache: every read goes to the database (workers that cannot share one)."""

    def get(self, key: str) -> CatalogRead:
        return CatalogRead(None, "")

    def put(self, key: str, value: bytes, version: str) -> None:
        return None

    def bump(self) -> None:
        return None

    def check(self) -> str:
        return "disabled"
