"""Payments: pay an order through the provider, list attempts, settle what the provider says."""

from __future__ import annotations

from dataclasses import dataclass

from shopcore.application.order_moves import load_order
from shopcore.application.settlement import apply_charge, charge_request
from shopcore.application.viewer import Viewer
from shopcore.domain.errors import Conflict, InvalidPaymentMethod, NotFound, PaymentDeclined
from shopcore.domain.pagination import Page, PageRequest
from shopcore.domain.payment import Ledger, Payment, PaymentStatus
from shopcore.domain.payment_rules import OrderMustBePendingToPay
from shopcore.domain.rules import check_state
from shopcore.ports.clock import Clock
from shopcore.ports.payments import PaymentGateway
from shopcore.ports.unit_of_work import UnitOfWork

DECLINED = "The payment was declined."


@dataclass
class ProcessPayment:
    """Charge the owner's pending order its total: record, commit, call the provider, record.

    An attempt still open (a crash or timeout after the provider call) is resumed, not
    repeated: the provider answers the charge it already holds for that order and attempt.
    """

    uow: UnitOfWork
    gateway: PaymentGateway
    clock: Clock

    def __call__(self, *, user_id: int, order_id: int, payment_method_id: str) -> Payment:
        payment = self._begin(user_id, order_id, payment_method_id)
        assert payment.id is not None
        try:
            charge = self.gateway.charge(charge_request(payment))
        except InvalidPaymentMethod as exc:
            self._refused(payment.id, exc)
            raise
        with self.uow:
            payment = apply_charge(self.uow, payment.id, charge, self.clock.now(),
                                   payment.order_id)
            self.uow.commit()
        if payment.status is PaymentStatus.FAILED:
            raise PaymentDeclined(payment.decline_message or DECLINED, payment.decline_code)
        if payment.status is PaymentStatus.REQUIRES_ACTION:
            payment.client_secret = charge.client_secret
        return payment

    def _begin(self, user_id: int, order_id: int, payment_method_id: str) -> Payment:
        with self.uow:
            order = self.uow.orders.get(order_id, for_update=True)
            if order is None or order.user_id != user_id:
                raise NotFound("Order not found.")
            check_state(OrderMustBePendingToPay("order_id", order.status), error=Conflict)
            attempts = self.uow.payments.of_order(order_id)
            in_flight = next((p for p in attempts if p.is_open), None)
            if in_flight is not None:
                return in_flight
            payment = Payment.start(order, max((p.attempt for p in attempts), default=0) + 1,
                                    payment_method_id, self.gateway.name, self.clock.now())
            self.uow.payments.add(payment)
            self.uow.commit()
        return payment

    def _refused(self, payment_id: int, exc: InvalidPaymentMethod) -> None:
        with self.uow:
            payment = self.uow.payments.get(payment_id, for_update=True)
            assert payment is not None
            payment.settle(PaymentStatus.FAILED, self.clock.now(),
                           decline_code="invalid_payment_method", message=exc.message)
            self.uow.payments.save(payment)
            self.uow.commit()


class ListPayments:
    """The caller's own payment attempts, failed ones included, newest first."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, *, user_id: int, page: PageRequest) -> Page[Payment]:
        with self.uow:
            items, total = self.uow.payments.list(user_id, page)
        return Page(items, total, page)


class GetLedger:
    """An order's money as its payments tell it: paid, refunded, left to refund."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, *, order_id: int, viewer: Viewer) -> Ledger:
        with self.uow:
            order = load_order(self.uow, order_id, viewer)
            return Ledger.of(self.uow.payments.of_order(order_id), order.currency)
