"""The cart cache contract, on the in-process LRU and on Redis, and Redis's outages."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from shopcore.adapters.cart_json import view_from_json, view_to_json
from shopcore.adapters.memory.cart_cache import LruCartCache
from shopcore.adapters.redis.cart_cache import RedisCartCache
from shopcore.domain.cart import CartItemView, CartProblem, CartView
from shopcore.ports.cart_cache import CacheRead, CartCache
from tests.helpers import ManualClock, remove_keys, service_missing


def cart(version: int) -> CartView:
    """A cart read model whose item count stands for the version it was built from."""
    total = Decimal(version) * Decimal("1.50")
    return CartView(items=[CartItemView(3, "Dune", Decimal("1.50"), version, total)],
                    total=total, currency="USD", item_count=version,
                    problems=[CartProblem(4, "unavailable", "Emma is no longer sold.")])


@pytest.fixture
def plain(redis_url: str) -> Iterator[redis.Redis]:
    """A plain client, to look at what the adapter stored."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def redis_cache(redis_url: str) -> Iterator[RedisCartCache]:
    """A cache under a key prefix of its own, so tests can run side by side."""
    cache = RedisCartCache(redis_url, ttl_seconds=60, prefix=f"test:{uuid.uuid4().hex}:cart:")
    yield cache
    cache.client.close()
    remove_keys(redis_url, cache.prefix)


@pytest.fixture(params=["lru", "redis"])
def cache(request: pytest.FixtureRequest) -> CartCache:
    if request.param == "lru":
        return LruCartCache(max_entries=100, ttl_seconds=60)
    redis_cache: RedisCartCache = request.getfixturevalue("redis_cache")
    return redis_cache


def test_a_miss_then_a_hit_after_a_put(cache: CartCache) -> None:
    first = cache.get(7)
    assert first.value is None
    assert cache.put(7, cart(1), first.generation)
    assert cache.get(7).value == cart(1)
    assert cache.get(8).value is None
    assert cache.check() == "up"


def test_invalidate_deletes_the_entry_and_moves_the_generation_on(cache: CartCache) -> None:
    cache.put(7, cart(1), cache.get(7).generation)
    cache.put(8, cart(1), cache.get(8).generation)
    before = cache.get(7).generation
    cache.invalidate([7])
    after = cache.get(7)
    assert after.value is None
    assert after.generation != before
    assert cache.get(8).value == cart(1)


def test_a_reader_that_read_before_a_write_cannot_cache_what_it_read(cache: CartCache) -> None:
    database = {"version": 1}
    read = cache.get(7)  # a reader misses ...
    stale = cart(database["version"])  # ... and builds the cart from the database
    database["version"] = 2  # a writer commits a change of that cart ...
    cache.invalidate([7])  # ... and invalidates it after the commit
    assert not cache.put(7, stale, read.generation)  # the slow reader's fill is refused
    assert cache.get(7).value is None
    fresh = cache.get(7)
    assert cache.put(7, cart(database["version"]), fresh.generation)
    assert cache.get(7).value == cart(2)


def test_a_put_without_a_generation_stores_nothing(cache: CartCache) -> None:
    assert not cache.put(7, cart(1), "")
    assert cache.get(7).value is None


def test_a_view_comes_back_equal_with_its_amounts_exact(cache: CartCache) -> None:
    view = CartView(items=[CartItemView(1, "Ünïcode \"quoted\"", Decimal("0.10"), 3,
                                        Decimal("0.30"))],
                    total=Decimal("0.30"), currency="EUR", item_count=3, problems=[])
    cache.put(7, view, cache.get(7).generation)
    got = cache.get(7).value
    assert got == view
    assert got is not None and str(got.total) == "0.30"


def test_the_json_mapper_refuses_what_is_not_a_stored_cart() -> None:
    assert view_from_json(view_to_json(cart(2))) == cart(2)
    for body in ("{not json", "[]", '{"items": 1}', '{"items": [], "total": "x"}'):
        with pytest.raises(ValueError):
            view_from_json(body)


def test_invalidating_several_users_at_once_and_nobody(cache: CartCache) -> None:
    for user_id in (1, 2, 3):
        cache.put(user_id, cart(1), cache.get(user_id).generation)
    cache.invalidate([])
    cache.invalidate(iter([1, 3, 3]))
    assert [cache.get(user_id).value for user_id in (1, 2, 3)] == [None, cart(1), None]


