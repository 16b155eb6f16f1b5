"""Ten copies of one checkout, sent at once with one Idempotency-Key, make one order."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest

from shopcore import App
from shopcore.domain.errors import Conflict
from shopcore.domain.pagination import PageRequest
from shopcore.settings import Settings
from tests.helpers import make_settings

COPIES = 10


pytestmark = pytest.mark.both_databases


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, password_hasher="plain")


def test_concurrent_duplicates_of_a_keyed_checkout_create_exactly_one_order(
    settings: Settings,
) -> None:
    with App(settings) as app:
        user = app.register_user(username="ada", email="ada@example.com",
                                 password="correct-horse")
        category = app.create_category(name="Books").category
        assert user.id is not None and category.id is not None
        product = app.create_product(name="Dune", price=Decimal("9.99"),
                                     category_id=category.id, stock=5)
        assert product.id is not None
        app.add_to_cart(user_id=user.id, product_id=product.id, quantity=2)
    apps = [App(settings) for _ in range(COPIES)]
    barrier = threading.Barrier(COPIES)
    answers: list[Any] = []
    lock = threading.Lock()

    def checkout(app: App) -> None:
        assert user.id is not None

        def place() -> dict[str, Any]:
            return {"id": app.place_order(user_id=user.id).id}

        barrier.wait()
        try:
            answer: tuple[str, Any] = ("placed", app.idempotently(
                user_id=user.id, endpoint="orders.create", key="same-key", body={},
                action=place))
        except Conflict as exc:
            answer = ("conflict", exc.message)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=checkout, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    created = [a for a in answers if a[0] == "placed"]
    in_flight = [a for a in answers if a[0] == "conflict"]
    assert len(answers) == COPIES
    assert len(created) + len(in_flight) == COPIES
    assert len({a[1]["id"] for a in created}) == 1
    assert all("still being processed" in a[1] for a in in_flight)
    with apps[0] as app:
        assert app.list_orders(user_id=user.id, page=PageRequest()).total == 1
        assert app.get_product(product_id=product.id).stock == 3
    for other in apps[1:]:
        other.close()
