"""The login throttle on the real Redis service, and its in-process fallback."""

from __future__ import annotations

import uuid

from shopcore.adapters.security.throttle import redis_throttle


def test_failures_counted_in_redis_are_shared_by_two_processes_worth_of_throttles(
    redis_url: str,
) -> None:
    name = f"user-{uuid.uuid4().hex}"
    first = redis_throttle(redis_url, per_address=3, per_user=20, window_minutes=15)
    second = redis_throttle(redis_url, per_address=3, per_user=20, window_minutes=15)
    first.failed(name, "10.0.0.1")
    second.failed(name, "10.0.0.1")
    assert first.retry_after(name, "10.0.0.1") is None
    first.failed(name, "10.0.0.1")
    wait = second.retry_after(name, "10.0.0.1")
    assert wait is not None and wait > 0
    second.succeeded(name, "10.0.0.1")
    assert first.retry_after(name, "10.0.0.1") is None


def test_with_redis_down_the_limits_are_still_enforced_in_process() -> None:
    dead = redis_throttle("redis://127.0.0.1:1/0", per_address=2, per_user=20, window_minutes=15)
    dead.failed("ada", "10.0.0.1")
    dead.failed("ada", "10.0.0.1")
    assert dead.retry_after("ada", "10.0.0.1") is not None
