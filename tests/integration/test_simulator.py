"""The payment simulator beyond the shared contract: Stripe's test ids, webhooks, processes."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest

from shopcore.adapters.simulator.cards import DECLINES, NEEDS_ACTION, SUCCEEDS
from shopcore.adapters.simulator.gateway import SimulatedGateway
from shopcore.adapters.stripe.webhooks import StripeWebhookVerifier
from shopcore.domain.errors import PaymentProviderError, ValidationFailed
from shopcore.domain.money import Money
from shopcore.ports.payments import ChargeRequest, ChargeStatus, ProviderEvent
from tests.helpers import WebhookInbox, free_port

SECRET = "whsec_simulator_test"


def request(method: str = "pm_card_visa", order: int = 1, attempt: int = 1,
            amount: str = "12.50", currency: str = "USD") -> ChargeRequest:
    return ChargeRequest(order_id=order, attempt=attempt, amount=Money(Decimal(amount), currency),
                         payment_method_id=method, user_id=7)


def events(inbox: WebhookInbox, count: int) -> list[ProviderEvent]:
    verifier = StripeWebhookVerifier(SECRET)
    return [verifier.verify(body, signature) for body, signature in inbox.wait_for(count)]


@pytest.mark.parametrize("method", sorted(SUCCEEDS))
def test_stripes_paying_test_cards_succeed(method: str) -> None:
    assert SimulatedGateway().charge(request(method)).status is ChargeStatus.SUCCEEDED


@pytest.mark.parametrize(("method", "code", "message"), [
    ("pm_card_chargeDeclined", "generic_decline", "Your card was declined."),
    ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds",
     "Your card has insufficient funds."),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", "Your card has expired."),
    ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc",
     "Your card's security code is incorrect."),
])
def test_stripes_declining_test_cards_decline_with_stripes_code_and_message(
        method: str, code: str, message: str) -> None:
    charge = SimulatedGateway().charge(request(method))
    assert (charge.status, charge.decline_code, charge.message) == (
        ChargeStatus.FAILED, code, message)


def test_the_simulator_knows_stripes_test_ids_and_no_other() -> None:
    known = SUCCEEDS | set(DECLINES) | NEEDS_ACTION
    assert known == {
        "pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_card_chargeDeclined",
        "pm_card_chargeDeclinedInsufficientFunds", "pm_card_chargeDeclinedExpiredCard",
        "pm_card_chargeDeclinedIncorrectCvc", "pm_card_authenticationRequired"}


def test_stripes_authentication_test_card_needs_action_with_a_client_secret() -> None:
    charge = SimulatedGateway().charge(request("pm_card_authenticationRequired"))
    assert charge.status is ChargeStatus.REQUIRES_ACTION
    assert charge.client_secret and charge.client_secret.startswith(charge.reference)


def test_a_yen_amount_with_a_fraction_cannot_be_charged() -> None:
    with pytest.raises(ValidationFailed):
        SimulatedGateway().charge(request(amount="12.50", currency="JPY"))


def test_each_charge_and_refund_sends_its_signed_stripe_event() -> None:
    with WebhookInbox() as inbox:
        gateway = SimulatedGateway(webhook_url=inbox.url, webhook_secret=SECRET)
        paid = gateway.charge(request(amount="500", currency="JPY"))
        succeeded, = events(inbox, 1)
        gateway.charge(request("pm_card_chargeDeclinedInsufficientFunds", order=2))
        gateway.refund(paid.reference, Money(Decimal("200"), "JPY"), "refund-1")
        received = events(inbox, 3)
    assert succeeded.type == "payment_intent.succeeded"
    assert succeeded.charge == paid
    assert json.loads(inbox.received[0][0])["data"]["object"]["amount"] == 500  # whole yen
    by_type = {event.type: event for event in received}
    failed, refunded = by_type["payment_intent.payment_failed"], by_type["charge.refunded"]
    assert failed.charge is not None and failed.charge.decline_code == "insufficient_funds"
    assert refunded.charge is not None
    assert (refunded.charge.reference, refunded.charge.refunded) == (
        paid.reference, Money(Decimal("200"), "JPY"))
    assert (refunded.charge.order_id, refunded.charge.attempt) == (1, 1)
    assert len({event.id for event in received}) == 3


def test_a_charge_that_needs_action_succeeds_by_itself_with_its_webhook() -> None:
    with WebhookInbox() as inbox:
        gateway = SimulatedGateway(webhook_url=inbox.url, webhook_secret=SECRET,
                                   action_seconds=0.2)
        charge = gateway.charge(request("pm_card_authenticationRequired"))
        assert charge.status is ChargeStatus.REQUIRES_ACTION
        asked, completed = events(inbox, 2)
    assert asked.type == "payment_intent.requires_action"  # a type the shop ignores
    assert completed.type == "payment_intent.succeeded"
    assert completed.charge is not None and completed.charge.reference == charge.reference
    assert gateway.retrieve(charge.reference).status is ChargeStatus.SUCCEEDED


def test_with_no_action_delay_only_authenticate_completes_a_charge() -> None:
    with WebhookInbox() as inbox:
        gateway = SimulatedGateway(webhook_url=inbox.url, webhook_secret=SECRET, action_seconds=0)
        charge = gateway.charge(request("pm_card_authenticationRequired"))
        time.sleep(0.2)
        assert gateway.retrieve(charge.reference).status is ChargeStatus.REQUIRES_ACTION
        assert gateway.authenticate(charge.reference).status is ChargeStatus.SUCCEEDED
        assert events(inbox, 2)[1].type == "payment_intent.succeeded"
    assert gateway.authenticate(charge.reference).status is ChargeStatus.SUCCEEDED  # once


def test_a_webhook_that_cannot_be_delivered_is_logged_not_raised(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "shopcore.adapters.simulator")
    gateway = SimulatedGateway(webhook_url=f"http://127.0.0.1:{free_port()}/hook",
                               webhook_secret=SECRET)
    assert gateway.charge(request()).status is ChargeStatus.SUCCEEDED
    deadline = time.monotonic() + 5
    while "webhook" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "payment_intent.succeeded webhook" in caplog.text


def test_a_refund_never_exceeds_what_was_charged() -> None:
    gateway = SimulatedGateway()
    charge = gateway.charge(request())
    with pytest.raises(PaymentProviderError):
        gateway.refund(charge.reference, Money(Decimal("12.51"), "USD"), "too-much")
    with pytest.raises(PaymentProviderError):
        gateway.refund(charge.reference, Money(Decimal("0.00"), "USD"), "nothing")
    assert gateway.retrieve(charge.reference).refunded == Money(Decimal("0.00"), "USD")


WORKER = textwrap.dedent("""
    import sys
    from decimal import Decimal
    from shopcore.adapters.simulator.gateway import SimulatedGateway
    from shopcore.domain.money import Money
    from shopcore.ports.payments import ChargeRequest

    store, action, *orders = sys.argv[1:]
    gateway = SimulatedGateway(store_path=store, action_seconds=float(action))
    for order in orders:
        charge = gateway.charge(ChargeRequest(int(order), 1, Money(Decimal("10.00"), "USD"),
                                              "pm_card_visa" if int(order) > 0
                                              else "pm_card_authenticationRequired", 7))
        if int(order) > 0:
            gateway.refund(charge.reference, Money(Decimal("1.00"), "USD"), f"{order}-{action}")
        print(charge.reference)
