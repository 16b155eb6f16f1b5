"""Refunds: recorded, committed, asked of the provider, then settled, like payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shopcore.application.order_moves import load_order
from shopcore.application.settlement import follow_ledger
from shopcore.application.viewer import Viewer
from shopcore.domain.errors import (
    Conflict,
    DomainError,
    PaymentProviderError,
    PaymentProviderUnavailable,
    PermissionDenied,
    ValidationFailed,
)
from shopcore.domain.money import Money, MoneyError
from shopcore.domain.order import Order
from shopcore.domain.payment import (
    REFUNDABLE,
    Ledger,
    PaymentStatus,
    RefundReason,
    RefundStatus,
)
from shopcore.domain.payment_rules import RefundMustBePositive, RefundMustNotExceedWhatIsLeft
from shopcore.domain.rules import check_rules
from shopcore.ports.clock import Clock
from shopcore.ports.payments import PaymentGateway, Refund
from shopcore.ports.unit_of_work import UnitOfWork

ACCEPTED = frozenset({"succeeded", "pending"})


@dataclass(frozen=True)
class PlannedRefund:
    """A refund recorded as pending: which payment, its position there, and what to ask."""

    payment_id: int
    position: int
    reference: str
    amount: Money
    key: str


def plan_refunds(uow: UnitOfWork, order: Order, amount: Money, reason: RefundReason,
                 now: datetime) -> list[PlannedRefund]:
    """Record pending refunds of `amount` over the order's succeeded payments, oldest first."""
    ledger = Ledger.of(uow.payments.of_order(order.id or 0), order.currency)
    check_rules(RefundMustBePositive("amount", amount))
    check_rules(RefundMustNotExceedWhatIsLeft("amount", amount, ledger.left), error=Conflict)
    planned, wanted = [], amount
    for payment in uow.payments.of_order(order.id or 0):
        take = min(wanted.amount, payment.refundable.amount)
        if take <= 0 or payment.provider_reference is None:
            continue
        position = payment.request_refund(Money(take, order.currency), now, reason)
        uow.payments.save(payment)
        assert payment.id is not None
        planned.append(PlannedRefund(payment.id, position, payment.provider_reference,
                                     Money(take, order.currency), payment.refund_key(position)))
        wanted = wanted - Money(take, order.currency)
    return planned


def pending_refunds(uow: UnitOfWork, order_id: int, reason: RefundReason) -> list[PlannedRefund]:
    """Refunds of `reason` recorded earlier whose provider call never came back: to ask again."""
    return [PlannedRefund(p.id or 0, n, p.provider_reference or "", r.amount, p.refund_key(n))
            for p in uow.payments.of_order(order_id) if p.status is PaymentStatus.SUCCEEDED
            for n, r in enumerate(p.refunds)
            if r.reason is reason and r.status is RefundStatus.PENDING]


@dataclass
class Asked:
    """What the provider answered the planned refunds: each accepted, and the first error."""

    accepted: dict[PlannedRefund, Refund]
    refused: list[PlannedRefund]
    error: DomainError | None = None


def ask_provider(gateway: PaymentGateway, planned: list[PlannedRefund]) -> Asked:
    """Call the provider for each refund, outside any transaction."""
    asked = Asked({}, [])
    for plan in planned:
        try:
            answer = gateway.refund(plan.reference, plan.amount, plan.key)
        except PaymentProviderUnavailable as exc:
            asked.error = asked.error or exc  # left pending: a retry asks with the same key
            continue
        except PaymentProviderError as exc:
            asked.error = asked.error or exc
            asked.refused.append(plan)
            continue
        if answer.status in ACCEPTED:
            asked.accepted[plan] = answer
        else:
            asked.error = asked.error or PaymentProviderError(
                f"The provider refused the refund ({answer.status}).")
            asked.refused.append(plan)
    return asked


def record_answers(uow: UnitOfWork, asked: Asked, now: datetime) -> None:
    """Confirm the accepted refunds and fail the refused ones, each payment locked."""
    for plan, answer in asked.accepted.items():
        payment = uow.payments.get(plan.payment_id, for_update=True)
        assert payment is not None
        payment.confirm_refund(plan.position, answer.reference, now)
        uow.payments.save(payment)
    for plan in asked.refused:
        payment = uow.payments.get(plan.payment_id, for_update=True)
        assert payment is not None
        payment.fail_refund(plan.position, now)
        uow.payments.save(payment)


def refund_failed(error: DomainError) -> DomainError:
    if isinstance(error, PaymentProviderUnavailable):
        return PaymentProviderUnavailable(
            f"The refund could not reach the provider: {error.message}")
    return PaymentProviderError(f"The refund failed: {error.message}")


def to_money(amount: Decimal | str, currency: str) -> Money:
    try:
        return Money(Decimal(amount), currency)
    except (MoneyError, ArithmeticError, ValueError) as exc:
        message = str(exc) if isinstance(exc, MoneyError) else "A valid number is required."
        raise ValidationFailed(message, {"amount": [message]}) from None


@dataclass
class RefundOrder:
    """Staff give back part or all of what was paid; all of it makes the order refunded."""

    uow: UnitOfWork
    gateway: PaymentGateway
    clock: Clock

    def __call__(self, *, order_id: int, amount: Decimal | str, viewer: Viewer) -> Order:
        if not viewer.is_staff:
            raise PermissionDenied("Only staff refund an order.")
        with self.uow:
            order = load_order(self.uow, order_id, viewer, lock=True)
            if order.status not in REFUNDABLE:
                raise Conflict(f"An order that is {order.status} cannot be refunded.")
            planned = plan_refunds(self.uow, order, to_money(amount, order.currency),
                                   RefundReason.REQUESTED, self.clock.now())
            self.uow.commit()
        asked = ask_provider(self.gateway, planned)
        with self.uow:
            order = load_order(self.uow, order_id, viewer, lock=True)
            record_answers(self.uow, asked, self.clock.now())
            follow_ledger(self.uow, order, self.clock.now())
            self.uow.commit()
        if asked.error is not None:
            raise refund_failed(asked.error)
        return order
