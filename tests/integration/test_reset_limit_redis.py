"""Reset-request limits on the real Redis service: shared by workers, kept while Redis is down."""

from __future__ import annotations

import uuid

import redis

from shopcore.adapters.security.request_limits import redis_reset_limit


def test_reset_requests_counted_in_redis_are_shared_by_two_workers(redis_url: str) -> None:
    email, client = f"{uuid.uuid4().hex}@example.com", f"10.{uuid.uuid4().int % 250}.0.1"
    first = redis_reset_limit(redis_url, per_email=3, per_client=100, window_minutes=60)
    second = redis_reset_limit(redis_url, per_email=3, per_client=100, window_minutes=60)
    assert [first.hit(email, client), second.hit(email, client), first.hit(email, client)] == [
        None, None, None]
    wait = second.hit(email.upper(), client)
    assert wait is not None and wait > 0


def test_no_address_is_readable_in_the_redis_keys(redis_url: str) -> None:
    email = f"{uuid.uuid4().hex}@example.com"
    redis_reset_limit(redis_url, per_email=3, per_client=100, window_minutes=60).hit(
        email, "10.0.0.1")
    client = redis.Redis.from_url(redis_url)
    keys = [key.decode() for key in client.scan_iter("*reset-*")]
    assert keys and not any(email.split("@")[0] in key or "10.0.0.1" in key for key in keys)


def test_with_redis_down_reset_requests_are_still_limited_in_process() -> None:
    dead = redis_reset_limit("redis://127.0.0.1:1/0", per_email=2, per_client=100,
                             window_minutes=60)
    assert dead.hit("ada@example.com", "10.0.0.1") is None
    assert dead.hit("ada@example.com", "10.0.0.1") is None
    assert dead.hit("ada@example.com", "10.0.0.1") is not None
