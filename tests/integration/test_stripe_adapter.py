"""The Stripe adapter against a hand-written fake of Stripe's HTTP API: what localstripe skips.

localstripe ignores the API version and idempotency keys, has no Search API and never shapes
a decline as Stripe does (the intent inside the error); this fake answers as Stripe's API
reference says, records what it was sent, and can be slow or fail on purpose.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from shopcore.adapters.stripe.gateway import StripeGateway, stripe_client
from shopcore.adapters.stripe.objects import API_VERSION, metadata_of
from shopcore.domain.errors import (
    InvalidPaymentMethod,
    PaymentProviderError,
    PaymentProviderUnavailable,
)
from shopcore.domain.money import Money
from shopcore.ports.payments import ChargeRequest, ChargeStatus

REQUEST = ChargeRequest(order_id=5, attempt=2, amount=Money(Decimal("12.50"), "USD"),
                        payment_method_id="pm_card_visa", user_id=7)
NOT_FOUND = (404, {"error": {"type": "invalid_request_error", "message": "Not Found"}})
NOTHING_FOUND = (200, {"object": "search_result", "data": [], "has_more": False,
                       "url": "/v1/payment_intents/search"})


def intent(status: str = "succeeded", **fields: Any) -> dict[str, Any]:
    return {"id": "pi_fake", "object": "payment_intent", "amount": 1250, "currency": "usd",
            "status": status, "client_secret": "pi_fake_secret", "last_payment_error": None,
            "metadata": metadata_of(5, 2, 7), "latest_charge": None, **fields}


class FakeStripe:
    """Stripe's API as a scripted loopback server: `answers` by (method, path)."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        self.seen: list[tuple[str, str, dict[str, str], dict[str, list[str]]]] = []
        self.delay = 0.0
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self) -> None:
                path, _, query = self.path.partition("?")
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                fake.seen.append((self.command, path, dict(self.headers),
                                  urllib.parse.parse_qs(body or query)))
                time.sleep(fake.delay)
                status, data = fake.answers.get((self.command, path), NOT_FOUND)
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def gateway(self, timeout: float = 5.0) -> StripeGateway:
        return StripeGateway(stripe_client("sk_test_fake", self.url, timeout))


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    stripe = FakeStripe()
    thread = threading.Thread(target=stripe.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield stripe
    stripe.server.shutdown()
    stripe.server.server_close()


def test_a_charge_names_the_api_version_and_sends_the_attempts_idempotency_key(
        fake: FakeStripe) -> None:
    fake.answers[("GET", "/v1/payment_intents/search")] = NOTHING_FOUND
    fake.answers[("POST", "/v1/payment_intents")] = (200, intent())
    assert fake.gateway().charge(REQUEST).status is ChargeStatus.SUCCEEDED
    (_, search, searched, query), (_, create, created, form) = fake.seen
    assert (search, create) == ("/v1/payment_intents/search", "/v1/payment_intents")
    assert query["query"] == ["metadata['order_id']:'5' AND metadata['attempt']:'2'"]
    assert searched["Stripe-Version"] == created["Stripe-Version"] == API_VERSION
    assert created["Idempotency-Key"] == REQUEST.idempotency_key
    assert (form["amount"], form["currency"], form["confirm"]) == (["1250"], ["usd"], ["true"])
    assert (form["metadata[order_id]"], form["metadata[attempt]"]) == (["5"], ["2"])


def test_an_intent_the_search_finds_is_answered_and_nothing_is_charged(fake: FakeStripe) -> None:
    fake.answers[("GET", "/v1/payment_intents/search")] = (200, {
        **NOTHING_FOUND[1], "data": [intent(latest_charge={"id": "ch_1", "amount_refunded": 50})]})
    charge = fake.gateway().charge(REQUEST)
    assert (charge.reference, charge.refunded) == ("pi_fake", Money(Decimal("0.50"), "USD"))
    assert [path for _, path, _, _ in fake.seen] == ["/v1/payment_intents/search"]


def test_without_a_search_api_the_look_up_lists_intents_and_stops_asking_for_search(
        fake: FakeStripe) -> None:
    fake.answers[("GET", "/v1/payment_intents")] = (200, {
        "object": "list", "data": [intent(metadata=metadata_of(5, 1, 7)), intent()],
        "has_more": False, "url": "/v1/payment_intents"})
    gateway = fake.gateway()
    assert gateway.find(5, 2) is not None
    assert gateway.find(6, 1) is None
    assert [path for _, path, _, _ in fake.seen] == [
        "/v1/payment_intents/search", "/v1/payment_intents", "/v1/payment_intents"]


def test_a_decline_keeps_the_intent_stripe_names_in_the_error(fake: FakeStripe) -> None:
    error = {"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
             "message": "Your card has insufficient funds."}
    fake.answers[("GET", "/v1/payment_intents/search")] = NOTHING_FOUND
    declined = intent("requires_payment_method", last_payment_error=error)
    fake.answers[("POST", "/v1/payment_intents")] = (402, {"error": {
        **error, "payment_intent": declined}})
    charge = fake.gateway().charge(REQUEST)
    assert (charge.reference, charge.status, charge.decline_code) == (
        "pi_fake", ChargeStatus.FAILED, "insufficient_funds")


def test_a_payment_method_stripe_does_not_know_is_invalid(fake: FakeStripe) -> None:
    fake.answers[("GET", "/v1/payment_intents/search")] = NOTHING_FOUND
    fake.answers[("POST", "/v1/payment_intents")] = (400, {"error": {
        "type": "invalid_request_error", "code": "resource_missing", "param": "payment_method",
        "message": "No such PaymentMethod: 'pm_nope'"}})
    with pytest.raises(InvalidPaymentMethod):
        fake.gateway().charge(REQUEST)


@pytest.mark.parametrize(("status", "error"), [
    (500, PaymentProviderError), (401, PaymentProviderError), (403, PaymentProviderError),
    (400, PaymentProviderError), (429, PaymentProviderUnavailable)])
def test_stripes_errors_become_the_ports(fake: FakeStripe, status: int, error: type) -> None:
    fake.answers[("GET", "/v1/payment_intents/pi_fake")] = (status, {"error": {
        "type": "api_error", "message": "Something went wrong."}})
    with pytest.raises(error):
        fake.gateway().retrieve("pi_fake")


def test_a_stripe_that_answers_too_slowly_is_unavailable_in_the_timeout(fake: FakeStripe) -> None:
    fake.delay = 3.0
    gateway = fake.gateway(timeout=0.5)
    started = time.monotonic()
    with pytest.raises(PaymentProviderUnavailable):
        gateway.charge(REQUEST)
    assert gateway.check() == "down"
    assert time.monotonic() - started < 2.5
    assert len(fake.seen) == 2  # no hidden retry
