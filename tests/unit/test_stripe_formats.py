"""Stripe's formats in plain Python: minor units, its JSON as port data, webhook signatures."""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopcore.adapters.stripe.money import MinorUnitsError, from_minor, to_minor
from shopcore.adapters.stripe.objects import charge_of_intent, event_of, metadata_of
from shopcore.adapters.stripe.webhooks import StripeWebhookVerifier, sign
from shopcore.domain.errors import ValidationFailed
from shopcore.domain.money import Money
from shopcore.ports.payments import ChargeStatus

SECRET = "whsec_unit_test"
NOW = 1_800_000_000


def money(amount: str, currency: str) -> Money:
    return Money(Decimal(amount), currency)


@pytest.mark.parametrize(("amount", "minor"), [
    (money("12.50", "USD"), 1250), (money("0.01", "EUR"), 1), (money("500", "JPY"), 500),
    (money("1200", "KRW"), 1200), (money("0", "USD"), 0)])
def test_amounts_go_to_stripe_in_the_currencys_minor_units_and_back(
        amount: Money, minor: int) -> None:
    assert to_minor(amount) == minor
    assert from_minor(minor, amount.currency.lower()) == amount


def test_a_zero_decimal_currency_cannot_carry_a_fraction() -> None:
    with pytest.raises(MinorUnitsError):
        to_minor(money("12.50", "JPY"))


def intent(**fields: Any) -> dict[str, Any]:
    base = {"id": "pi_1", "object": "payment_intent", "amount": 1250, "currency": "usd",
            "status": "succeeded", "client_secret": "pi_1_secret_x",
            "metadata": metadata_of(42, 2, 7), "last_payment_error": None}
    return {**base, **fields}


@pytest.mark.parametrize(("status", "expected"), [
    ("succeeded", ChargeStatus.SUCCEEDED), ("requires_action", ChargeStatus.REQUIRES_ACTION),
    ("requires_payment_method", ChargeStatus.FAILED), ("canceled", ChargeStatus.FAILED),
    ("processing", ChargeStatus.PROCESSING), ("requires_capture", ChargeStatus.PROCESSING),
    ("something_new", ChargeStatus.PROCESSING)])
def test_each_intent_status_is_read_as_the_ports(status: str, expected: ChargeStatus) -> None:
    assert charge_of_intent(intent(status=status)).status is expected


def test_an_intent_carries_its_order_attempt_amounts_and_refunded_total() -> None:
    charge = charge_of_intent(intent(), refunded_minor=400)
    assert (charge.reference, charge.order_id, charge.attempt) == ("pi_1", 42, 2)
    assert (charge.amount, charge.refunded) == (money("12.50", "USD"), money("4.00", "USD"))
    assert charge.client_secret is None  # handed out only when the browser must act


def test_the_client_secret_is_given_when_action_is_needed() -> None:
    assert charge_of_intent(intent(status="requires_action")).client_secret == "pi_1_secret_x"


def test_a_declined_intent_gives_its_decline_code_before_its_error_code() -> None:
    error = {"code": "card_declined", "decline_code": "insufficient_funds",
             "message": "Your card has insufficient funds."}
    charge = charge_of_intent(intent(status="requires_payment_method", last_payment_error=error))
    assert (charge.decline_code, charge.message) == (
        "insufficient_funds", "Your card has insufficient funds.")
    bare = charge_of_intent(intent(status="requires_payment_method",
                                   last_payment_error={"code": "card_declined", "message": "No"}))
    assert bare.decline_code == "card_declined"


def test_an_intent_without_our_metadata_has_no_order() -> None:
    charge = charge_of_intent(intent(metadata={"order_id": "not-a-number"}))
    assert (charge.order_id, charge.attempt) == (None, None)


def event(kind: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"id": "evt_1", "object": "event", "type": kind,
                       "data": {"object": obj}}).encode()


def test_payment_intent_events_carry_the_intents_charge() -> None:
    read = event_of(json.loads(event("payment_intent.succeeded", intent())))
    assert (read.id, read.type) == ("evt_1", "payment_intent.succeeded")
    assert read.charge is not None and read.charge.order_id == 42


