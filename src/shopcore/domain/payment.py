"""Payments: one attempt to pay one order, moved by what the provider says, and its refunds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from shopcore.domain.errors import Conflict
from shopcore.domain.events import Aggregate, PaymentFailed, PaymentRefunded, PaymentSucceeded
from shopcore.domain.money import Money
from shopcore.domain.order import Order, Status
from shopcore.domain.payment_rules import (
    OrderMustBePendingToPay,
    RefundMustBePositive,
    RefundMustNotExceedWhatIsLeft,
)
from shopcore.domain.rules import check_rules, check_state


class PaymentStatus(StrEnum):
    PROCESSING = "processing"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


# A move the provider may report; anything else (backwards, or a repeat) changes nothing.
# failed -> succeeded stays: when the provider says the money was taken, that is the truth.
TRANSITIONS: frozenset[tuple[PaymentStatus, PaymentStatus]] = frozenset({
    (PaymentStatus.PROCESSING, PaymentStatus.REQUIRES_ACTION),
    (PaymentStatus.PROCESSING, PaymentStatus.SUCCEEDED),
    (PaymentStatus.PROCESSING, PaymentStatus.FAILED),
    (PaymentStatus.REQUIRES_ACTION, PaymentStatus.SUCCEEDED),
    (PaymentStatus.REQUIRES_ACTION, PaymentStatus.FAILED),
    (PaymentStatus.FAILED, PaymentStatus.SUCCEEDED),
})
OPEN = frozenset({PaymentStatus.PROCESSING, PaymentStatus.REQUIRES_ACTION})


class RefundStatus(StrEnum):
    PENDING = "pending"  # recorded, not yet confirmed by the provider
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RefundReason(StrEnum):
    REQUESTED = "requested"  # staff refunded part or all of the order
    CANCEL = "cancel"  # the order is being cancelled: it ends cancelled, not refunded
    PROVIDER = "provider"  # made at the provider (its dashboard), learnt from a webhook


@dataclass
class Refund:
    """Money given back on a payment: its amount, the provider's reference, and when."""

    amount: Money
    at: datetime
    reason: RefundReason = RefundReason.REQUESTED
    status: RefundStatus = RefundStatus.PENDING
    provider_reference: str | None = None


