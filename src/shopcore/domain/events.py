"""Domain events: past-tense facts that aggregates record and the outbox relays."""

from __future__ import annotations

import abc
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

_AS_IS = frozenset({str, int, bool, float, type(None)})


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _AS_IS:  # most of a payload: checked first, by exact type
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [v if type(v) in _AS_IS else _plain(v) for v in value]
    if isinstance(value, dict):
        return {k: v if type(v) in _AS_IS else _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened to one aggregate; `key` names that aggregate."""

    type: ClassVar[str]
    aggregate: ClassVar[str]
    key_field: ClassVar[str]
    version: ClassVar[int] = 1

    @property
    def key(self) -> str:
        """The id of the aggregate the event belongs to."""
        return str(getattr(self, self.key_field))

    def payload(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}


@dataclass(kw_only=True)
class Aggregate(abc.ABC):
    """An entity that records events for the unit of work to store in the outbox."""

    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    def record(self, event: DomainEvent) -> None:
        self.events.append(event)

    @abc.abstractmethod
    def created(self) -> DomainEvent | None:
        """The event saying this aggregate, just stored with its id, came to be.

        The repository's `add` has the unit of work record it, so it cannot be forgotten;
        None for an aggregate whose coming to be is no event: one that is never added (a
        cart exists from the start) or one whose events tell only what became of it (a
        payment attempt: succeeded, failed, refunded).
        """

    def record_creation(self) -> None:
        """Record `created()`, if any, ahead of anything recorded since; for `add`."""
        event = self.created()
        if event is not None:
            self.events.insert(0, event)


@dataclass(frozen=True, kw_only=True)
class UserRegistered(DomainEvent):
    type = "user.registered"
    aggregate = "users"
    key_field = "user_id"
    user_id: int
    username: str
    email: str


@dataclass(frozen=True, kw_only=True)
class PasswordResetRequested(DomainEvent):
    """A reset link was asked for; its handler signs one from `fingerprint` and mails it.

    No token travels: the fingerprint is worthless without the signing key.
    """

    type = "password_reset.requested"
    aggregate = "users"
    key_field = "user_id"
    user_id: int
    username: str
    email: str
    fingerprint: str


@dataclass(frozen=True, kw_only=True)
class EmailChanged(DomainEvent):
    """The account's e-mail changed; its handler tells the old address."""

    type = "user.email_changed"
    aggregate = "users"
    key_field = "user_id"
    user_id: int
    username: str
    old_email: str
    new_email: str


@dataclass(frozen=True, kw_only=True)
class ProductChanged(DomainEvent):
    """A product was created, updated or deleted; the payload is its state after."""

    type = "product.changed"
    aggregate = "catalog"
    key_field = "product_id"
    product_id: int
    change: str
    name: str
    slug: str
    price: Decimal
    currency: str
    category_id: int
    stock: int | None


@dataclass(frozen=True, kw_only=True)
class CartUpdated(DomainEvent):
    type = "cart.updated"
    aggregate = "carts"
    key_field = "user_id"
    user_id: int
    items: list[dict[str, int]]


@dataclass(frozen=True, kw_only=True)
class OrderCreated(DomainEvent):
    type = "order.created"
    aggregate = "orders"
    key_field = "order_id"
    order_id: int
    user_id: int
    total: Decimal
    currency: str
    items: list[dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class OrderStatusChanged(DomainEvent):
    type = "order.status_changed"
    aggregate = "orders"
    key_field = "order_id"
    order_id: int
    from_status: str
    to_status: str
    actor: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class PaymentSucceeded(DomainEvent):
    type = "payment.succeeded"
    aggregate = "payments"
    key_field = "order_id"
    order_id: int
    payment_id: int
    attempt: int
    amount: Decimal
    currency: str
    provider_reference: str | None


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(DomainEvent):
    type = "payment.failed"
    aggregate = "payments"
    key_field = "order_id"
    order_id: int
    payment_id: int
    attempt: int
    amount: Decimal
    currency: str
    decline_code: str | None
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(DomainEvent):
    """Money went back on a payment; `refunded_total` is all refunded on it so far."""

    type = "payment.refunded"
    aggregate = "payments"
    key_field = "order_id"
    order_id: int
    payment_id: int
    amount: Decimal
    currency: str
    refunded_total: Decimal
    reason: str
    provider_reference: str | None


EVENT_TYPES: dict[str, type[DomainEvent]] = {cls.type: cls for cls in (
    UserRegistered, PasswordResetRequested, EmailChanged, ProductChanged, CartUpdated,
    OrderCreated, OrderStatusChanged, PaymentSucceeded, PaymentFailed, PaymentRefunded)}
AGGREGATES = ("users", "carts", "orders", "payments", "catalog")
