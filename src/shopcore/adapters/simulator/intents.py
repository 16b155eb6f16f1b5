"""Stripe's PaymentIntent, Charge and Refund JSON as the simulator makes and changes them."""

from __future__ import annotations

import secrets
from typing import Any

from shopcore.adapters.simulator.cards import AUTHENTICATION_FAILED, Decline
from shopcore.adapters.stripe.objects import charge_of_intent, metadata_of
from shopcore.domain.errors import PaymentProviderError
from shopcore.ports.payments import Charge, ChargeRequest

Json = dict[str, Any]
THREE_D_SECURE = {"type": "use_stripe_sdk", "use_stripe_sdk": {"type": "three_d_secure_redirect"}}


def new_id(prefix: str) -> str:
    return f"{prefix}_sim_{secrets.token_hex(12)}"


def new_intent(request: ChargeRequest, amount: int, created: float) -> Json:
    """A PaymentIntent for `request`, `amount` in minor units, not yet confirmed."""
    reference = new_id("pi")
    return {
        "id": reference, "object": "payment_intent", "amount": amount, "amount_received": 0,
        "currency": request.amount.currency.lower(),
        "client_secret": f"{reference}_secret_{secrets.token_hex(8)}",
        "created": int(created), "livemode": False, "status": "requires_confirmation",
        "payment_method": request.payment_method_id, "latest_charge": None,
        "last_payment_error": None, "next_action": None,
        "metadata": metadata_of(request.order_id, request.attempt, request.user_id)}


def _charge(intent: Json, decline: Decline | None) -> Json:
    return {"id": new_id("ch"), "object": "charge", "amount": intent["amount"],
            "amount_refunded": 0, "refunded": False, "currency": intent["currency"],
            "payment_intent": intent["id"], "metadata": dict(intent["metadata"]),
            "paid": decline is None, "status": "failed" if decline else "succeeded",
            "failure_code": decline.code if decline else None,
            "failure_message": decline.message if decline else None}


def _error(decline: Decline, intent: Json) -> Json:
    return {"type": "card_error", "code": decline.code, "decline_code": decline.decline_code,
            "message": decline.message, "payment_method": {"id": intent["payment_method"]}}


def require_action(intent: Json) -> str:
    """Ask for 3-D Secure (in place); the event type Stripe sends."""
    intent.update(status="requires_action", next_action=dict(THREE_D_SECURE))
    return "payment_intent.requires_action"


def settle(intent: Json, decline: Decline | None) -> str:
    """Charge the card (in place): paid, or declined with `decline`; the event type."""
    intent.update(next_action=None, latest_charge=_charge(intent, decline))
    if decline is None:
        intent.update(status="succeeded", amount_received=intent["amount"])
        return "payment_intent.succeeded"
    intent.update(status="requires_payment_method", last_payment_error=_error(decline, intent))
    return "payment_intent.payment_failed"


def fail_authentication(intent: Json) -> str:
    """The customer failed 3-D Secure (in place): no charge, the intent wants a new method."""
    intent.update(status="requires_payment_method", next_action=None,
                  last_payment_error=_error(AUTHENTICATION_FAILED, intent))
    return "payment_intent.payment_failed"


def refund(intent: Json, amount: int) -> Json:
    """Refund `amount` minor units of the intent's charge (in place), never more than is left."""
    charge = intent.get("latest_charge")
    if intent["status"] != "succeeded" or charge is None:
        raise PaymentProviderError(
            f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.")
    left = charge["amount"] - charge["amount_refunded"]
    if amount <= 0 or amount > left:
        raise PaymentProviderError(
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left}).")
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    return {"id": new_id("re"), "object": "refund", "amount": amount,
            "currency": charge["currency"], "charge": charge["id"],
            "payment_intent": intent["id"], "status": "succeeded"}


def charge_of(intent: Json) -> Charge:
    """The port's Charge for a simulated intent, its refunded total read from its charge."""
    charge = intent.get("latest_charge") or {}
    return charge_of_intent(intent, int(charge.get("amount_refunded", 0)))