@dataclass
class Payment(Aggregate):
    """One attempt to pay an order its total; only the provider's answers move it."""

    order_id: int
    user_id: int
    attempt: int
    amount: Money
    provider: str
    payment_method_id: str
    created_at: datetime
    updated_at: datetime
    status: PaymentStatus = PaymentStatus.PROCESSING
    provider_reference: str | None = None
    decline_code: str | None = None
    decline_message: str | None = None
    refunds: list[Refund] = field(default_factory=list)
    id: int | None = None
    client_secret: str | None = field(default=None, compare=False)  # answered, never stored

    @classmethod
    def start(cls, order: Order, attempt: int, payment_method_id: str, provider: str,
              now: datetime) -> Payment:
        """A processing attempt to pay the pending `order` its total."""
        check_state(OrderMustBePendingToPay("order_id", order.status), error=Conflict)
        assert order.id is not None
        return cls(order_id=order.id, user_id=order.user_id, attempt=attempt,
                   amount=order.total, provider=provider, payment_method_id=payment_method_id,
                   created_at=now, updated_at=now)

    def created(self) -> None:
        # An attempt's beginning is no event: the outbox says how it ended (succeeded, failed).
        return None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def settle(self, status: PaymentStatus, now: datetime, *, reference: str | None = None,
               decline_code: str | None = None, message: str | None = None) -> bool:
        """Take the provider's word if it moves the attempt forward; False if it changes nothing."""
        if reference and not self.provider_reference:
            self.provider_reference = reference
        if (self.status, status) not in TRANSITIONS:
            return False
        self.status, self.updated_at = status, now
        assert self.id is not None
        if status is PaymentStatus.SUCCEEDED:
            self.decline_code = self.decline_message = None
            self.record(PaymentSucceeded(order_id=self.order_id, payment_id=self.id,
                                         attempt=self.attempt, amount=self.amount.amount,
                                         currency=self.amount.currency,
                                         provider_reference=self.provider_reference))
        elif status is PaymentStatus.FAILED:
            self.decline_code, self.decline_message = decline_code, message
            self.record(PaymentFailed(order_id=self.order_id, payment_id=self.id,
                                      attempt=self.attempt, amount=self.amount.amount,
                                      currency=self.amount.currency, decline_code=decline_code,
                                      message=message or ""))
        return True

    def refunded_total(self, *statuses: RefundStatus) -> Money:
        wanted = statuses or (RefundStatus.SUCCEEDED,)
        return _sum((r.amount for r in self.refunds if r.status in wanted),
                    self.amount.currency)

    @property
    def refundable(self) -> Money:
        """What is left to refund: paid, less refunds made or under way."""
        if self.status is not PaymentStatus.SUCCEEDED:
            return Money.zero(self.amount.currency)
        return self.amount - self.refunded_total(RefundStatus.SUCCEEDED, RefundStatus.PENDING)

    def request_refund(self, amount: Money, now: datetime,
                       reason: RefundReason = RefundReason.REQUESTED) -> int:
        """Record a pending refund of `amount`; its position, which names it at the provider."""
        check_rules(RefundMustBePositive("amount", amount))
        check_rules(RefundMustNotExceedWhatIsLeft("amount", amount, self.refundable),
                    error=Conflict)
        self.refunds.append(Refund(amount, now, reason))
        self.updated_at = now
        return len(self.refunds) - 1

    def refund_key(self, position: int) -> str:
        """The provider's idempotency key for one refund: the same for every retry of it."""
        return f"shopcore-payment-{self.id}-refund-{position}"

    def confirm_refund(self, position: int, reference: str, now: datetime) -> None:
        refund = self.refunds[position]
        if reference and not refund.provider_reference:
            refund.provider_reference = reference
        if refund.status is RefundStatus.SUCCEEDED:
            return
        refund.status, refund.at, self.updated_at = RefundStatus.SUCCEEDED, now, now
        self._record_refund(refund)

    def fail_refund(self, position: int, now: datetime) -> None:
        if self.refunds[position].status is RefundStatus.PENDING:
            self.refunds[position].status, self.updated_at = RefundStatus.FAILED, now

    def refunded_at_provider(self, total: Money, now: datetime) -> None:
        """The provider has refunded `total` in all: confirm pending refunds, then add the rest."""
        for refund in self.refunds:
            missing = total - self.refunded_total()
            if refund.status is RefundStatus.PENDING and refund.amount <= missing:
                refund.status, refund.at, self.updated_at = RefundStatus.SUCCEEDED, now, now
                self._record_refund(refund)
        missing = total - self.refunded_total()
        if Money.zero(total.currency) < missing:
            refund = Refund(missing, now, RefundReason.PROVIDER, RefundStatus.SUCCEEDED)
            self.refunds.append(refund)
            self.updated_at = now
            self._record_refund(refund)

    def _record_refund(self, refund: Refund) -> None:
        assert self.id is not None
        self.record(PaymentRefunded(order_id=self.order_id, payment_id=self.id,
                                    amount=refund.amount.amount, currency=refund.amount.currency,
                                    refunded_total=self.refunded_total().amount,
                                    reason=refund.reason.value,
                                    provider_reference=refund.provider_reference))


def _sum(amounts: Iterable[Money], currency: str) -> Money:
    total = Money.zero(currency)
    for amount in amounts:
        total = total + amount
    return total


@dataclass(frozen=True)
class Ledger:
    """An order's money, derived from its payments: what was paid, refunded and is left."""

    paid: Money
    refunded: Money
    pending_refunds: Money
    in_flight: bool
    cancelling: bool

    @classmethod
    def of(cls, payments: Iterable[Payment], currency: str) -> Ledger:
        payments = list(payments)
        succeeded = [p for p in payments if p.status is PaymentStatus.SUCCEEDED]
        return cls(
            paid=_sum((p.amount for p in succeeded), currency),
            refunded=_sum((p.refunded_total() for p in succeeded), currency),
            pending_refunds=_sum((p.refunded_total(RefundStatus.PENDING) for p in succeeded),
                                 currency),
            in_flight=any(p.is_open for p in payments),
            cancelling=any(r.reason is RefundReason.CANCEL for p in succeeded
                           for r in p.refunds if r.status is not RefundStatus.FAILED))

    @property
    def left(self) -> Money:
        """What may still be refunded."""
        return self.paid - self.refunded - self.pending_refunds

    @property
    def fully_refunded(self) -> bool:
        return Money.zero(self.paid.currency) < self.paid and self.paid <= self.refunded


REFUNDABLE = frozenset({Status.PAID, Status.SHIPPED, Status.DELIVERED})


def next_status(order: Order, ledger: Ledger) -> Status | None:
    """Where the ledger takes the order next: paid once a payment succeeded, refunded in full."""
    zero = Money.zero(order.currency)
    if order.status is Status.PENDING and zero < ledger.paid:
        return Status.PAID
    if order.status in REFUNDABLE and ledger.fully_refunded and not ledger.cancelling:
        return Status.REFUNDED
    return None