def test_concurrent_readers_never_leave_a_cart_older_than_the_last_write(
    cache: CartCache,
) -> None:
    database = {"version": 0}
    invalidated_through = {"version": 0}
    done = threading.Event()
    violations: list[str] = []
    before_last: list[str] = []

    def reader() -> None:
        while not done.is_set():
            floor = invalidated_through["version"]
            read = cache.get(7)
            if read.value is None:
                cache.put(7, cart(database["version"]), read.generation)
            elif read.value.item_count < floor:
                violations.append(f"served {read.value.item_count} after {floor} was written")

    def writer() -> None:
        for version in range(1, 201):
            if version == 200:
                before_last.append(cache.get(7).generation)
            database["version"] = version
            cache.invalidate([7])
            invalidated_through["version"] = version

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    writer()
    done.set()
    for thread in readers:
        thread.join()
    assert violations == []
    final = cache.get(7)
    assert final.value is None or final.value.item_count == 200
    assert not cache.put(7, cart(199), before_last[0])
    assert cache.get(7).value in (None, cart(200))


def test_the_lru_expires_entries_after_the_ttl() -> None:
    clock = ManualClock()
    cache = LruCartCache(ttl_seconds=60, clock=clock)
    cache.put(7, cart(1), cache.get(7).generation)
    clock.advance(59)
    assert cache.get(7).value == cart(1)
    clock.advance(1)
    assert cache.get(7).value is None
    assert len(cache) == 0


def test_the_lru_evicts_the_least_recently_used_beyond_max_entries() -> None:
    cache = LruCartCache(max_entries=2)
    cache.put(1, cart(1), cache.get(1).generation)
    cache.put(2, cart(2), cache.get(2).generation)
    cache.get(1)
    cache.put(3, cart(3), cache.get(3).generation)
    assert [cache.get(user_id).value for user_id in (1, 2, 3)] == [cart(1), None, cart(3)]
    assert len(cache) == 2


def test_the_lru_keeps_refusing_a_stale_put_after_forgetting_the_generation() -> None:
    cache = LruCartCache(max_entries=2)
    read = cache.get(1)
    cache.invalidate([1])
    cache.invalidate([2])
    cache.invalidate([3])
    assert not cache.put(1, cart(1), read.generation)
    assert cache.put(1, cart(2), cache.get(1).generation)


def test_the_lru_hands_out_copies() -> None:
    cache = LruCartCache()
    value = cart(1)
    cache.put(7, value, cache.get(7).generation)
    value.items.clear()
    got = cache.get(7).value
    assert got == cart(1)
    assert got is not None
    got.problems.clear()
    assert cache.get(7).value == cart(1)


@pytest.mark.redis
def test_redis_stores_epoch_stamped_json_under_cart_user_id_and_the_generation_beside_it(
    redis_url: str, plain: redis.Redis,
) -> None:
    user_id = 10**12 + uuid.uuid4().int % 10**9
    cache = RedisCartCache(redis_url, ttl_seconds=120)
    try:
        empty = CartView(items=[], total=Decimal("0.00"), currency="USD", item_count=0,
                         problems=[])
        cache.put(user_id, empty, cache.get(user_id).generation)
        epoch = plain.get("cart:epoch") or "0"
        assert plain.get(f"cart:{user_id}") == (
            f'{{"epoch":{epoch},"items":[],"total":"0.00","currency":"USD","item_count":0,'
            '"problems":[]}')
        assert 110 < plain.ttl(f"cart:{user_id}") <= 120
        cache.invalidate([user_id])
        assert plain.get(f"cart:{user_id}") is None
        assert plain.get(f"cart:{user_id}:gen") == "1"
        assert 230 < plain.ttl(f"cart:{user_id}:gen") <= 240
    finally:
        plain.delete(f"cart:{user_id}", f"cart:{user_id}:gen")
        cache.client.close()


@pytest.mark.redis
def test_redis_entries_expire_after_the_ttl(redis_url: str) -> None:
    cache = RedisCartCache(redis_url, ttl_seconds=1, prefix=f"test:{uuid.uuid4().hex}:cart:")
    try:
        cache.put(7, cart(1), cache.get(7).generation)
        assert cache.get(7).value == cart(1)
        deadline = time.monotonic() + 10
        while cache.get(7).value is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert cache.get(7).value is None
    finally:
        remove_keys(redis_url, cache.prefix)


@pytest.mark.redis
def test_a_value_that_is_not_json_reads_as_a_miss_and_is_replaced(
    redis_cache: RedisCartCache, plain: redis.Redis,
) -> None:
    plain.set(f"{redis_cache.prefix}7", "{not json")
    read = redis_cache.get(7)
    assert read.value is None
    assert redis_cache.put(7, cart(1), read.generation)
    assert redis_cache.get(7).value == cart(1)


