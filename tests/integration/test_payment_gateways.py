"""One contract for every PaymentGateway: the simulator (in memory, on a file) and Stripe's adapter.

The Stripe adapter runs against localstripe through the real `stripe` package. The gateways,
and what each stand-in cannot do, are listed in `payment_providers.FLAVOURS`.
"""

from __future__ import annotations

import itertools
import time
from decimal import Decimal

import pytest

from shopcore.domain.errors import (
    InvalidPaymentMethod,
    PaymentProviderError,
    PaymentProviderUnavailable,
)
from shopcore.domain.money import Money
from shopcore.ports.payments import ChargeRequest, ChargeStatus
from tests.integration.payment_providers import Flavour, Provider, every_gateway

orders = itertools.count(700_001)  # localstripe lives for the session: every test a new order


@pytest.fixture
def provider(request: pytest.FixtureRequest) -> Provider:
    flavour: Flavour = request.param
    return flavour.build(request)


def money(amount: str, currency: str = "USD") -> Money:
    return Money(Decimal(amount), currency)


def charge_request(method: str, order: int | None = None, amount: Money | None = None,
                   attempt: int = 1) -> ChargeRequest:
    return ChargeRequest(order_id=next(orders) if order is None else order, attempt=attempt,
                         amount=amount or money("12.50"), payment_method_id=method, user_id=7)


@every_gateway()
def test_a_card_that_pays_leaves_a_succeeded_charge_for_its_order_and_attempt(
        provider: Provider) -> None:
    request = charge_request(provider.pays)
    charge = provider.gateway.charge(request)
    assert charge.status is ChargeStatus.SUCCEEDED
    assert (charge.amount, charge.refunded) == (money("12.50"), money("0"))
    assert (charge.order_id, charge.attempt) == (request.order_id, 1)
    assert charge.reference
    assert (charge.decline_code, charge.client_secret) == (None, None)


@every_gateway()
def test_a_declined_card_is_a_failed_charge_with_its_decline_code_not_an_error(
        provider: Provider) -> None:
    for method, code in provider.declines.items():
        charge = provider.gateway.charge(charge_request(method))
        assert (charge.status, charge.decline_code) == (ChargeStatus.FAILED, code), method
        assert charge.message
        assert charge.reference  # the intent is kept: the attempt is on record at the provider
        again = provider.gateway.retrieve(charge.reference)
        assert (again.status, again.decline_code) == (ChargeStatus.FAILED, code)


@every_gateway()
def test_a_card_that_needs_authentication_answers_requires_action_with_a_client_secret(
        provider: Provider) -> None:
    charge = provider.gateway.charge(charge_request(provider.needs_action))
    assert charge.status is ChargeStatus.REQUIRES_ACTION
    assert charge.client_secret
    assert provider.gateway.retrieve(charge.reference).status is ChargeStatus.REQUIRES_ACTION


@every_gateway()
@pytest.mark.parametrize(("succeed", "status"), [(True, ChargeStatus.SUCCEEDED),
                                                 (False, ChargeStatus.FAILED)])
def test_the_customers_authentication_decides_the_charge(
        provider: Provider, succeed: bool, status: ChargeStatus) -> None:
    authenticate = provider.able("authenticate")
    charge = provider.gateway.charge(charge_request(provider.needs_action))
    authenticate(charge, succeed)
    assert provider.gateway.retrieve(charge.reference).status is status


@every_gateway()
def test_find_answers_the_charge_of_an_order_and_attempt_and_nothing_for_another(
        provider: Provider) -> None:
    request = charge_request(provider.pays)
    charge = provider.gateway.charge(request)
    assert provider.gateway.find(request.order_id, 1) == charge
    assert provider.gateway.find(request.order_id, 2) is None
    assert provider.gateway.find(next(orders), 1) is None


@every_gateway()
def test_retrieve_answers_a_charge_by_its_reference(provider: Provider) -> None:
    charge = provider.gateway.charge(charge_request(provider.pays))
    assert provider.gateway.retrieve(charge.reference) == charge


@every_gateway()
def test_partial_then_full_refunds_add_up_to_the_amount_charged(provider: Provider) -> None:
    charge = provider.gateway.charge(charge_request(provider.pays))
    first = provider.gateway.refund(charge.reference, money("4.00"), "refund-1")
    assert (first.amount, first.status) == (money("4.00"), "succeeded")
    assert provider.gateway.retrieve(charge.reference).refunded == money("4.00")
    rest = provider.gateway.refund(charge.reference, money("8.50"), "refund-2")
    assert rest.reference != first.reference
    after = provider.gateway.retrieve(charge.reference)
    assert (after.status, after.refunded) == (ChargeStatus.SUCCEEDED, money("12.50"))


