"""localstripe's own webhooks reach the shop's endpoint and verify with StripeWebhookVerifier.

localstripe sends each event once, a second after the call, and never retries; it sends no
`charge.refunded` (the simulator's tests cover that event).
"""

from __future__ import annotations

import json
import secrets
import urllib.parse
import urllib.request
from decimal import Decimal

from shopcore.adapters.stripe.gateway import StripeGateway, stripe_client
from shopcore.adapters.stripe.webhooks import StripeWebhookVerifier
from shopcore.domain.money import Money
from shopcore.ports.payments import ChargeRequest, ChargeStatus
from tests.helpers import WebhookInbox


def register(localstripe: str, url: str, secret: str) -> None:
    body = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
    address = f"{localstripe}/_config/webhooks/shopcore-{secrets.token_hex(4)}"
    urllib.request.urlopen(address, data=body, timeout=5).close()


def test_localstripes_webhook_for_a_payment_reaches_the_shop_and_verifies(
        localstripe: str) -> None:
    secret = f"whsec_{secrets.token_hex(8)}"
    gateway = StripeGateway(stripe_client("sk_test_webhooks", localstripe, 10.0))
    with WebhookInbox() as inbox:
        register(localstripe, inbox.url, secret)
        charge = gateway.charge(ChargeRequest(order_id=800_001, attempt=1, user_id=7,
                                              amount=Money(Decimal("12.50"), "USD"),
                                              payment_method_id="pm_card_visa"))
        verifier = StripeWebhookVerifier(secret)
        found = None
        for count in range(1, 20):  # other events (the PaymentMethod's) may come first
            body, signature = inbox.wait_for(count)[-1]
            data = json.loads(body)
            if (data["type"], data["data"]["object"]["id"]) == (
                    "payment_intent.succeeded", charge.reference):
                found = verifier.verify(body, signature)
                break
    assert charge.status is ChargeStatus.SUCCEEDED
    assert found is not None and found.charge is not None
    assert (found.charge.reference, found.charge.order_id, found.charge.attempt) == (
        charge.reference, 800_001, 1)