def test_a_dead_redis_gives_misses_refused_puts_and_an_open_breaker() -> None:
    clock = ManualClock()
    cache = RedisCartCache("redis://127.0.0.1:1/0", breaker_failures=3, clock=clock)
    assert cache.get(7) == CacheRead(None, "")
    assert not cache.put(7, cart(1), "0")
    assert cache.breaker.state == "closed"
    cache.invalidate([7, 8])
    assert cache.breaker.open
    assert cache.check() == "down"
    assert cache.pending == {7, 8}
    assert cache.breaker.failures == 3


def test_the_outage_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    cache = RedisCartCache("redis://127.0.0.1:1/0", breaker_failures=100)
    for _ in range(5):
        cache.get(7)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "cart cache unavailable" in warnings[0].getMessage()


class HungServer:
    """A TCP port that accepts connections and never answers, like a hung Redis."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.setblocking(False)
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        self.accepted: list[socket.socket] = []

    def new_connections(self) -> int:
        """Connections made since the last call (each is in the backlog once connect returned)."""
        count = 0
        while True:
            try:
                connection, _ = self.listener.accept()
            except BlockingIOError:
                return count
            self.accepted.append(connection)
            count += 1

    def close(self) -> None:
        for connection in self.accepted:
            connection.close()
        self.listener.close()


@pytest.fixture
def hung() -> Iterator[HungServer]:
    server = HungServer()
    yield server
    server.close()


def test_a_hung_redis_times_out_into_a_miss_and_then_the_breaker_stops_trying(
    hung: HungServer,
) -> None:
    clock = ManualClock()
    cache = RedisCartCache(hung.url, timeout_s=0.1, breaker_failures=2, breaker_reset_s=5,
                           clock=clock)
    assert cache.get(7).value is None
    assert cache.breaker.failures == 1
    assert hung.new_connections() == 1
    cache.invalidate([7])
    assert cache.breaker.open
    assert hung.new_connections() == 1
    assert cache.get(7).value is None
    assert not cache.put(7, cart(1), "0")
    assert cache.check() == "down"
    assert hung.new_connections() == 0
    clock.advance(5)
    assert cache.breaker.state == "half-open"
    assert cache.get(7).value is None
    assert hung.new_connections() == 1
    assert cache.breaker.open
    assert cache.pending == {7}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """A throwaway redis-server process that a test can stop, start, pause and resume."""

    def __init__(self, directory: Path) -> None:
        self.directory, self.port = directory, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        service_missing("redis-server", "not on the PATH")
    process = RedisServer(tmp_path)
    try:
        process.start()
    except (OSError, redis.RedisError) as exc:
        process.stop()
        service_missing("redis-server", exc)
    yield process
    process.stop()


@pytest.mark.slow
def test_after_a_restart_the_cache_closes_its_breaker_and_applies_missed_invalidations(
    server: RedisServer,
) -> None:
    clock = ManualClock()
    cache = RedisCartCache(server.url, breaker_failures=2, breaker_reset_s=5, clock=clock)
    assert cache.put(7, cart(1), cache.get(7).generation)
    server.stop()
    cache.invalidate([7])
    assert cache.get(7).value is None
    assert cache.breaker.open
    server.start()
    assert cache.check() == "down"
    clock.advance(5)
    assert cache.check() == "up"
    assert cache.breaker.state == "closed"
    assert cache.pending == frozenset()
    plain = redis.Redis(port=server.port, decode_responses=True)
    assert plain.get("cart:7:gen") == "1"
    plain.close()
    assert cache.put(7, cart(2), cache.get(7).generation)
    assert cache.get(7).value == cart(2)


@pytest.mark.slow
def test_a_cart_changed_while_redis_hung_is_not_served_stale_when_it_answers_again(
    server: RedisServer,
) -> None:
    clock = ManualClock()
    cache = RedisCartCache(server.url, timeout_s=0.1, breaker_failures=2, breaker_reset_s=5,
                           clock=clock)
    assert cache.put(7, cart(1), cache.get(7).generation)
    slow_reader = cache.get(8)
    server.pause()
    assert cache.get(7).value is None
    assert cache.get(8).value is None
    assert cache.breaker.open
    cache.invalidate([7, 8])  # the carts change while the breaker keeps Redis out of reach
    server.resume()
    plain = redis.Redis(port=server.port, decode_responses=True)
    assert plain.get("cart:7") is not None
    clock.advance(5)
    assert not cache.put(8, cart(1), slow_reader.generation)
    assert plain.get("cart:7") is None
    assert cache.get(7).value is None
    assert plain.mget("cart:7:gen", "cart:8:gen") == ["1", "1"]
    plain.close()
    assert cache.pending == frozenset()
