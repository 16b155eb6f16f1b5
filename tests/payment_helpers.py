"""A shop in memory with an order to pay, its scriptable gateway, and Stripe-shaped events."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

from shopcore import App
from shopcore.adapters.memory.gateway import MemoryGateway
from shopcore.adapters.stripe.webhooks import sign
from shopcore.application.viewer import Viewer
from shopcore.domain.order import Order
from shopcore.ports.payments import Charge

WEBHOOK_SECRET = "whsec_test_0123456789"
STAFF = Viewer(999, is_staff=True)


def a_shop() -> App:
    return App.in_memory(password_hasher="plain", stripe_webhook_secret=WEBHOOK_SECRET)


def gateway_of(shop: App) -> MemoryGateway:
    found: MemoryGateway = shop.container.adapters.payment_gateway()
    return found


def an_order(shop: App, username: str = "ada", quantity: int = 2, stock: int = 5) -> Order:
    """A pending order of `quantity` books at 10.00 by a new user, from `stock` units."""
    user = shop.register_user(username=username, email=f"{username}@example.com",
                              password="correct-horse")
    category = shop.create_category(name=f"Books of {username}").category
    assert category.id is not None and user.id is not None
    product = shop.create_product(name=f"Dune {username}", price=Decimal("10.00"),
                                  category_id=category.id, stock=stock)
    assert product.id is not None
    shop.add_to_cart(user_id=user.id, product_id=product.id, quantity=quantity)
    return shop.place_order(user_id=user.id)


def stock_of(shop: App, order: Order) -> int | None:
    return shop.get_product(product_id=order.lines[0].product_id).stock


def status_of(shop: App, order: Order) -> str:
    assert order.id is not None
    return str(shop.get_order(order_id=order.id, viewer=STAFF).status)


def event(kind: str, charge: Charge, event_id: str) -> dict[str, Any]:
    """A Stripe Event about `charge`, as Stripe would send it."""
    cents = int(charge.amount.amount * 100)
    if kind == "charge.refunded":
        obj: dict[str, Any] = {
            "id": f"ch_{charge.reference}", "object": "charge", "payment_intent": charge.reference,
            "amount": cents, "amount_refunded": int(charge.refunded.amount * 100),
            "currency": charge.amount.currency.lower(), "refunded": True}
    else:
        status = {"payment_intent.succeeded": "succeeded",
                  "payment_intent.payment_failed": "requires_payment_method"}.get(kind,
                                                                                  "processing")
        obj = {"id": charge.reference, "object": "payment_intent", "amount": cents,
               "currency": charge.amount.currency.lower(), "status": status,
               "metadata": {"order_id": str(charge.order_id), "attempt": str(charge.attempt)}}
        if status == "requires_payment_method":
            obj["last_payment_error"] = {"decline_code": "authentication_required",
                                         "message": "The customer did not authenticate."}
    return {"id": event_id, "object": "event", "type": kind, "created": int(time.time()),
            "livemode": False, "data": {"object": obj}}


def signed(body: dict[str, Any], secret: str = WEBHOOK_SECRET,
           at: int | None = None) -> tuple[bytes, str]:
    payload = json.dumps(body).encode()
    return payload, sign(payload, secret, at)
