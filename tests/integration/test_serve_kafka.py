"""`shopcore serve` relays to Kafka by itself, and an event carries its request's id."""

from __future__ import annotations

import io
import json
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shopcore.adapters.kafka.consumer import KafkaEventConsumer
from shopcore.adapters.kafka.topics import SHOPCORE_TOPICS
from tests.helpers import free_port
from tests.integration.broker import TansuBroker
from tests.integration.processes import SIGTERM, Stack, stop, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def stack(kafka_broker: TansuBroker, sqlite_template: Path, tmp_path: Path) -> Iterator[Stack]:
    path = tmp_path / "shop.sqlite3"
    shutil.copy(sqlite_template, path)
    running = Stack(path, kafka_broker, tmp_path)
    yield running
    running.kill_all()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def test_serve_publishes_to_kafka_without_a_relay_process_and_the_event_names_its_request(
    stack: Stack,
) -> None:
    port = free_port()
    server = stack.start("serve", "--port", str(port), name="serve")
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: answers(f"{base}/healthz"), timeout_s=30, every=0.2)
    body = json.dumps({"username": "ada", "email": "ada@example.com",
                       "password": "correct-horse-1"}).encode()
    request = urllib.request.Request(f"{base}/api/users/register/", data=body, headers={
        "Content-Type": "application/json", "X-Request-ID": "signup-ada-1"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        assert response.headers["X-Request-ID"] == "signup-ada-1"

    wait_until(lambda: stack.published() == 1, timeout_s=30)
    assert stop(server, SIGTERM) == 0
    seen: list[dict[str, Any]] = []
    printed = io.StringIO()
    KafkaEventConsumer(stack.broker.bootstrap_servers, group="audit", topics=SHOPCORE_TOPICS,
                       from_beginning=True, handle=seen.append, out=printed,
                       dead_letter=False).run(max_messages=1, idle_timeout_s=10)

    [event] = seen
    assert (event["type"], event["correlation_id"]) == ("user.registered", "signup-ada-1")
    assert "user.registered key=1 correlation_id=signup-ada-1 " in printed.getvalue()