@every_gateway()
def test_a_refund_retried_with_the_same_key_refunds_once(provider: Provider) -> None:
    charge = provider.gateway.charge(charge_request(provider.pays))
    first = provider.gateway.refund(charge.reference, money("4.00"), "refund-once")
    assert provider.gateway.refund(charge.reference, money("4.00"), "refund-once") == first
    assert provider.gateway.retrieve(charge.reference).refunded == money("4.00")


@every_gateway("over-refund")
def test_a_refund_beyond_what_is_left_is_refused(provider: Provider) -> None:
    charge = provider.gateway.charge(charge_request(provider.pays))
    provider.gateway.refund(charge.reference, money("10.00"), "most")
    with pytest.raises(PaymentProviderError):
        provider.gateway.refund(charge.reference, money("2.51"), "too-much")
    assert provider.gateway.retrieve(charge.reference).refunded == money("10.00")


@every_gateway()
def test_a_declined_charge_cannot_be_refunded(provider: Provider) -> None:
    method = next(iter(provider.declines))
    charge = provider.gateway.charge(charge_request(method))
    with pytest.raises(PaymentProviderError):
        provider.gateway.refund(charge.reference, money("1.00"), "nothing-to-refund")


@every_gateway()
def test_charging_the_same_request_again_after_a_crash_charges_once(provider: Provider) -> None:
    # localstripe ignores idempotency keys: there it is the metadata look-up that holds.
    intents_of = provider.able("intents_of")
    request = charge_request(provider.pays)
    first = provider.gateway.charge(request)
    assert provider.gateway.charge(request) == first
    assert intents_of(request.order_id) == 1


@every_gateway()
def test_a_second_attempt_for_an_order_is_a_charge_of_its_own(provider: Provider) -> None:
    intents_of = provider.able("intents_of")
    declined = provider.gateway.charge(charge_request(next(iter(provider.declines))))
    assert declined.order_id is not None
    paid = provider.gateway.charge(charge_request(provider.pays, declined.order_id, attempt=2))
    assert paid.reference != declined.reference
    assert paid.status is ChargeStatus.SUCCEEDED
    assert intents_of(declined.order_id) == 2


@every_gateway(needs="minor_amount")
@pytest.mark.parametrize(("amount", "minor"), [(money("12.50"), 1250), (money("500", "JPY"), 500)])
def test_amounts_reach_the_provider_in_the_currencys_minor_units(
        provider: Provider, amount: Money, minor: int) -> None:
    minor_amount = provider.able("minor_amount")
    charge = provider.gateway.charge(charge_request(provider.pays, amount=amount))
    assert charge.amount == amount
    assert minor_amount(charge.reference) == minor


@every_gateway()
def test_an_unknown_payment_method_is_invalid(provider: Provider) -> None:
    with pytest.raises(InvalidPaymentMethod) as raised:
        provider.gateway.charge(charge_request("pm_card_nonexistent"))
    assert "payment_method_id" in raised.value.errors


@every_gateway()
def test_an_unknown_reference_is_a_provider_error(provider: Provider) -> None:
    with pytest.raises(PaymentProviderError):
        provider.gateway.retrieve("pi_unknown0000000000")
    with pytest.raises(PaymentProviderError):
        provider.gateway.refund("pi_unknown0000000000", money("1.00"), "unknown")


@every_gateway()
def test_the_provider_answers_its_readiness(provider: Provider) -> None:
    assert provider.gateway.check() in ("simulator", "up")


@every_gateway(needs="unreachable")
def test_an_unreachable_provider_is_unavailable_quickly(provider: Provider) -> None:
    unreachable = provider.able("unreachable")()
    started = time.monotonic()
    with pytest.raises(PaymentProviderUnavailable):
        unreachable.charge(charge_request(provider.pays))
    with pytest.raises(PaymentProviderUnavailable):
        unreachable.find(1, 1)
    with pytest.raises(PaymentProviderUnavailable):
        unreachable.refund("pi_x", money("1.00"), "unreachable")
    assert unreachable.check() != "up"
    assert time.monotonic() - started < 5
