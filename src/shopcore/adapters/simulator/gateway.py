"""The simulated Stripe: Stripe's test PaymentMethod ids, intents kept so look-ups and refunds work.

Intents are kept as Stripe's own PaymentIntent JSON (`intents`), read into the port's data by
the Stripe adapter's `objects` module and sent as the data of signed webhook events.
"""

from __future__ import annotations

import copy
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from shopcore.adapters.simulator import intents
from shopcore.adapters.simulator.cards import DECLINES, NEEDS_ACTION, is_known
from shopcore.adapters.simulator.intents import Json
from shopcore.adapters.simulator.store import FileIntents, Intents, IntentStore, MemoryIntents
from shopcore.adapters.simulator.webhooks import WebhookSender
from shopcore.adapters.stripe.money import MinorUnitsError, from_minor, to_minor
from shopcore.domain.errors import InvalidPaymentMethod, PaymentProviderError, ValidationFailed
from shopcore.domain.money import Money
from shopcore.ports.payments import Charge, ChargeRequest, Refund


def _minor(amount: Money) -> int:
    try:
        return to_minor(amount)
    except MinorUnitsError as exc:
        raise ValidationFailed(str(exc), {"amount": [str(exc)]}) from exc


class _Events(list[tuple[str, Json]]):
    """Events made inside a store transaction, copied then, sent once it is over."""

    def add(self, kind: str, obj: Json) -> None:
        self.append((kind, copy.deepcopy(obj)))


class SimulatedGateway:
    """Answers as Stripe's test mode would for its test cards, with no network at all.

    With `store_path` its intents live in a locked JSON file shared by every process of the
    shop; without, in this process's memory. A `requires_action` intent succeeds by itself
    `action_seconds` after it was made (never when 0 or less: `authenticate` does it then).
    """

    name = "simulator"

    def __init__(self, store_path: str | os.PathLike[str] | None = None,
                 webhook_url: str | None = None, webhook_secret: str | None = None,
                 action_seconds: float = 3.0, clock: Callable[[], float] = time.time) -> None:
        self.store: IntentStore = FileIntents(store_path) if store_path else MemoryIntents()
        self.webhooks = WebhookSender(webhook_url, webhook_secret)
        self.action_seconds, self.clock = action_seconds, clock

    def charge(self, request: ChargeRequest) -> Charge:
        method = request.payment_method_id
        if not is_known(method):
            unknown = f"No such PaymentMethod: '{method}'"
            raise InvalidPaymentMethod(unknown, {"payment_method_id": [unknown]})
        amount = _minor(request.amount)
        needs_action = method in NEEDS_ACTION
        events = _Events()
        with self.store.transaction() as state:
            self._complete_due(state, events)
            intent = self._find(state, request.order_id, request.attempt)
            if intent is None:
                intent = intents.new_intent(request, amount, self.clock())
                kind = (intents.require_action(intent) if needs_action
                        else intents.settle(intent, DECLINES.get(method)))
                events.add(kind, intent)
                completes = needs_action and self.action_seconds > 0
                due = self.clock() + self.action_seconds if completes else None
                state.put(intent["id"], {"intent": intent, "complete_at": due})
                if completes:
                    self._complete_later()
            answer = intents.charge_of(intent)
        self._send(events)
        return answer

    def find(self, order_id: int, attempt: int) -> Charge | None:
        found = self._read(lambda state: self._find(state, order_id, attempt))
        return None if found is None else intents.charge_of(found)

    def retrieve(self, reference: str) -> Charge:
        return intents.charge_of(self._read(lambda state: self._intent(state, reference)))

    def references(self) -> list[str]:
        """Every intent reference the simulator holds, oldest first (for tests and debugging)."""
        found: list[str] = self._read(lambda state: state.references())
        return found

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> Refund:
        minor = _minor(amount)
        events = _Events()
        with self.store.transaction() as state:
            self._complete_due(state, events)
            refund = state.refund(idempotency_key)
            if refund is None:  # a retry with the same key answers the first refund
                intent = self._intent(state, reference)
                refund = intents.refund(intent, minor)
                state.put_refund(idempotency_key, refund)
                events.add("charge.refunded", intent["latest_charge"])
        self._send(events)
        return Refund(refund["id"], from_minor(refund["amount"], refund["currency"]),
                      refund["status"])

    def authenticate(self, reference: str, succeed: bool = True) -> Charge:
        """Complete a `requires_action` intent as the customer would, on the bank's page."""
        events = _Events()
        with self.store.transaction() as state:
            intent = self._intent(state, reference)
            if intent["status"] == "requires_action":
                self._record(state, reference)["complete_at"] = None
                events.add(intents.settle(intent, None) if succeed
                           else intents.fail_authentication(intent), intent)
            answer = intents.charge_of(intent)
        self._send(events)
        return answer

    def complete_due(self) -> None:
        """Let every `requires_action` intent whose time has come succeed, with its webhook."""
        self._read(lambda state: None)

    def check(self) -> str:
        return "simulator"

    def _complete_later(self) -> None:
        # Another process may complete it first (on any read): the store decides once.
        timer = threading.Timer(self.action_seconds + 0.01, self.complete_due)
        timer.daemon = True
        timer.start()

    def _complete_due(self, state: Intents, events: _Events) -> None:
        for record in state.due(self.clock()):
            intent = record["intent"]
            if intent["status"] == "requires_action":
                record["complete_at"] = None
                events.add(intents.settle(intent, None), intent)

    def _read(self, look: Callable[[Intents], Any]) -> Any:
        events = _Events()
        with self.store.transaction() as state:
            self._complete_due(state, events)
            found = copy.deepcopy(look(state))
        self._send(events)
        return found

    @staticmethod
    def _find(state: Intents, order_id: int, attempt: int) -> Json | None:
        record = state.find(order_id, attempt)
        return None if record is None else record["intent"]

    @staticmethod
    def _record(state: Intents, reference: str) -> dict[str, Any]:
        record = state.get(reference)
        if record is None:
            raise PaymentProviderError(f"No such payment_intent: '{reference}'")
        return record

    def _intent(self, state: Intents, reference: str) -> Json:
        intent: Json = self._record(state, reference)["intent"]
        return intent

    def _send(self, events: _Events) -> None:
        for kind, obj in events:
            self.webhooks.send(kind, obj)
