"""The whole payment path through the real `stripe` package against localstripe.

localstripe sends each webhook once and never retries, and this shop registers none there:
every webhook is lost, which is what `payments reconcile` repairs.
"""

from __future__ import annotations

import shutil
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from shopcore import App
from shopcore.adapters.stripe.gateway import StripeGateway, stripe_client
from shopcore.application.viewer import Viewer
from shopcore.domain.money import Money
from shopcore.domain.order import Status
from shopcore.ports.payments import ChargeRequest, ChargeStatus
from tests.helpers import make_settings

STAFF = Viewer(user_id=0, is_staff=True)


@pytest.fixture
def shop(localstripe: str, sqlite_template: Path, tmp_path: Path) -> Iterator[App]:
    path = tmp_path / "shop.sqlite3"
    shutil.copy(sqlite_template, path)
    # Each test's shop has its own secret, so its own shop id on the shared localstripe.
    app = App(make_settings(f"sqlite:///{path}", password_hasher="plain",
                            secret_key=f"localstripe-shop-{tmp_path.name}-0123456789abcdef",
                            payment_provider="stripe", stripe_secret_key="sk_test_shop",
                            stripe_api_base=localstripe, stripe_webhook_secret="whsec_test"))
    yield app
    app.close()


def a_pending_order(shop: App) -> tuple[int, int]:
    user = shop.register_user(username="ada", email="ada@example.com", password="correct-horse")
    category = shop.create_category(name="Books").category
    assert user.id is not None and category.id is not None
    product = shop.create_product(name="Dune", price=Decimal("12.50"), category_id=category.id,
                                  stock=3)
    assert product.id is not None
    shop.add_to_cart(user_id=user.id, product_id=product.id, quantity=2)
    order = shop.place_order(user_id=user.id)
    assert order.id is not None
    return user.id, order.id


def card(localstripe: str, number: str) -> str:
    gateway = StripeGateway(stripe_client("sk_test_shop", localstripe, 10.0))
    return str(gateway.v1.payment_methods.create({"type": "card", "card": {
        "number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}).id)


def authenticate_at_localstripe(localstripe: str, reference: str, client_secret: str) -> None:
    body = urllib.parse.urlencode({"client_secret": client_secret, "key": "pk_test_x",
                                   "success": "true"}).encode()
    urllib.request.urlopen(f"{localstripe}/v1/payment_intents/{reference}/_authenticate",
                           data=body, timeout=5).close()


def test_a_card_paid_through_localstripe_marks_the_order_paid_and_refunds_reach_it(
    shop: App, localstripe: str
) -> None:
    user_id, order_id = a_pending_order(shop)

    payment = shop.process_payment(user_id=user_id, order_id=order_id,
                                   payment_method_id="pm_card_visa")
    assert payment.provider == "stripe"
    assert payment.provider_reference is not None and payment.provider_reference.startswith("pi_")
    assert shop.get_order(order_id=order_id, viewer=STAFF).status is Status.PAID

    shop.refund_order(order_id=order_id, amount=Decimal("5.00"), viewer=STAFF)
    charge = shop.container.adapters.payment_gateway().retrieve(payment.provider_reference)
    assert charge.refunded == Money(Decimal("5.00"), "USD")


def test_a_lost_3d_secure_webhook_is_repaired_by_reconcile(shop: App, localstripe: str) -> None:
    user_id, order_id = a_pending_order(shop)
    payment = shop.process_payment(user_id=user_id, order_id=order_id,
                                   payment_method_id=card(localstripe, "4000002760003184"))
    assert payment.status == "requires_action"
    assert payment.provider_reference is not None and payment.client_secret is not None

    authenticate_at_localstripe(localstripe, payment.provider_reference, payment.client_secret)
    assert shop.get_order(order_id=order_id, viewer=STAFF).status is Status.PENDING

    result = replace(shop.reconcile_payments, older_than=timedelta(0))()

    assert [a.outcome for a in result.attempts] == ["paid"]
    assert shop.get_order(order_id=order_id, viewer=STAFF).status is Status.PAID


def test_two_shops_on_one_stripe_account_never_take_each_others_order(localstripe: str) -> None:
    client = stripe_client("sk_test_shared", localstripe, 10.0)
    mine, theirs = StripeGateway(client, shop="mine-1234"), StripeGateway(client, shop="theirs")
    request = ChargeRequest(order_id=990_001, attempt=1, amount=Money(Decimal("3.00"), "USD"),
                            payment_method_id="pm_card_visa", user_id=1)

    first = mine.charge(request)
    assert theirs.find(990_001, 1) is None
    second = theirs.charge(request)

    assert first.reference != second.reference
    assert second.status is ChargeStatus.SUCCEEDED
    assert mine.find(990_001, 1) == first
