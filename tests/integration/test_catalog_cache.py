"""The catalog cache contract, on the in-process LRU and on Redis, and Redis's outages."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine

from shopcore.adapters.memory.catalog_cache import Entries, LruCatalogCache, NoCatalogCache
from shopcore.adapters.redis.catalog_cache import RedisCatalogCache
from shopcore.adapters.sqlalchemy.data_version import SqliteDataVersion
from shopcore.application.catalog_cache import CatalogChanged, ReadThroughCatalog
from shopcore.domain.events import CartUpdated, ProductChanged
from shopcore.ports.catalog_cache import CatalogCache
from tests.helpers import ManualClock, remove_keys

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of the test's own, removed after it."""
    name = f"test:{uuid.uuid4().hex}:catalog:"
    yield name
    remove_keys(redis_url, name)


def redis_cache(redis_url: str, prefix: str) -> RedisCatalogCache:
    return RedisCatalogCache(redis_url, ttl_seconds=60, prefix=prefix)


@pytest.fixture(params=["lru", "redis"])
def cache(request: pytest.FixtureRequest) -> CatalogCache:
    if request.param == "lru":
        return LruCatalogCache()
    return redis_cache(request.getfixturevalue("redis_url"), request.getfixturevalue("prefix"))


def test_a_miss_then_a_hit_after_a_put(cache: CatalogCache) -> None:
    first = cache.get("/api/products/1/")
    assert first.value is None and first.version
    cache.put("/api/products/1/", b'{"id":1}', first.version)
    assert cache.get("/api/products/1/").value == b'{"id":1}'
    assert cache.get("/api/products/2/").value is None
    assert cache.check() == "up"


def test_a_bump_hides_every_answer_stored_before_it(cache: CatalogCache) -> None:
    read = cache.get("a")
    cache.put("a", b"1", read.version)
    cache.put("b", b"2", read.version)
    cache.bump()
    after = cache.get("a")
    assert after.value is None
    assert after.version != read.version
    assert cache.get("b").value is None


def test_an_answer_read_before_a_change_is_never_served_after_it(cache: CatalogCache) -> None:
    read = cache.get("a")  # a reader starts, reads the database ...
    cache.bump()  # ... a writer commits and bumps ...
    cache.put("a", b"stale", read.version)  # ... and the slow reader stores what it read
    fresh = cache.get("a")
    assert fresh.value is None
    cache.put("a", b"fresh", fresh.version)
    assert cache.get("a").value == b"fresh"


def test_a_put_without_a_version_stores_nothing(cache: CatalogCache) -> None:
    cache.put("a", b"1", "")
    assert cache.get("a").value is None


def test_read_through_builds_once_and_never_caches_a_refusal(cache: CatalogCache) -> None:
    read = ReadThroughCatalog(cache)
    built: list[str] = []

    def build(answer: bytes | None) -> bytes | None:
        built.append("x")
        return answer

    assert read("k", lambda: build(b"body")) == b"body"
    assert read("k", lambda: build(b"other")) == b"body"
    assert read("404", lambda: build(None)) is None
    assert read("404", lambda: build(None)) is None
    assert len(built) == 3


def test_only_a_product_change_moves_the_version_on(cache: CatalogCache) -> None:
    changed = CatalogChanged(cache)
    version = cache.get("a").version
    changed.committed([CartUpdated(user_id=1, items=[])])
    changed({"type": "cart.updated", "payload": {}})
    assert cache.get("a").version == version
    changed.committed([ProductChanged(product_id=1, change="updated", name="Dune",
                                      slug="dune", price=1, currency="USD", category_id=1,
                                      stock=None)])
    assert cache.get("a").version != version
    version = cache.get("a").version
    changed({"type": ProductChanged.type, "payload": {"product_id": 1}})
    assert cache.get("a").version != version


def test_the_lru_expires_answers_and_evicts_the_least_recently_used() -> None:
    clock = ManualClock()
    cache = LruCatalogCache(max_entries=2, ttl_seconds=10, clock=clock)
    version = cache.get("a").version
    cache.put("a", b"1", version)
    cache.put("b", b"2", version)
    cache.get("a")
    cache.put("c", b"3", version)
    assert [cache.get(k).value for k in "abc"] == [b"1", None, b"3"]
    clock.now += 10
    assert cache.get("a").value is None


