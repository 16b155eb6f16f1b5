"""Settling what the provider says of an attempt: the payment, then its order along the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shopcore.application.order_moves import move_order
from shopcore.domain.order import Actor, Order
from shopcore.domain.payment import Ledger, Payment, PaymentStatus, next_status
from shopcore.ports.payments import Charge, ChargeRequest
from shopcore.ports.unit_of_work import UnitOfWork

PAYMENT_ACTOR = "payment"


def charge_request(payment: Payment) -> ChargeRequest:
    """The provider request of an attempt: the same for every retry of it."""
    return ChargeRequest(order_id=payment.order_id, attempt=payment.attempt,
                         amount=payment.amount, payment_method_id=payment.payment_method_id,
                         user_id=payment.user_id)


def follow_ledger(uow: UnitOfWork, order: Order, now: datetime,
                  attempts: Sequence[Payment] | None = None) -> None:
    """Move the (locked) order where its payments now take it: paid, then perhaps refunded.

    `attempts`, every payment of the order as this transaction holds them, spares a read.
    """
    if attempts is None:
        attempts = uow.payments.of_order(order.id or 0)
    ledger = Ledger.of(attempts, order.currency)
    while (target := next_status(order, ledger)) is not None:
        move_order(uow, order, target, Actor.PAYMENT, PAYMENT_ACTOR, now, f"payment: {target}")


def apply_charge(uow: UnitOfWork, payment_id: int, charge: Charge, now: datetime,
                 order_id: int | None = None) -> Payment:
    """Take the provider's word on one attempt, order row locked first, and follow the ledger.

    The order's attempts are locked and read once: the one settled is among them, and they
    are the ledger the order follows. `order_id`, the attempt's order when the caller knows
    it, spares a look-up.
    """
    if order_id is None:
        found = uow.payments.get(payment_id)
        assert found is not None
        order_id = found.order_id
    order = uow.orders.get(order_id, for_update=True)
    attempts = uow.payments.of_order(order_id, for_update=True)
    payment = next((p for p in attempts if p.id == payment_id), None)
    assert order is not None
    assert payment is not None
    payment.settle(PaymentStatus(charge.status.value), now, reference=charge.reference,
                   decline_code=charge.decline_code, message=charge.message)
    if payment.status is PaymentStatus.SUCCEEDED and payment.refunded_total() < charge.refunded:
        payment.refunded_at_provider(charge.refunded, now)
    uow.payments.save(payment)
    follow_ledger(uow, order, now, attempts)
    return payment
