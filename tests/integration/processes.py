"""Real `shopcore` processes against a shop database and a Tansu broker, for shutdown tests."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from shopcore import App
from shopcore.adapters.kafka.consumer import KafkaEventConsumer
from shopcore.adapters.kafka.topics import SHOPCORE_TOPICS
from shopcore.adapters.sqlalchemy.tables import outbox, processed_events
from tests.helpers import TEST_SECRET, make_settings
from tests.integration.broker import TansuBroker


@dataclass
class Stack:
    """A migrated SQLite shop whose bus is the test broker, and the env of its processes."""

    path: Path
    broker: TansuBroker
    workdir: Path
    started: list[subprocess.Popen[str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "SHOPCORE_DATABASE_URL": self.url,
                "SHOPCORE_KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
                "SHOPCORE_SECRET_KEY": TEST_SECRET, "SHOPCORE_REDIS_URL": "",
                "SHOPCORE_VAR_DIR": str(self.workdir / "var"), "PYTHONUNBUFFERED": "1",
                **extra}

    def app(self, **overrides: Any) -> App:
        return App(make_settings(self.url, password_hasher="plain", event_bus="kafka",
                                 kafka_bootstrap_servers=self.broker.bootstrap_servers,
                                 **overrides))

    def relay_all(self, **overrides: Any) -> int:
        """Relay the whole outbox in this process; the number published."""
        total = 0
        with self.app(**overrides) as app:
            while (result := app.relay_outbox(limit=100)).published:
                total += result.published
        return total

    def register(self, count: int) -> None:
        """`count` users, so `count` user.registered events wait in the outbox."""
        with self.app() as app:
            for n in range(count):
                app.register_user(username=f"user{n}", email=f"user{n}@example.com",
                                  password="correct-horse")

    def start(self, *args: str, name: str, **extra: str) -> subprocess.Popen[str]:
        """`python -m shopcore ARGS` with its output in `<name>.out`."""
        with (self.workdir / f"{name}.out").open("a") as out:
            process = subprocess.Popen([sys.executable, "-m", "shopcore", *args],
                                       env=self.env(**extra), cwd=self.workdir, stdout=out,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       text=True)
        self.started.append(process)
        return process

    def kill_all(self) -> None:
        """Whatever a failed test left running."""
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()

    def output(self, name: str) -> str:
        path = self.workdir / f"{name}.out"
        return path.read_text() if path.exists() else ""

    def scalar(self, statement: Any) -> int:
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                return int(connection.scalar(statement) or 0)
        finally:
            engine.dispose()

    def published(self) -> int:
        return self.scalar(select(func.count()).select_from(outbox)
                           .where(outbox.c.published_at.is_not(None)))

    def processed(self, consumer: str) -> int:
        return self.scalar(select(func.count()).select_from(processed_events)
                           .where(processed_events.c.consumer == consumer))

    def on_the_bus(self, idle_s: float = 4.0) -> Counter[str]:
        """How many times each event id was published, read by a fresh group.

        A read that found nothing is made again by a new group waiting three times as long:
        on a loaded machine the broker's first fetches can come after the idle time.
        """
        for idle in (idle_s, 3 * idle_s):
            seen: Counter[str] = Counter()

            def count(message: dict[str, Any], seen: Counter[str] = seen) -> None:
                seen[str(message["event_id"])] += 1

            KafkaEventConsumer(self.broker.bootstrap_servers,
                               group=f"audit-{time.monotonic_ns()}", topics=SHOPCORE_TOPICS,
                               from_beginning=True, handle=count, dead_letter=False,
                               out=io.StringIO()).run(idle_timeout_s=idle)
            if seen:
                break
        return seen


def wait_until(condition: Any, timeout_s: float = 60.0, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s")
        time.sleep(every)


def stop(process: subprocess.Popen[str], signum: int, timeout_s: float = 30.0) -> int:
    process.send_signal(signum)
    try:
        return process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"no exit {timeout_s} s after signal {signum}") from None


def event_lines(output: str, kind: str = "user.registered") -> int:
    return sum(1 for line in output.splitlines() if f" {kind} " in line)


def duplicate_lines(output: str) -> int:
    return sum(1 for line in output.splitlines() if line.startswith("# duplicate "))


SIGTERM, SIGKILL = signal.SIGTERM, signal.SIGKILL
