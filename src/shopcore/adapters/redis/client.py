"""The one Redis client of a process, shared by the cart cache and the login throttle."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.commands.core import Script
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


class Direct:
    """Commands sent on one connection per thread, past redis-py's per-command layers.

    `client.mget(...)` costs ~110 us of CPU where the round trip itself is ~45 us: the pool
    checkout (a poll of the socket, OpenTelemetry counters), the retry wrapper and the
    response callbacks. For the two reads on every cache hit (the cart's MGET, the catalog's
    version script) and the invalidation on every cart change, that is most of their cost.
    The connection is made with the client's own settings (timeouts, decoding, health
    checks); one that broke is dropped and, on a connection error, the command is sent once
    more on a new one (as the client's retry does); a timeout is not retried.
    """

    def __init__(self, client: redis.Redis) -> None:
        pool = client.connection_pool
        connection_class: Any = pool.connection_class
        self._make: Callable[[], Any] = lambda: connection_class(**pool.connection_kwargs)
        self._local = threading.local()

    def _connection(self) -> Any:
        held = getattr(self._local, "held", None)
        if held is None or held[0] != os.getpid():  # never a connection of the parent
            held = self._local.held = (os.getpid(), self._make())
        return held[1]

    def __call__(self, *args: Any) -> Any:
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.send_command(*args)
                return connection.read_response()
            except redis.ResponseError:
                raise  # an answer: the connection is fine
            except redis.ConnectionError:
                connection.disconnect()
                if attempt == 2:
                    raise
            except BaseException:
                connection.disconnect()
                raise
        raise AssertionError("unreachable")

    def script(self, script: Script, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """A registered script run by its SHA; a Redis that lost it (a restart) loads it again."""
        try:
            return self("EVALSHA", script.sha, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            return script(keys=keys, args=args)