def test_entries_stay_within_their_byte_budget() -> None:
    entries = Entries(max_entries=100, max_bytes=10, ttl_seconds=60, clock=ManualClock())
    entries.put("a", "1", b"12345")
    entries.put("b", "1", b"12345")
    entries.put("c", "1", b"123")
    entries.put("huge", "1", b"x" * 11)
    assert [entries.get(k, "1") for k in ("a", "b", "c", "huge")] == [None, b"12345", b"123",
                                                                      None]


def test_no_cache_answers_from_the_database_every_time() -> None:
    cache = NoCatalogCache()
    cache.put("a", b"1", cache.get("a").version)
    cache.bump()
    assert cache.get("a").value is None
    assert cache.check() == "disabled"


def test_a_bump_in_one_process_is_seen_by_the_next_read_of_another(
        redis_url: str, prefix: str) -> None:
    one, other = redis_cache(redis_url, prefix), redis_cache(redis_url, prefix)
    read = one.get("a")
    one.put("a", b"old", read.version)
    assert other.get("a").value == b"old"  # now held in the other's own layer too
    one.bump()
    assert other.get("a").value is None
    assert one.get("a").value is None


def test_redis_keeps_the_answer_bytes_under_the_version(redis_url: str, prefix: str) -> None:
    cache = redis_cache(redis_url, prefix)
    read = cache.get("/api/products/1/")
    cache.put("/api/products/1/", "é".encode(), read.version)
    plain = redis.Redis.from_url(redis_url)
    assert plain.get(f"{prefix}version") == read.version.encode()
    [key] = plain.keys(f"{prefix}e:{read.version}:*")
    assert plain.get(key) == "é".encode()
    assert 0 < int(plain.ttl(key)) <= 60
    fresh = redis_cache(redis_url, prefix)  # nothing in its own layer: read from Redis
    assert fresh.get("/api/products/1/").value == "é".encode()


def test_a_lost_version_key_starts_a_version_nothing_was_stored_under(
        redis_url: str, prefix: str) -> None:
    cache = redis_cache(redis_url, prefix)
    read = cache.get("a")
    cache.put("a", b"old", read.version)
    redis.Redis.from_url(redis_url).delete(f"{prefix}version")  # flushed, or evicted
    assert redis_cache(redis_url, prefix).get("a").value is None
    assert cache.get("a").value is None


def test_a_dead_redis_gives_misses_without_a_version_and_never_raises() -> None:
    cache = RedisCatalogCache(DEAD_REDIS, breaker_failures=2)
    read = cache.get("a")
    assert read.value is None and read.version == ""
    cache.put("a", b"1", "7")
    cache.bump()
    assert cache.bump_pending
    assert cache.check() == "down"
    assert cache.breaker.state == "open"
    assert cache.get("a").version == ""  # the open breaker answers without trying


def test_a_bump_missed_while_redis_was_down_is_applied_before_the_next_read(
        redis_url: str, prefix: str) -> None:
    cache = redis_cache(redis_url, prefix)
    read = cache.get("a")
    cache.put("a", b"old", read.version)
    cache.client.connection_pool.reset()
    good_pool = cache.client.connection_pool
    cache.client.connection_pool = redis.ConnectionPool.from_url(DEAD_REDIS)
    cache.bump()  # the change committed while Redis did not answer
    assert cache.bump_pending
    cache.client.connection_pool = good_pool
    cache.breaker.succeeded()
    assert cache.get("a").value is None
    assert not cache.bump_pending


def test_under_sqlites_data_version_a_commit_anywhere_else_hides_old_answers(
        tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (x)")
    cache = LruCatalogCache(outside=SqliteDataVersion(create_engine(f"sqlite:///{path}")))
    read = cache.get("a")
    cache.put("a", b"1", read.version)
    assert cache.get("a").value == b"1"
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    writer.execute("ROLLBACK")  # a read-only transaction, or one rolled back, moves nothing
    assert cache.get("a").value == b"1"
    writer.execute("INSERT INTO t VALUES (1)")  # another process's commit, say the CLI's
    assert cache.get("a").value is None
    cache.put("a", b"stale", read.version)
    assert cache.get("a").value is None


def test_an_unreadable_sqlite_file_turns_the_cache_off(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'shop.sqlite3'}")
    cache = LruCatalogCache(outside=SqliteDataVersion(engine))
    read = cache.get("a")
    assert (read.value, read.version) == (None, "")
    cache.put("a", b"1", read.version)
    assert cache.get("a").value is None
