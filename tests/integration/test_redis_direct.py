"""Direct: one connection per thread for the cache hits, as sturdy as the client's own calls."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import redis

from shopcore.adapters.redis.client import Direct, redis_client

pytestmark = pytest.mark.redis


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    found = redis_client(redis_url)
    yield found
    found.close()


def test_commands_are_answered_as_the_client_answers_them(client: redis.Redis) -> None:
    direct = Direct(client)
    client.set("direct:a", "1")
    assert direct("MGET", "direct:a", "direct:missing") == client.mget("direct:a",
                                                                        "direct:missing")
    assert direct("INCR", "direct:a") == 2
    client.delete("direct:a")


def test_a_refused_command_keeps_the_connection_and_a_killed_one_is_replaced(
    client: redis.Redis,
) -> None:
    direct = Direct(client)
    first = direct("CLIENT", "ID")
    with pytest.raises(redis.ResponseError):
        direct("NO-SUCH-COMMAND")
    assert direct("CLIENT", "ID") == first

    client.client_kill_filter(_id=first)
    assert direct("PING") == "PONG"  # sent again on a new connection
    assert direct("CLIENT", "ID") != first


def test_each_thread_has_its_own_connection(client: redis.Redis) -> None:
    direct = Direct(client)
    ids: list[int] = []
    threads = [threading.Thread(target=lambda: ids.append(direct("CLIENT", "ID")))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 3
    assert direct("CLIENT", "ID") not in ids


def test_a_script_runs_by_its_sha_and_is_loaded_again_after_redis_lost_it(
    client: redis.Redis,
) -> None:
    direct = Direct(client)
    script = client.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    client.delete("direct:script")
    assert direct.script(script, ["direct:script"], [2]) == 2
    client.script_flush()  # as a restarted Redis: no script is known
    assert direct.script(script, ["direct:script"], [3]) == 5
    assert client.script_exists(script.sha) == [True]
    client.delete("direct:script")