""")


def run_workers(store: Path, *argvs: list[str]) -> list[list[str]]:
    processes = [subprocess.Popen([sys.executable, "-c", WORKER, str(store), *argv],
                                  stdout=subprocess.PIPE, text=True) for argv in argvs]
    outputs = [process.communicate(timeout=60)[0] for process in processes]
    assert [process.returncode for process in processes] == [0] * len(processes)
    return [output.split() for output in outputs]


@pytest.mark.slow
def test_processes_sharing_a_file_store_charge_each_request_once(tmp_path: Path) -> None:
    store = tmp_path / "var" / "intents.json"
    orders = [str(n) for n in range(1, 16)]
    first, second = run_workers(store, ["1", *orders], ["2", *orders])
    assert first == second  # the same request in two processes: one intent
    gateway = SimulatedGateway(store_path=store)
    assert sorted(gateway.references()) == sorted(first)
    for order in range(1, 16):
        charge = gateway.find(order, 1)
        assert charge is not None
        assert charge.refunded == Money(Decimal("2.00"), "USD")  # each worker's own refund


@pytest.mark.slow
def test_an_intent_left_by_an_exited_process_completes_for_the_next_reader(
        tmp_path: Path) -> None:
    store = tmp_path / "intents.json"
    (reference,), = run_workers(store, ["0.2", "-1"])
    time.sleep(0.3)
    assert SimulatedGateway(store_path=store).retrieve(reference).status is ChargeStatus.SUCCEEDED


def test_a_charge_costs_the_same_however_many_intents_the_file_store_keeps(
        tmp_path: Path) -> None:
    gateway = SimulatedGateway(store_path=tmp_path / "intents.sqlite3")
    db = gateway.store._connection()  # type: ignore[attr-defined]
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0

    def charge_steps(order_id: int) -> int:
        db.set_progress_handler(step, 1)
        steps[0] = 0
        gateway.charge(request(order=order_id))
        db.set_progress_handler(None, 1)
        return steps[0]

    charge_steps(1)
    few = charge_steps(2)
    body = json.dumps({"intent": {"metadata": {}}, "complete_at": None})
    db.executemany("INSERT INTO intents (reference, order_id, attempt, complete_at, body) "
                   "VALUES (?, ?, '1', NULL, ?)",
                   [(f"pi_old_{n}", str(1000 + n), body) for n in range(5000)])
    many = charge_steps(3)
    assert many < 2 * few, (few, many)
