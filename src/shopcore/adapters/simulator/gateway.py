"""The simulated Stripe: Stripe's test PaymentMethod ids, intents kept so look-ups and refunds work.

A first cut (in-process intents, no webhooks yet); the payments issue grows it.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from shopcore.domain.errors import InvalidPaymentMethod
from shopcore.domain.money import Money
from shopcore.ports.payments import Charge, ChargeRequest, ChargeStatus, Refund

SUCCEEDS = frozenset({"pm_card_visa", "pm_card_mastercard", "pm_card_amex"})
DECLINES = {
    "pm_card_chargeDeclined": ("generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": ("insufficient_funds",
                                                "Your card has insufficient funds."),
    "pm_card_chargeDeclinedExpiredCard": ("expired_card", "Your card has expired."),
    "pm_card_chargeDeclinedIncorrectCvc": ("incorrect_cvc",
                                           "Your card's security code is incorrect."),
}
NEEDS_ACTION = frozenset({"pm_card_authenticationRequired"})


@dataclass
class _Intent:
    charge: Charge
    order_id: int
    attempt: int


@dataclass
class SimulatedGateway:
    """Answers as Stripe's test mode would for its test cards, with no network at all."""

    store_path: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    action_seconds: float = 3.0
    name: str = "simulator"
    _intents: dict[str, _Intent] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def charge(self, request: ChargeRequest) -> Charge:
        found = self.find(request.order_id, request.attempt)
        if found is not None:
            return found
        method = request.payment_method_id
        if method not in SUCCEEDS and method not in DECLINES and method not in NEEDS_ACTION:
            unknown = f"No such PaymentMethod: '{method}'."
            raise InvalidPaymentMethod(unknown, {"payment_method_id": [unknown]})
        reference = f"pi_sim_{secrets.token_hex(12)}"
        zero = Money.zero(request.amount.currency)
        where: dict[str, Any] = {"order_id": request.order_id, "attempt": request.attempt}
        if method in SUCCEEDS:
            charge = Charge(reference, ChargeStatus.SUCCEEDED, request.amount, zero, **where)
        elif method in NEEDS_ACTION:
            charge = Charge(reference, ChargeStatus.REQUIRES_ACTION, request.amount, zero,
                            client_secret=f"{reference}_secret_{secrets.token_hex(8)}", **where)
        else:
            code, message = DECLINES[method]
            charge = Charge(reference, ChargeStatus.FAILED, request.amount, zero,
                            decline_code=code, message=message, **where)
        with self._lock:
            self._intents[reference] = _Intent(charge, request.order_id, request.attempt)
        return charge

    def find(self, order_id: int, attempt: int) -> Charge | None:
        with self._lock:
            return next((i.charge for i in self._intents.values()
                         if i.order_id == order_id and i.attempt == attempt), None)

    def retrieve(self, reference: str) -> Charge:
        with self._lock:
            intent = self._intents.get(reference)
        if intent is None:
            raise InvalidPaymentMethod(f"No such payment_intent: '{reference}'.")
        return intent.charge

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> Refund:
        with self._lock:
            intent = self._intents[reference]
            intent.charge = replace(intent.charge, refunded=intent.charge.refunded + amount)
        return Refund(f"re_sim_{secrets.token_hex(12)}", amount, "succeeded")

    def check(self) -> str:
        return "simulator"
