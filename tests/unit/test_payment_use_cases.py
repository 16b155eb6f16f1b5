"""Paying, declines, 3-D Secure, retries, races, refunds, cancels, reconciliation and expiry."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from shopcore import App
from shopcore.adapters.memory.gateway import Outcome
from shopcore.application.viewer import Viewer
from shopcore.domain.errors import (
    Conflict,
    DomainError,
    InvalidPaymentMethod,
    NotFound,
    PaymentDeclined,
    PaymentProviderError,
    PaymentProviderUnavailable,
    ValidationFailed,
)
from shopcore.domain.order import Order
from shopcore.domain.pagination import PageRequest
from shopcore.domain.payment import Payment
from shopcore.ports.payments import ChargeStatus
from tests.payment_helpers import (
    STAFF,
    a_shop,
    an_order,
    event,
    gateway_of,
    signed,
    status_of,
    stock_of,
)

DECLINES = {"pm_card_chargeDeclined": "generic_decline",
            "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds",
            "pm_card_chargeDeclinedExpiredCard": "expired_card",
            "pm_card_chargeDeclinedIncorrectCvc": "incorrect_cvc"}


@pytest.fixture
def shop() -> App:
    return a_shop()


def pay(shop: App, order: Order, method: str = "pm_card_visa") -> Payment:
    assert order.id is not None
    return shop.process_payment(user_id=order.user_id, order_id=order.id,
                                payment_method_id=method)


def outbox_types(shop: App) -> list[str]:
    from datetime import UTC, datetime

    with shop.container.adapters.uow() as uow:
        return [m.envelope.type for m in uow.outbox.since(datetime(2000, 1, 1, tzinfo=UTC))
                if m.envelope.topic == "shopcore.payments"]


def test_a_succeeded_payment_charges_the_order_total_and_marks_the_order_paid(
    shop: App,
) -> None:
    order = an_order(shop)

    payment = pay(shop, order)

    assert (payment.status, payment.amount.amount, payment.provider) == (
        "succeeded", Decimal("20.00"), "memory")
    assert status_of(shop, order) == "paid"
    assert outbox_types(shop) == ["payment.succeeded"]
    assert [c.amount.amount for c in gateway_of(shop).charges.values()] == [Decimal("20.00")]


@pytest.mark.parametrize(("method", "code"), DECLINES.items())
def test_a_decline_is_recorded_and_raised_and_the_order_stays_payable(
    shop: App, method: str, code: str
) -> None:
    order = an_order(shop)

    with pytest.raises(PaymentDeclined) as declined:
        pay(shop, order, method)

    assert declined.value.decline_code == code
    assert status_of(shop, order) == "pending"
    assert outbox_types(shop) == ["payment.failed"]
    pay(shop, order)
    assert status_of(shop, order) == "paid"
    attempts = shop.list_payments(user_id=order.user_id, page=PageRequest(1, 20)).items
    assert [(p.attempt, p.status, p.decline_code) for p in attempts] == [
        (2, "succeeded", None), (1, "failed", code)]


def test_only_the_owner_pays_and_only_a_pending_order(shop: App) -> None:
    order = an_order(shop)
    assert order.id is not None
    with pytest.raises(NotFound):
        shop.process_payment(user_id=order.user_id + 1, order_id=order.id,
                             payment_method_id="pm_card_visa")
    pay(shop, order)
    with pytest.raises(Conflict):
        pay(shop, order)
    assert len(gateway_of(shop).charges) == 1


def test_an_unknown_payment_method_is_a_400_and_the_attempt_is_failed(shop: App) -> None:
    order = an_order(shop)

    with pytest.raises(InvalidPaymentMethod):
        pay(shop, order, "pm_card_bogus")

    [attempt] = shop.list_payments(user_id=order.user_id, page=PageRequest(1, 20)).items
    assert (attempt.status, attempt.decline_code) == ("failed", "invalid_payment_method")
    assert status_of(shop, order) == "pending"


def test_requires_action_answers_the_client_secret_and_the_webhook_pays_the_order(
    shop: App,
) -> None:
    order = an_order(shop)
    payment = pay(shop, order, "pm_card_authenticationRequired")
    assert payment.status == "requires_action"
    assert payment.client_secret
    assert status_of(shop, order) == "pending"

    assert payment.provider_reference is not None
    charge = gateway_of(shop).settle_action(payment.provider_reference)
    payload, signature = signed(event("payment_intent.succeeded", charge, "evt_1"))
    shop.handle_webhook(payload=payload, signature=signature)

    assert status_of(shop, order) == "paid"


@pytest.mark.parametrize("error", [PaymentProviderUnavailable("timed out"),
                                   PaymentProviderError("bad gateway")])
def test_a_retry_after_the_provider_charged_but_our_commit_never_came_charges_once(
    shop: App, error: DomainError
) -> None:
    order = an_order(shop)
    gateway_of(shop).charge_then_raise(error)

    with pytest.raises(type(error)):
        pay(shop, order)
    assert status_of(shop, order) == "pending"
    payment = pay(shop, order, "pm_card_mastercard")

    assert payment.attempt == 1 and payment.status == "succeeded"
    assert len(gateway_of(shop).charges) == 1
    assert status_of(shop, order) == "paid"


def test_two_payments_racing_for_one_order_charge_once(shop: App) -> None:
    order = an_order(shop)
    results: list[object] = []
    barrier = threading.Barrier(4)

    def racer() -> None:
        barrier.wait()
        try:
            results.append(pay(shop, order))
        except Conflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=racer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(gateway_of(shop).charges) == 1
    assert status_of(shop, order) == "paid"
    assert outbox_types(shop) == ["payment.succeeded"]


def paid_order(shop: App) -> Order:
    order = an_order(shop)
    pay(shop, order)
    return order


def test_staff_refund_part_then_the_rest_and_the_order_becomes_refunded(shop: App) -> None:
    order = paid_order(shop)
    assert order.id is not None

    shop.refund_order(order_id=order.id, amount="5.00", viewer=STAFF)
    assert status_of(shop, order) == "paid"
    with pytest.raises(Conflict):
        shop.refund_order(order_id=order.id, amount="15.01", viewer=STAFF)
    shop.refund_order(order_id=order.id, amount="15.00", viewer=STAFF)

    assert status_of(shop, order) == "refunded"
    ledger = shop.get_ledger(order_id=order.id, viewer=STAFF)
    assert (ledger.paid.amount, ledger.refunded.amount) == (Decimal("20.00"), Decimal("20.00"))
    [charge] = gateway_of(shop).charges.values()
    assert charge.refunded.amount == Decimal("20.00")


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00", "abc", "1.001"])
def test_a_refund_of_nothing_or_less_or_not_money_is_400(shop: App, amount: str) -> None:
    order = paid_order(shop)
    assert order.id is not None
    with pytest.raises(ValidationFailed):
        shop.refund_order(order_id=order.id, amount=amount, viewer=STAFF)


def test_a_pending_order_has_nothing_to_refund_and_customers_refund_nothing(shop: App) -> None:
    order = an_order(shop)
    assert order.id is not None
    with pytest.raises(Conflict):
        shop.refund_order(order_id=order.id, amount="1.00", viewer=STAFF)
    with pytest.raises(DomainError):
        shop.refund_order(order_id=order.id, amount="1.00", viewer=Viewer(order.user_id))


def test_cancelling_a_paid_order_refunds_it_in_full_first_then_releases_its_stock(
    shop: App,
) -> None:
    order = paid_order(shop)
    assert order.id is not None and stock_of(shop, order) == 3

    cancelled = shop.cancel_order(order_id=order.id, viewer=Viewer(order.user_id))

    assert cancelled.status == "cancelled" and stock_of(shop, order) == 5
    [charge] = gateway_of(shop).charges.values()
    assert charge.refunded.amount == Decimal("20.00")
    assert outbox_types(shop) == ["payment.succeeded", "payment.refunded"]


@pytest.mark.parametrize("error", [PaymentProviderError("refused"),
                                   PaymentProviderUnavailable("timed out")])
def test_a_refund_that_fails_leaves_the_order_paid_with_its_stock_and_says_why(
    shop: App, error: DomainError
) -> None:
    order = paid_order(shop)
    assert order.id is not None
    gateway_of(shop).raise_next("refund", error)

    with pytest.raises(type(error), match="refund"):
        shop.cancel_order(order_id=order.id, viewer=Viewer(order.user_id))

    assert status_of(shop, order) == "paid" and stock_of(shop, order) == 3
    shop.cancel_order(order_id=order.id, viewer=Viewer(order.user_id))
    assert status_of(shop, order) == "cancelled"
    [charge] = gateway_of(shop).charges.values()
    assert charge.refunded.amount == Decimal("20.00")


def test_a_pending_order_with_an_attempt_in_flight_cannot_be_cancelled(shop: App) -> None:
    order = an_order(shop)
    pay(shop, order, "pm_card_authenticationRequired")
    assert order.id is not None
    with pytest.raises(Conflict):
        shop.cancel_order(order_id=order.id, viewer=Viewer(order.user_id))


def reconcile(shop: App) -> list[tuple[int, str]]:
    result = replace(shop.reconcile_payments, older_than=timedelta(0))()
    return [(a.order_id, a.outcome) for a in result.attempts]


def test_reconciliation_settles_attempts_left_open_by_a_crash_or_a_lost_webhook(
    shop: App,
) -> None:
    crashed, waiting, abandoned = an_order(shop, "ada"), an_order(shop, "bob"), an_order(
        shop, "cyd")
    gateway = gateway_of(shop)
    gateway.charge_then_raise(PaymentProviderUnavailable("timed out"))
    with pytest.raises(PaymentProviderUnavailable):
        pay(shop, crashed)
    three_ds = pay(shop, waiting, "pm_card_authenticationRequired")
    gateway.raise_next("charge", PaymentProviderUnavailable("never sent"))
    with pytest.raises(PaymentProviderUnavailable):
        pay(shop, abandoned)

    assert reconcile(shop) == [(crashed.id, "paid"), (waiting.id, "waiting"),
                               (abandoned.id, "failed")]
    assert three_ds.provider_reference is not None
    gateway.settle_action(three_ds.provider_reference)
    assert reconcile(shop) == [(waiting.id, "paid")]
    assert [status_of(shop, o) for o in (crashed, waiting, abandoned)] == [
        "paid", "paid", "pending"]
    assert reconcile(shop) == []


def test_reconciliation_reports_an_unreachable_provider_and_leaves_the_attempt_open(
    shop: App,
) -> None:
    order = an_order(shop)
    gateway = gateway_of(shop)
    gateway.charge_then_raise(PaymentProviderUnavailable("timed out"))
    with pytest.raises(PaymentProviderUnavailable):
        pay(shop, order)
    gateway.raise_next("find", PaymentProviderUnavailable("down"))

    assert reconcile(shop) == [(order.id, "unreachable")]
    assert reconcile(shop) == [(order.id, "paid")]


def test_expiry_leaves_orders_with_an_attempt_in_flight_or_paid_at_the_provider(
    shop: App,
) -> None:
    in_flight, crashed, unpaid = an_order(shop, "ada"), an_order(shop, "bob"), an_order(
        shop, "cyd")
    pay(shop, in_flight, "pm_card_authenticationRequired")
    gateway_of(shop).charge_then_raise(PaymentProviderUnavailable("timed out"))
    with pytest.raises(PaymentProviderUnavailable):
        pay(shop, crashed)
    declined = an_order(shop, "dee")
    with pytest.raises(PaymentDeclined):
        pay(shop, declined, "pm_card_chargeDeclined")

    expired = replace(shop.expire_orders, after=timedelta(0))()

    assert expired == 2
    assert [status_of(shop, o) for o in (in_flight, crashed, unpaid, declined)] == [
        "pending", "pending", "cancelled", "cancelled"]


def test_a_scripted_outcome_answers_for_its_payment_method(shop: App) -> None:
    gateway_of(shop).script("pm_custom", Outcome(ChargeStatus.FAILED, "do_not_honor", "No."))
    with pytest.raises(PaymentDeclined, match="No"):
        pay(shop, an_order(shop), "pm_custom")
