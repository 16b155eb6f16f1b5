"""Reset mail with Kafka: the relay publishes the event, a consumer group's handler mails the
link, and the consumer's retry policy covers a mail server that fails for a moment."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shopcore import App
from shopcore.adapters.kafka.consumer import KafkaEventConsumer
from shopcore.adapters.mail.mailers import MemoryMailer
from shopcore.ports.mail import MailFailed, Message
from tests.helpers import make_settings
from tests.integration.broker import TansuBroker


class FailingFirstMailer(MemoryMailer):
    """A mailer that fails `failures` times, as a busy mail server would, then sends."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def send(self, message: Message) -> None:
        if self.failures:
            self.failures -= 1
            raise MailFailed("451 try again later")
        super().send(message)


@pytest.fixture
def shop(kafka_broker: TansuBroker, sqlite_template: Path, tmp_path: Path) -> Iterator[App]:
    path = tmp_path / "shop.sqlite3"
    shutil.copy(sqlite_template, path)
    app = App(make_settings(f"sqlite:///{path}", event_bus="kafka", password_hasher="plain",
                            public_url="https://shop.example.com",
                            kafka_bootstrap_servers=kafka_broker.bootstrap_servers))
    yield app
    app.close()


def test_a_consumer_group_mails_the_reset_link_retrying_a_failed_send(
        shop: App, kafka_broker: TansuBroker) -> None:
    mailer = FailingFirstMailer(failures=2)
    shop.container.adapters.mailer.override(mailer)
    shop.register_user(username="alice", email="alice@example.com", password="correct-horse")
    shop.request_password_reset(email="alice@example.com", client="10.0.0.1")
    assert mailer.sent == []
    while shop.relay_outbox().published:
        pass

    def handle(message: dict[str, Any]) -> None:
        shop.handle_event(consumer="mail", message=message)

    consumer = KafkaEventConsumer(kafka_broker.bootstrap_servers, group="mail",
                                  topics=["shopcore.users"], from_beginning=True, handle=handle,
                                  max_attempts=3, retry_backoff_s=0.01, out=io.StringIO())
    stats = consumer.run(max_messages=2, idle_timeout_s=5)
    assert (stats.handled, stats.failed_to_dlq) == (2, 0)
    [mail] = mailer.sent
    assert mail.to == "alice@example.com"
    assert "https://shop.example.com/api/users/password_reset/confirm/" in mail.body
