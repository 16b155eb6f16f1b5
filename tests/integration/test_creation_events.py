"""Adding an aggregate records its creation event: on every store, exactly once, unforgettably."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

import shopcore.domain
from shopcore.domain.cart import Cart
from shopcore.domain.catalog import Category, Product
from shopcore.domain.events import Aggregate, DomainEvent
from shopcore.domain.money import Money
from shopcore.domain.order import Order
from shopcore.domain.payment import Payment
from shopcore.domain.user import User
from shopcore.ports.events import Envelope
from shopcore.ports.unit_of_work import UnitOfWork
from tests.helpers import UowFactory

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def concrete_aggregates() -> set[type[Aggregate]]:
    """Every Aggregate subclass the domain defines, found by walking its modules."""
    for module in pkgutil.iter_modules(shopcore.domain.__path__):
        importlib.import_module(f"shopcore.domain.{module.name}")
    found: set[type[Aggregate]] = set()
    pending = list(Aggregate.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if not inspect.isabstract(cls):
            found.add(cls)
    return found


def added_by_a_repository() -> dict[type[Aggregate], str]:
    """Each aggregate some repository of the unit of work can `add`, and that repository."""
    added: dict[type[Aggregate], str] = {}
    for name, repository in typing.get_type_hints(UnitOfWork).items():
        add = getattr(repository, "add", None)
        if add is None:
            continue
        hints = typing.get_type_hints(add)
        hints.pop("return", None)
        kind = next(iter(hints.values()), None)
        if isinstance(kind, type) and issubclass(kind, Aggregate):
            added[kind] = name
    return added


def a_user(uow: UnitOfWork, name: str = "ada") -> User:
    return User(username=name, email=f"{name}@example.com", password_hash="h", date_joined=NOW)


def a_product(uow: UnitOfWork, name: str = "Dune") -> Product:
    category = Category(f"Shelf {name}", f"shelf-{name.lower()}")
    uow.categories.add(category)
    assert category.id is not None
    return Product(name=name, slug=name.lower(), description="",
                   price=Money(Decimal("9.99"), "USD"), category_id=category.id, stock=3,
                   created_at=NOW, updated_at=NOW)


def an_order(uow: UnitOfWork) -> Order:
    user, product = a_user(uow, "buyer"), a_product(uow, "Emma")
    uow.users.add(user)
    uow.products.add(product)
    assert user.id is not None and product.id is not None
    cart = Cart(user_id=user.id)
    cart.add(product, 2, NOW)
    return Order.place(cart, {product.id: product}, NOW, f"user:{user.id}")


def a_payment(uow: UnitOfWork) -> Payment:
    order = an_order(uow)
    uow.orders.add(order)
    return Payment.start(order, 1, "pm_card_visa", "memory", NOW)


# A new aggregate with an `add` fails test_every_added_aggregate_has_an_example until it has one.
EXAMPLES: dict[type[Aggregate], Callable[[UnitOfWork], Aggregate]] = {
    User: a_user, Product: a_product, Order: an_order, Payment: a_payment}
# Added, yet their coming to be is no event: a payment attempt's events tell how it ended.
NO_CREATION_EVENT = {Payment}
WITH_CREATION_EVENT = sorted(set(EXAMPLES) - NO_CREATION_EVENT, key=lambda cls: cls.__name__)


def test_every_added_aggregate_has_an_example_and_only_a_cart_is_never_added() -> None:
    added = added_by_a_repository()
    assert set(added) == set(EXAMPLES)
    assert concrete_aggregates() - set(added) == {Cart}
    assert Cart(user_id=1).created() is None


def test_an_aggregate_that_declares_no_creation_event_cannot_be_built() -> None:
    class Forgetful(Aggregate):
        pass

    with pytest.raises(TypeError):
        Forgetful()  # type: ignore[abstract]


def creation_events(uow: UnitOfWork, event: DomainEvent) -> list[Envelope]:
    return [m.envelope for m in uow.outbox.since(EPOCH)
            if m.envelope.type == event.type and m.envelope.key == event.key]


@pytest.mark.parametrize("kind", WITH_CREATION_EVENT, ids=lambda cls: cls.__name__)
def test_adding_an_aggregate_puts_its_creation_event_in_the_outbox_exactly_once(
    new_uow: UowFactory, kind: type[Aggregate],
) -> None:
    with new_uow() as uow:
        aggregate = EXAMPLES[kind](uow)
        getattr(uow, added_by_a_repository()[kind]).add(aggregate)
        uow.commit()
    event = aggregate.created()
    assert event is not None
    with new_uow() as uow:
        [stored] = creation_events(uow, event)
        assert stored.payload == event.payload()
        assert stored.sequence == 1


@pytest.mark.parametrize("kind", sorted(NO_CREATION_EVENT, key=lambda cls: cls.__name__),
                         ids=lambda cls: cls.__name__)
def test_adding_an_aggregate_without_a_creation_event_puts_none_of_its_own_in_the_outbox(
    new_uow: UowFactory, kind: type[Aggregate],
) -> None:
    with new_uow() as uow:
        aggregate = EXAMPLES[kind](uow)
        getattr(uow, added_by_a_repository()[kind]).add(aggregate)
        uow.commit()
    assert aggregate.created() is None
    with new_uow() as uow:
        topics = {m.envelope.topic for m in uow.outbox.since(EPOCH)}
    assert topics == {"shopcore.users", "shopcore.catalog", "shopcore.orders"}


def test_products_added_in_bulk_get_their_ids_and_one_creation_event_each(
    new_uow: UowFactory,
) -> None:
    with new_uow() as uow:
        products = [a_product(uow, name) for name in ("Alpha", "Bravo", "Charlie")]
        assert uow.products.add_many(products) == 3
        uow.commit()
    ids = [p.id for p in products]
    assert None not in ids and len(set(ids)) == 3
    with new_uow() as uow:
        for product in products:
            assert uow.products.get(product.id or 0) == product
            assert len(creation_events(uow, product.created())) == 1


def test_a_rolled_back_add_leaves_no_creation_event(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.users.add(a_user(uow))
    with new_uow() as uow:
        assert list(uow.outbox.since(EPOCH)) == []
