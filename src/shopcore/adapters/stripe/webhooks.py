"""Stripe's webhook signatures (`Stripe-Signature: t=...,v1=...`), signed and checked (stdlib)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

from shopcore.adapters.stripe.objects import event_of
from shopcore.domain.errors import ValidationFailed
from shopcore.ports.payments import ProviderEvent

TOLERANCE_SECONDS = 300


def _digest(secret: str, timestamp: int, payload: bytes) -> str:
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send with `payload`."""
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},v1={_digest(secret, moment, payload)}"


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed(message, {"Stripe-Signature": [message]})


class StripeWebhookVerifier:
    """Checks Stripe's signature scheme with the endpoint's secret, within a time tolerance."""

    def __init__(self, secret: str | None, tolerance: int = TOLERANCE_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self.secret, self.tolerance, self.clock = secret, tolerance, clock

    def verify(self, payload: bytes, signature: str | None) -> ProviderEvent:
        if not self.secret:
            raise ValidationFailed("Webhooks are not configured: STRIPE_WEBHOOK_SECRET is unset.")
        if not signature:
            raise _refused("The Stripe-Signature header is missing.")
        parts = [p.split("=", 1) for p in signature.split(",") if "=" in p]
        stamps = [v for k, v in parts if k.strip() == "t"]
        candidates = [v.strip() for k, v in parts if k.strip() == "v1"]
        if len(stamps) != 1 or not stamps[0].strip().isdigit() or not candidates:
            raise _refused("The Stripe-Signature header is malformed.")
        timestamp = int(stamps[0])
        expected = _digest(self.secret, timestamp, payload)
        if not any(hmac.compare_digest(expected, c) for c in candidates):
            raise _refused("The signature does not match the payload.")
        if abs(self.clock() - timestamp) > self.tolerance:
            raise _refused("The signature is too old (or from the future).")
        try:
            data = json.loads(payload)
            return event_of(data)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValidationFailed("The payload is not a Stripe event.") from exc
