"""The payment gateways the contract suite runs over, and what each provider can arrange.

A new gateway joins the suite with one line in FLAVOURS. What a stand-in cannot do is said in
its flavour: a case in `falls_short` runs as a strict xfail (it shows the stand-in answering
otherwise than Stripe); an arrangement a provider offers no means for is skipped with its reason.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from shopcore.adapters.memory.gateway import MemoryGateway
from shopcore.adapters.simulator.gateway import SimulatedGateway
from shopcore.adapters.stripe.gateway import StripeGateway, stripe_client
from shopcore.ports.payments import Charge, PaymentGateway
from tests.helpers import free_port

STRIPE_DECLINES = {
    "pm_card_chargeDeclined": "generic_decline",
    "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds",
    "pm_card_chargeDeclinedExpiredCard": "expired_card",
    "pm_card_chargeDeclinedIncorrectCvc": "incorrect_cvc",
}


@dataclass
class Provider:
    """A gateway under contract and the means to arrange what the cases need of its provider."""

    gateway: PaymentGateway
    pays: str = "pm_card_visa"
    declines: Mapping[str, str] = field(default_factory=lambda: dict(STRIPE_DECLINES))
    needs_action: str = "pm_card_authenticationRequired"
    authenticate: Callable[[Charge, bool], object] | None = None
    intents_of: Callable[[int], int] | None = None  # how many intents it holds for an order
    minor_amount: Callable[[str], int] | None = None  # the amount as the provider stores it
    unreachable: Callable[[], PaymentGateway] | None = None

    def able(self, what: str) -> Any:
        """The means `what`; a flavour without it must say so in `lacks`, so it is not run."""
        found = getattr(self, what)
        if found is None:
            pytest.fail(f"this provider has no {what}: add it to its flavour's `lacks`")
        return found


def in_memory(request: pytest.FixtureRequest) -> Provider:
    gateway = MemoryGateway()
    return Provider(gateway, authenticate=lambda c, ok: gateway.settle_action(c.reference, ok),
                    intents_of=lambda order: sum(1 for c in gateway.charges.values()
                                                 if c.order_id == order))


def simulator_in_memory(request: pytest.FixtureRequest) -> Provider:
    gateway = SimulatedGateway(action_seconds=0)
    return Provider(gateway, authenticate=lambda c, ok: gateway.authenticate(c.reference, ok),
                    intents_of=lambda order: simulated_intents(gateway, order),
                    minor_amount=lambda ref: simulated_amount(gateway, ref))


def simulator_on_a_file(request: pytest.FixtureRequest) -> Provider:
    tmp_path: Path = request.getfixturevalue("tmp_path")
    gateway = SimulatedGateway(store_path=tmp_path / "intents.json", action_seconds=0)
    (tmp_path / "a-file").write_text("")
    return Provider(gateway, authenticate=lambda c, ok: gateway.authenticate(c.reference, ok),
                    intents_of=lambda order: simulated_intents(gateway, order),
                    minor_amount=lambda ref: simulated_amount(gateway, ref),
                    unreachable=lambda: SimulatedGateway(tmp_path / "a-file" / "intents.json"))


def stripe_on_localstripe(request: pytest.FixtureRequest) -> Provider:
    url: str = request.getfixturevalue("localstripe")
    gateway = StripeGateway(stripe_client("sk_test_contract", url, 10.0))

    def card(number: str) -> str:
        return str(gateway.v1.payment_methods.create({"type": "card", "card": {
            "number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}).id)

    def authenticate(charge: Charge, succeed: bool) -> None:
        body = urllib.parse.urlencode({"client_secret": charge.client_secret, "key": "pk_test_x",
                                       "success": str(succeed).lower()}).encode()
        address = f"{url}/v1/payment_intents/{charge.reference}/_authenticate"
        urllib.request.urlopen(address, data=body, timeout=5).close()

    def intents_of(order: int) -> int:
        listed = gateway.v1.payment_intents.list({"limit": 100}).auto_paging_iter()
        return sum(1 for i in listed if i.metadata.to_dict().get("order_id") == str(order))

    closed = f"http://127.0.0.1:{free_port()}"
    # localstripe knows pm_card_visa alone and declines one test card, with card_declined.
    return Provider(gateway, declines={card("4000000000000341"): "card_declined"},
                    needs_action=card("4000002760003184"), authenticate=authenticate,
                    intents_of=intents_of,
                    minor_amount=lambda ref: int(gateway.v1.payment_intents.retrieve(ref).amount),
                    unreachable=lambda: StripeGateway(stripe_client("sk_test_x", closed, 2.0)))


def simulated_intents(gateway: SimulatedGateway, order: int) -> int:
    return sum(1 for ref in gateway.references() if gateway.retrieve(ref).order_id == order)


def simulated_amount(gateway: SimulatedGateway, reference: str) -> int:
    with gateway.store.transaction() as state:
        record = state.get(reference)
        assert record is not None
        return int(record["intent"]["amount"])


@dataclass(frozen=True)
class Flavour:
    name: str
    build: Callable[[pytest.FixtureRequest], Provider]
    falls_short: Mapping[str, str] = field(default_factory=dict)
    lacks: Mapping[str, str] = field(default_factory=dict)  # a means it has not, and why


FLAVOURS = [
    Flavour("memory", in_memory, lacks={
        "minor_amount": "it keeps Money; minor units exist only at a real boundary",
        "unreachable": "held in memory, nothing to reach"}),
    Flavour("simulator-in-memory", simulator_in_memory, lacks={
        "unreachable": "held in memory, nothing to reach"}),
    Flavour("simulator-on-a-file", simulator_on_a_file),
    Flavour("stripe-on-localstripe", stripe_on_localstripe, falls_short={
        "over-refund": "localstripe accepts a refund beyond what is left; Stripe refuses it"}),
]


def every_gateway(case: str = "", needs: str = "") -> pytest.MarkDecorator:
    """Run the test once per flavour with the means it `needs`; one that falls short of `case`
    is a strict xfail. (A flavour lacking the means is not run: it would only skip.)"""
    def marks(flavour: Flavour) -> list[pytest.MarkDecorator]:
        why = flavour.falls_short.get(case)
        return [pytest.mark.xfail(strict=True, reason=why)] if why else []

    return pytest.mark.parametrize("provider", [
        pytest.param(f, id=f.name, marks=marks(f)) for f in FLAVOURS if needs not in f.lacks],
        indirect=True)
