"""The payment attempt's state machine, its refunds and the ledger an order's totals come from."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shopcore.domain.cart import Cart
from shopcore.domain.catalog import Product
from shopcore.domain.errors import Conflict, ValidationFailed
from shopcore.domain.money import Money
from shopcore.domain.order import Order, Status
from shopcore.domain.payment import (
    OPEN,
    TRANSITIONS,
    Ledger,
    Payment,
    PaymentStatus,
    RefundReason,
    RefundStatus,
    next_status,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def an_order(status: Status = Status.PENDING) -> Order:
    dune = Product(name="Dune", slug="dune", description="", price=usd("10.00"),
                   category_id=1, stock=None, created_at=NOW, updated_at=NOW, id=1)
    cart = Cart(user_id=7)
    cart.add(dune, 2, NOW)
    order = Order.place(cart, {1: dune}, NOW, "user:7")
    order.id, order.status = 1, status
    return order


def a_payment(status: PaymentStatus = PaymentStatus.PROCESSING, attempt: int = 1) -> Payment:
    payment = Payment.start(an_order(), attempt, "pm_card_visa", "memory", NOW)
    payment.id, payment.status = attempt, status
    return payment


def test_a_payment_is_the_orders_total_for_its_owner_and_starts_processing() -> None:
    payment = Payment.start(an_order(), 1, "pm_card_visa", "memory", NOW)

    assert (payment.amount, payment.user_id, payment.order_id) == (usd("20.00"), 7, 1)
    assert payment.status is PaymentStatus.PROCESSING and payment.is_open
    assert payment.created() is None


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.PENDING])
def test_only_a_pending_order_can_be_paid(status: Status) -> None:
    with pytest.raises(Conflict, match=f"An order that is {status} cannot be paid"):
        Payment.start(an_order(status), 1, "pm_card_visa", "memory", NOW)


@pytest.mark.parametrize("start", list(PaymentStatus))
@pytest.mark.parametrize("target", list(PaymentStatus))
def test_a_payment_moves_only_forward_along_the_table_and_a_refused_move_changes_nothing(
    start: PaymentStatus, target: PaymentStatus
) -> None:
    payment = a_payment(start)

    moved = payment.settle(target, NOW, reference="pi_1", decline_code="card_declined",
                           message="Declined.")

    assert moved is ((start, target) in TRANSITIONS)
    assert payment.status is (target if moved else start)
    assert payment.provider_reference == "pi_1"
    if moved and target is PaymentStatus.SUCCEEDED:
        assert [e.type for e in payment.events] == ["payment.succeeded"]
    elif moved and target is PaymentStatus.FAILED:
        assert [e.type for e in payment.events] == ["payment.failed"]
        assert (payment.decline_code, payment.decline_message) == ("card_declined", "Declined.")
    else:
        assert payment.events == []


def test_a_late_failure_after_success_changes_nothing() -> None:
    payment = a_payment(PaymentStatus.SUCCEEDED)

    assert not payment.settle(PaymentStatus.FAILED, NOW, decline_code="card_declined")
    assert payment.status is PaymentStatus.SUCCEEDED and payment.decline_code is None


def test_open_attempts_are_those_still_waiting_on_the_provider() -> None:
    assert {PaymentStatus.PROCESSING, PaymentStatus.REQUIRES_ACTION} == OPEN


def test_refunds_are_positive_and_never_more_than_what_is_left() -> None:
    payment = a_payment(PaymentStatus.SUCCEEDED)
    with pytest.raises(ValidationFailed):
        payment.request_refund(usd("0.00"), NOW)
    with pytest.raises(ValidationFailed):
        payment.request_refund(usd("-1.00"), NOW)
    first = payment.request_refund(usd("15.00"), NOW)

    with pytest.raises(Conflict, match=r"Only 5\.00 USD is left"):
        payment.request_refund(usd("5.01"), NOW)
    assert payment.refund_key(first) == "shopcore-payment-1-refund-0"
    assert payment.refundable == usd("5.00")


def test_a_payment_that_did_not_succeed_has_nothing_to_refund() -> None:
    with pytest.raises(Conflict):
        a_payment(PaymentStatus.FAILED).request_refund(usd("1.00"), NOW)


def test_a_confirmed_refund_records_payment_refunded_once() -> None:
    payment = a_payment(PaymentStatus.SUCCEEDED)
    position = payment.request_refund(usd("5.00"), NOW)

    payment.confirm_refund(position, "re_1", NOW)
    payment.confirm_refund(position, "re_1", NOW)

    [event] = payment.events
    assert event.payload()["refunded_total"] == "5.00"
    assert payment.refunds[0].provider_reference == "re_1"


def test_refunds_made_at_the_provider_confirm_ours_first_and_add_only_the_rest() -> None:
    payment = a_payment(PaymentStatus.SUCCEEDED)
    payment.request_refund(usd("5.00"), NOW)

    payment.refunded_at_provider(usd("8.00"), NOW)
    payment.refunded_at_provider(usd("8.00"), NOW)

    assert [(r.amount, r.status, r.reason) for r in payment.refunds] == [
        (usd("5.00"), RefundStatus.SUCCEEDED, RefundReason.REQUESTED),
        (usd("3.00"), RefundStatus.SUCCEEDED, RefundReason.PROVIDER)]
    assert payment.refunded_total() == usd("8.00")


def test_the_ledger_sums_succeeded_payments_and_their_succeeded_refunds_only() -> None:
    paid, failed = a_payment(PaymentStatus.SUCCEEDED, 2), a_payment(PaymentStatus.FAILED, 1)
    paid.confirm_refund(paid.request_refund(usd("4.00"), NOW), "re_1", NOW)
    paid.fail_refund(paid.request_refund(usd("1.00"), NOW), NOW)
    paid.request_refund(usd("2.00"), NOW)

    ledger = Ledger.of([failed, paid], "USD")

    assert (ledger.paid, ledger.refunded, ledger.pending_refunds, ledger.left) == (
        usd("20.00"), usd("4.00"), usd("2.00"), usd("14.00"))
    assert not ledger.in_flight and not ledger.fully_refunded


def test_the_ledger_moves_a_pending_order_to_paid_and_a_paid_one_to_refunded_in_full() -> None:
    payment = a_payment(PaymentStatus.SUCCEEDED)
    assert next_status(an_order(), Ledger.of([payment], "USD")) is Status.PAID
    assert next_status(an_order(Status.PAID), Ledger.of([payment], "USD")) is None

    payment.confirm_refund(payment.request_refund(usd("20.00"), NOW), "re_1", NOW)

    for status in (Status.PAID, Status.SHIPPED, Status.DELIVERED):
        assert next_status(an_order(status), Ledger.of([payment], "USD")) is Status.REFUNDED
    assert next_status(an_order(), Ledger.of([a_payment()], "USD")) is None


def test_a_refund_for_a_cancellation_leaves_the_order_to_be_cancelled_not_refunded() -> None:
    payment = a_payment(PaymentStatus.SUCCEEDED)
    payment.confirm_refund(payment.request_refund(usd("20.00"), NOW, RefundReason.CANCEL),
                           "re_1", NOW)

    assert next_status(an_order(Status.PAID), Ledger.of([payment], "USD")) is None
