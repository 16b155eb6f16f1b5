"""The login throttle on the real Redis service, and its in-process fallback."""

from __future__ import annotations

import uuid

import redis

from shopcore.adapters.security.throttle import redis_throttle


def test_guesses_counted_in_redis_are_shared_by_two_processes_worth_of_throttles(
    redis_url: str,
) -> None:
    name = f"user-{uuid.uuid4().hex}"
    first = redis_throttle(redis_url, per_address=3, per_user=20, window_minutes=15)
    second = redis_throttle(redis_url, per_address=3, per_user=20, window_minutes=15)
    assert first.attempt(name, "10.0.0.1") is None
    assert second.attempt(name, "10.0.0.1") is None
    assert first.attempt(name, "10.0.0.1") is None
    wait = second.attempt(name, "10.0.0.1")
    assert wait is not None and wait > 0
    second.succeeded(name, "10.0.0.1")
    assert first.attempt(name, "10.0.0.1") is None


def test_the_per_client_limit_is_shared_through_redis_too(redis_url: str) -> None:
    address = f"198.51.100.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"
    first = redis_throttle(redis_url, per_address=5, per_user=20, window_minutes=15,
                           per_client=4)
    second = redis_throttle(redis_url, per_address=5, per_user=20, window_minutes=15,
                            per_client=4)
    for n, throttle in enumerate([first, second, first, second]):
        assert throttle.attempt(f"spray-{n}", address) is None
    assert first.attempt("spray-9", address) is not None


def test_a_megabyte_username_leaves_only_fixed_size_keys_in_redis(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    throttle = redis_throttle(redis_url, per_address=3, per_user=20, window_minutes=15)
    throttle.attempt("\ufdfa" * 1_000_000, f"10.9.{uuid.uuid4().hex}")
    sizes = [len(key) + (client.strlen(key) if client.type(key) == b"string" else 0)
             for key in client.scan_iter("*LIMITER*")]
    assert sizes and max(sizes) < 200


def test_with_redis_down_the_limits_are_still_enforced_in_process() -> None:
    dead = redis_throttle("redis://127.0.0.1:1/0", per_address=2, per_user=20, window_minutes=15)
    assert dead.attempt("ada", "10.0.0.1") is None
    assert dead.attempt("ada", "10.0.0.1") is None
    assert dead.attempt("ada", "10.0.0.1") is not None
