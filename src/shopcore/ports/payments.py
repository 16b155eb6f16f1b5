"""The payment provider: one port, plain data in and out, the vendor's SDK kept in its adapter."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from shopcore.domain.money import Money


class ChargeStatus(StrEnum):
    """Where the provider says a charge stands."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"  # still in flight at the provider: ask again later


@dataclass(frozen=True)
class ChargeRequest:
    """One attempt to pay one order: the amount is the order's total, never the client's."""

    order_id: int
    attempt: int
    amount: Money
    payment_method_id: str
    user_id: int

    @property
    def idempotency_key(self) -> str:
        """The same for every retry of this attempt, so the provider charges it once."""
        return f"shopcore-order-{self.order_id}-attempt-{self.attempt}"


@dataclass(frozen=True)
class Charge:
    """What the provider knows of one attempt: its reference, status and amounts.

    `order_id` and `attempt` come back from the metadata the charge was created with, so a
    webhook that overtakes our own record of the reference still finds its payment.
    """

    reference: str
    status: ChargeStatus
    amount: Money
    refunded: Money
    decline_code: str | None = None
    message: str | None = None
    client_secret: str | None = None
    order_id: int | None = None
    attempt: int | None = None


@dataclass(frozen=True)
class Refund:
    """A refund the provider accepted (`status` 'succeeded' or 'pending') or refused."""

    reference: str
    amount: Money
    status: str


class PaymentGateway(Protocol):
    """Charges, looks up and refunds payments at the provider (Stripe, its simulator, memory).

    `charge` creates and confirms in one call; when the provider already holds a charge for
    the request's order and attempt (a retry after a crash), it answers that one and charges
    nothing. A declined card is an answer (status failed, with the decline code), not an
    error. An unknown payment method raises `InvalidPaymentMethod`; a provider that cannot
    be reached raises `PaymentProviderUnavailable` and one that errs `PaymentProviderError`
    (shopcore.domain.errors); nothing else escapes. Amounts are `Money` here; minor units
    exist only inside the adapters.
    """

    name: str

    def charge(self, request: ChargeRequest) -> Charge: ...
    def find(self, order_id: int, attempt: int) -> Charge | None:
        """The charge the provider holds for this order and attempt, if any."""
        ...
    def retrieve(self, reference: str) -> Charge: ...
    def refund(self, reference: str, amount: Money, idempotency_key: str) -> Refund: ...
    def check(self) -> str:
        """'simulator', 'up' or 'down', quickly, for readiness."""
        ...


class ProviderEventType(StrEnum):
    """The webhook events the shop acts on; others are acknowledged and ignored."""

    SUCCEEDED = "payment_intent.succeeded"
    FAILED = "payment_intent.payment_failed"
    REFUNDED = "charge.refunded"


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event: its id (handled once), type and the charge it is about."""

    id: str
    type: str
    charge: Charge | None


class WebhookVerifier(Protocol):
    """Checks a webhook's signature and reads the event it carries.

    A missing, malformed, wrong or stale signature, a payload that is not an event, and
    a shop with no webhook secret configured all raise `ValidationFailed` (400).
    """

    def verify(self, payload: bytes, signature: str | None) -> ProviderEvent: ...
