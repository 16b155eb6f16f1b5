"""Provider webhooks: verified, handled once per event id, settling whichever attempt they name."""

from __future__ import annotations

from dataclasses import dataclass

from shopcore.application.settlement import apply_charge
from shopcore.domain.payment import Payment
from shopcore.ports.clock import Clock
from shopcore.ports.payments import Charge, ProviderEventType, WebhookVerifier
from shopcore.ports.unit_of_work import UnitOfWork

CONSUMER = "payments.webhook"
HANDLED = frozenset(ProviderEventType)


@dataclass(frozen=True)
class WebhookOutcome:
    """What became of one event: 'applied', 'duplicate', 'ignored' (type or payment unknown)."""

    event_id: str
    outcome: str


def find_payment(uow: UnitOfWork, charge: Charge) -> Payment | None:
    """By the provider's reference, or by the order and attempt of the charge's metadata.

    The second finds an attempt whose webhook overtook our own record of the reference.
    """
    found = uow.payments.by_reference(charge.reference)
    if found is None and charge.order_id is not None and charge.attempt is not None:
        found = uow.payments.by_attempt(charge.order_id, charge.attempt)
    return found


@dataclass
class HandleWebhook:
    """Verify a webhook and apply it once; never moves a payment or its order backwards.

    An event may come before, during or long after the API call that caused it, twice or
    out of order: each only moves an attempt forward, so any order of them ends the same.
    """

    uow: UnitOfWork
    verifier: WebhookVerifier
    clock: Clock

    def __call__(self, *, payload: bytes, signature: str | None) -> WebhookOutcome:
        event = self.verifier.verify(payload, signature)
        now = self.clock.now()
        with self.uow:
            if self.uow.processed_events.seen(CONSUMER, event.id):
                return WebhookOutcome(event.id, "duplicate")
            outcome = "ignored"
            found = (find_payment(self.uow, event.charge)
                     if event.type in HANDLED and event.charge is not None else None)
            if found is not None and event.charge is not None:
                assert found.id is not None
                apply_charge(self.uow, found.id, event.charge, now)
                outcome = "applied"
            self.uow.processed_events.add(CONSUMER, event.id, now)
            self.uow.commit()
        return WebhookOutcome(event.id, outcome)
