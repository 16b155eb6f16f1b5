"""Reconciliation: attempts left open are asked of the provider and settled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from shopcore.application.settlement import apply_charge
from shopcore.domain.errors import DomainError
from shopcore.domain.money import Money
from shopcore.domain.payment import PaymentStatus
from shopcore.ports.clock import Clock
from shopcore.ports.payments import Charge, ChargeStatus, PaymentGateway
from shopcore.ports.unit_of_work import UnitOfWork

WAITING = "waiting"
UNREACHABLE = "unreachable"
SETTLED = {PaymentStatus.SUCCEEDED: "paid", PaymentStatus.FAILED: "failed"}


@dataclass(frozen=True)
class Settled:
    """One attempt reconciled: its order, where it ended ('paid', 'failed', 'waiting', ...)."""

    payment_id: int
    order_id: int
    attempt: int
    outcome: str
    detail: str = ""


@dataclass
class Reconciliation:
    """Every attempt looked at, and how many ended each way."""

    attempts: list[Settled] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for a in self.attempts if a.outcome == outcome)


@dataclass
class ReconcilePayments:
    """Ask the provider about attempts open for longer than `older_than`, and settle each.

    Each attempt is its own short transaction, settled the way a webhook would be (only
    ever forward), so it is safe beside a serving shop and beside its webhooks.
    """

    uow: UnitOfWork
    gateway: PaymentGateway
    clock: Clock
    older_than: timedelta = timedelta(minutes=15)

    def __call__(self, *, limit: int = 500) -> Reconciliation:
        with self.uow:
            ids = list(self.uow.payments.open_before(self.clock.now() - self.older_than, limit))
        result = Reconciliation()
        for payment_id in ids:
            result.attempts.append(self._settle(payment_id))
        return result

    def _settle(self, payment_id: int) -> Settled:
        with self.uow:
            payment = self.uow.payments.get(payment_id)
        assert payment is not None
        ask = Settled(payment_id, payment.order_id, payment.attempt, WAITING)
        try:
            charge: Charge | None = (
                self.gateway.retrieve(payment.provider_reference) if payment.provider_reference
                else self.gateway.find(payment.order_id, payment.attempt))
        except DomainError as exc:
            return Settled(ask.payment_id, ask.order_id, ask.attempt, UNREACHABLE, exc.message)
        if charge is None:
            # The provider never saw it: the call never left us, so nothing was charged.
            charge = Charge("", ChargeStatus.FAILED, payment.amount,
                            Money.zero(payment.amount.currency),
                            message="The provider has no charge for this attempt.")
        with self.uow:
            settled = apply_charge(self.uow, payment_id, charge, self.clock.now())
            self.uow.commit()
        outcome = SETTLED.get(settled.status, WAITING)
        detail = (settled.decline_message or "") if outcome == "failed" else ""
        return Settled(ask.payment_id, ask.order_id, ask.attempt, outcome, detail)

