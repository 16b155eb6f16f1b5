"""The one Redis client of a process, shared by the cart cache and the login throttle."""

from __future__ import annotations

from collections.abc import Iterator

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


def redis_client(url: str, *, timeout_s: float = 0.25) -> redis.Redis:
    """A client that gives up fast, so an outage costs a request milliseconds, not seconds."""
    # A timeout is not retried: on a hung Redis a call costs one timeout, not two.
    return redis.Redis.from_url(
        url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        health_check_interval=5, decode_responses=True)


def redis_resource(url: str) -> Iterator[redis.Redis]:
    """The client as a container resource: its connections closed when the container shuts down."""
    client = redis_client(url)
    try:
        yield client
    finally:
        client.close()
