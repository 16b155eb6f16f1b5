"""Stripe's PaymentIntent, Charge and Event JSON read into the port's plain data (stdlib only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shopcore.adapters.stripe.money import from_minor
from shopcore.ports.payments import Charge, ChargeStatus, ProviderEvent, ProviderEventType

API_VERSION = "2026-10-28.endive"  # the version stripe-python 16.1's types describe

INTENT_STATUS = {
    "succeeded": ChargeStatus.SUCCEEDED,
    "requires_action": ChargeStatus.REQUIRES_ACTION,
    "requires_payment_method": ChargeStatus.FAILED,  # what a declined intent goes back to
    "canceled": ChargeStatus.FAILED,
    "processing": ChargeStatus.PROCESSING,
    "requires_confirmation": ChargeStatus.PROCESSING,
    "requires_capture": ChargeStatus.PROCESSING,
}


def _number(metadata: Mapping[str, Any], key: str) -> int | None:
    value = str(metadata.get(key, ""))
    return int(value) if value.isdigit() else None


def metadata_of(order_id: int, attempt: int, user_id: int, shop: str = "") -> dict[str, str]:
    """The metadata a charge is created with: how the shop finds its payment again."""
    found = {"order_id": str(order_id), "attempt": str(attempt), "user_id": str(user_id)}
    return {**found, "shop": shop} if shop else found


def charge_of_intent(intent: Mapping[str, Any], refunded_minor: int = 0) -> Charge:
    """A PaymentIntent (as a dict) as the port's Charge."""
    error = intent.get("last_payment_error") or {}
    metadata = intent.get("metadata") or {}
    status = INTENT_STATUS.get(str(intent.get("status")), ChargeStatus.PROCESSING)
    currency = str(intent["currency"])
    return Charge(
        reference=str(intent["id"]),
        status=status,
        amount=from_minor(int(intent["amount"]), currency),
        refunded=from_minor(refunded_minor, currency),
        decline_code=(error.get("decline_code") or error.get("code")) if error else None,
        message=error.get("message") if error else None,
        client_secret=(intent.get("client_secret")
                       if status is ChargeStatus.REQUIRES_ACTION else None),
        order_id=_number(metadata, "order_id"),
        attempt=_number(metadata, "attempt"),
    )


def charge_of_refunded_charge(charge: Mapping[str, Any]) -> Charge:
    """A refunded Charge object (of `charge.refunded`) as the Charge of its PaymentIntent.

    A PaymentIntent's charge carries the intent's metadata, so its order and attempt too.
    """
    currency = str(charge["currency"])
    metadata = charge.get("metadata") or {}
    return Charge(
        reference=str(charge.get("payment_intent") or charge["id"]),
        status=ChargeStatus.SUCCEEDED,
        amount=from_minor(int(charge["amount"]), currency),
        refunded=from_minor(int(charge.get("amount_refunded") or 0), currency),
        order_id=_number(metadata, "order_id"),
        attempt=_number(metadata, "attempt"),
    )


def event_of(data: Mapping[str, Any]) -> ProviderEvent:
    """A Stripe Event as the port's ProviderEvent; events the shop ignores carry no charge."""
    kind = str(data["type"])
    obj = (data.get("data") or {}).get("object") or {}
    charge: Charge | None = None
    if kind in (ProviderEventType.SUCCEEDED, ProviderEventType.FAILED):
        charge = charge_of_intent(obj)
    elif kind == ProviderEventType.REFUNDED:
        charge = charge_of_refunded_charge(obj)
    return ProviderEvent(id=str(data["id"]), type=kind, charge=charge)