def test_a_refunded_charge_event_is_about_its_payment_intent() -> None:
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_1", "amount": 1250,
              "amount_refunded": 1250, "currency": "usd", "metadata": metadata_of(42, 2, 7)}
    read = event_of(json.loads(event("charge.refunded", charge)))
    assert read.charge is not None
    assert (read.charge.reference, read.charge.refunded) == ("pi_1", money("12.50", "USD"))
    assert (read.charge.order_id, read.charge.attempt) == (42, 2)


def test_an_event_the_shop_ignores_carries_no_charge() -> None:
    assert event_of(json.loads(event("customer.created", {"id": "cus_1"}))).charge is None


def verifier(secret: str | None = SECRET) -> StripeWebhookVerifier:
    return StripeWebhookVerifier(secret, clock=lambda: NOW)


def test_a_payload_signed_with_the_secret_verifies() -> None:
    payload = event("payment_intent.succeeded", intent())
    assert verifier().verify(payload, sign(payload, SECRET, NOW)).id == "evt_1"


def test_one_valid_signature_among_several_verifies() -> None:
    payload = event("payment_intent.succeeded", intent())
    good = sign(payload, SECRET, NOW).split(",v1=")[1]
    assert verifier().verify(payload, f"t={NOW},v1={'0' * 64},v1={good}").id == "evt_1"


@pytest.mark.parametrize(("signature", "why"), [
    (None, "missing"), ("", "missing"), ("v1=abc", "malformed"), (f"t=soon,v1={'0' * 64}",
                                                                 "malformed"),
    (f"t={NOW}", "malformed"), (f"t={NOW},t={NOW},v1=ab", "malformed")])
def test_a_missing_or_malformed_signature_is_refused(signature: str | None, why: str) -> None:
    with pytest.raises(ValidationFailed, match=why):
        verifier().verify(event("payment_intent.succeeded", intent()), signature)


def test_a_signature_by_another_secret_or_of_another_payload_is_refused() -> None:
    payload = event("payment_intent.succeeded", intent())
    with pytest.raises(ValidationFailed, match="does not match"):
        verifier().verify(payload, sign(payload, "whsec_other", NOW))
    with pytest.raises(ValidationFailed, match="does not match"):
        verifier().verify(payload + b" ", sign(payload, SECRET, NOW))


@pytest.mark.parametrize("moment", [NOW - 301, NOW + 301])
def test_a_stale_or_future_signature_is_refused(moment: int) -> None:
    payload = event("payment_intent.succeeded", intent())
    with pytest.raises(ValidationFailed, match="too old"):
        verifier().verify(payload, sign(payload, SECRET, moment))


def test_a_signature_within_the_tolerance_verifies() -> None:
    payload = event("payment_intent.succeeded", intent())
    assert verifier().verify(payload, sign(payload, SECRET, NOW - 299)).id == "evt_1"


@pytest.mark.parametrize("secret", [None, ""])
def test_no_webhook_secret_configured_refuses_every_webhook(secret: str | None) -> None:
    payload = event("payment_intent.succeeded", intent())
    with pytest.raises(ValidationFailed, match="not configured"):
        verifier(secret).verify(payload, sign(payload, SECRET, NOW))


@pytest.mark.parametrize("payload", [b"not json", b"[]", b'{"id": "evt_1"}'])
def test_a_signed_payload_that_is_not_an_event_is_refused(payload: bytes) -> None:
    with pytest.raises(ValidationFailed, match="not a Stripe event"):
        verifier().verify(payload, sign(payload, SECRET, NOW))


def test_only_the_stripe_gateway_module_imports_the_stripe_package() -> None:
    src = Path(__file__).resolve().parents[2] / "src" / "shopcore"
    importers = set()
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name == "stripe" or name.startswith("stripe.") for name in names):
                importers.add(str(path.relative_to(src)))
    assert importers == {"adapters/stripe/gateway.py"}
