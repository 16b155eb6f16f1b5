"""A consumer's database effects and its "processed" mark commit together, or neither does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shopcore.domain.catalog import Category
from shopcore.domain.pagination import PageRequest
from shopcore.library import App
from shopcore.ports.unit_of_work import UnitOfWork
from tests.helpers import make_settings

pytestmark = pytest.mark.both_databases
MESSAGE = {"event_id": "0b9c2a3e-0000-4000-8000-000000000001", "type": "order.created",
           "key": "7", "payload": {}}


class CrashAfterWrite(Exception):
    """The process dies between a handler's write and the processed mark."""


class WritesACategory:
    """A handler with a database effect: one category per event it handles."""

    def __init__(self) -> None:
        self.crash_next = False

    def __call__(self, message: dict[str, Any], uow: UnitOfWork) -> None:
        uow.categories.add(Category(name=f"from {message['event_id']}",
                                    slug=f"from-{message['event_id']}"))
        if self.crash_next:
            self.crash_next = False
            raise CrashAfterWrite


@pytest.fixture
def shop(database_url: str) -> Iterator[App]:
    app = App(make_settings(database_url))
    yield app
    app.close()


def categories(app: App) -> int:
    with app.container.adapters.uow() as uow:
        return len(uow.categories.list(PageRequest(1, 100))[0])


def processed(app: App, consumer: str) -> bool:
    with app.container.adapters.uow() as uow:
        return uow.processed_events.seen(consumer, MESSAGE["event_id"])


def test_a_crash_after_the_handler_wrote_leaves_neither_its_write_nor_the_mark(
        shop: App) -> None:
    handler = WritesACategory()
    shop.container.adapters.transactional_handlers.add_args(handler)
    handler.crash_next = True

    with pytest.raises(CrashAfterWrite):
        shop.handle_event(consumer="stats", message=MESSAGE)

    assert (categories(shop), processed(shop, "stats")) == (0, False)


def test_the_redelivered_event_then_takes_effect_exactly_once(shop: App) -> None:
    handler = WritesACategory()
    shop.container.adapters.transactional_handlers.add_args(handler)
    handler.crash_next = True
    with pytest.raises(CrashAfterWrite):
        shop.handle_event(consumer="stats", message=MESSAGE)

    answers = [shop.handle_event(consumer="stats", message=MESSAGE) for _ in range(3)]

    assert answers == [True, False, False]
    assert (categories(shop), processed(shop, "stats")) == (1, True)
