"""A scriptable payment provider in memory: answers per payment method or per call, charges kept."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from dataclasses import dataclass, field, replace

from shopcore.domain.errors import InvalidPaymentMethod, PaymentProviderError
from shopcore.domain.money import Money
from shopcore.ports.payments import Charge, ChargeRequest, ChargeStatus, Refund


@dataclass(frozen=True)
class Outcome:
    """What the provider answers a charge: a status and, for a decline, its code and message."""

    status: ChargeStatus
    decline_code: str | None = None
    message: str | None = None


SUCCEED = Outcome(ChargeStatus.SUCCEEDED)
NEEDS_ACTION = Outcome(ChargeStatus.REQUIRES_ACTION)
DEFAULT_OUTCOMES: dict[str, Outcome] = {
    "pm_card_visa": SUCCEED, "pm_card_mastercard": SUCCEED, "pm_card_amex": SUCCEED,
    "pm_card_chargeDeclined": Outcome(ChargeStatus.FAILED, "generic_decline",
                                      "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": Outcome(
        ChargeStatus.FAILED, "insufficient_funds", "Your card has insufficient funds."),
    "pm_card_chargeDeclinedExpiredCard": Outcome(ChargeStatus.FAILED, "expired_card",
                                                 "Your card has expired."),
    "pm_card_chargeDeclinedIncorrectCvc": Outcome(
        ChargeStatus.FAILED, "incorrect_cvc", "Your card's security code is incorrect."),
    "pm_card_authenticationRequired": NEEDS_ACTION,
}


@dataclass
class MemoryGateway:
    """A PaymentGateway for tests and the in-memory shop, honouring the port's contract.

    `outcomes` answers by payment method (Stripe's test ids by default; an unknown one is
    InvalidPaymentMethod). `raise_next` makes the next calls of one operation raise, before
    anything happens; `charge_then_raise` charges and then raises, as a provider that took
    the money but whose answer never arrived. `calls` counts every call by operation.
    """

    name: str = "memory"
    outcomes: dict[str, Outcome] = field(default_factory=lambda: dict(DEFAULT_OUTCOMES))
    charges: dict[str, Charge] = field(default_factory=dict)
    refunds: dict[str, Refund] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    status: str = "up"
    _failures: dict[str, list[Exception]] = field(default_factory=dict, repr=False)
    _after_charge: list[Exception] = field(default_factory=list, repr=False)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def script(self, payment_method_id: str, outcome: Outcome) -> None:
        self.outcomes[payment_method_id] = outcome

    def raise_next(self, operation: str, *errors: Exception) -> None:
        """The next calls of `operation` ('charge', 'find', 'retrieve', 'refund') raise these."""
        self._failures.setdefault(operation, []).extend(errors)

    def charge_then_raise(self, error: Exception) -> None:
        self._after_charge.append(error)

    def _call(self, operation: str) -> None:
        self.calls[operation] += 1
        waiting = self._failures.get(operation)
        if waiting:
            raise waiting.pop(0)

    def charge(self, request: ChargeRequest) -> Charge:
        with self._lock:
            self._call("charge")
            found = self._find(request.order_id, request.attempt)
            if found is None:
                found = self._create(request)
            if self._after_charge:
                raise self._after_charge.pop(0)
            return found

    def _create(self, request: ChargeRequest) -> Charge:
        outcome = self.outcomes.get(request.payment_method_id)
        if outcome is None:
            unknown = f"No such PaymentMethod: '{request.payment_method_id}'."
            raise InvalidPaymentMethod(unknown, {"payment_method_id": [unknown]})
        reference = f"pi_mem_{next(self._ids)}"
        secret = (f"{reference}_secret" if outcome.status is ChargeStatus.REQUIRES_ACTION
                  else None)
        charge = Charge(reference, outcome.status, request.amount,
                        Money.zero(request.amount.currency), outcome.decline_code,
                        outcome.message, secret, request.order_id, request.attempt)
        self.charges[reference] = charge
        return charge

    def _find(self, order_id: int, attempt: int) -> Charge | None:
        return next((c for c in self.charges.values()
                     if c.order_id == order_id and c.attempt == attempt), None)

    def find(self, order_id: int, attempt: int) -> Charge | None:
        with self._lock:
            self._call("find")
            return self._find(order_id, attempt)

    def retrieve(self, reference: str) -> Charge:
        with self._lock:
            self._call("retrieve")
            if reference not in self.charges:
                raise PaymentProviderError(f"No such payment_intent: '{reference}'.")
            return self.charges[reference]

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> Refund:
        with self._lock:
            self._call("refund")
            if idempotency_key in self.refunds:
                return self.refunds[idempotency_key]
            charge = self.charges.get(reference)
            if charge is None or charge.status is not ChargeStatus.SUCCEEDED:
                raise PaymentProviderError(f"No succeeded charge '{reference}' to refund.")
            if charge.amount < charge.refunded + amount:
                raise PaymentProviderError(
                    f"Refund of {amount} is more than is left of charge '{reference}'.")
            self.charges[reference] = replace(charge, refunded=charge.refunded + amount)
            refund = Refund(f"re_mem_{next(self._ids)}", amount, "succeeded")
            self.refunds[idempotency_key] = refund
            return refund

    def settle_action(self, reference: str, succeeded: bool = True) -> Charge:
        """The customer finished (or failed) the action the charge required, at the provider."""
        with self._lock:
            charge = self.charges[reference]
            status = ChargeStatus.SUCCEEDED if succeeded else ChargeStatus.FAILED
            self.charges[reference] = replace(
                charge, status=status, client_secret=None,
                decline_code=None if succeeded else "authentication_required",
                message=None if succeeded else "The customer did not authenticate.")
            return self.charges[reference]

    def refund_at_provider(self, reference: str, amount: Money) -> Charge:
        """A refund made outside the shop (the provider's dashboard)."""
        with self._lock:
            charge = self.charges[reference]
            self.charges[reference] = replace(charge, refunded=charge.refunded + amount)
            return self.charges[reference]

    def check(self) -> str:
        return self.status
