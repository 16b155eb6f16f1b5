"""The Stripe adapter: PaymentIntents through stripe-python, the one module importing `stripe`.

Every call sends an explicit API version, has connect and read timeouts and no automatic
retries (a retry is ours to make, with the same idempotency key), and every Stripe error
leaves as a port answer or a domain error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import stripe

from shopcore.adapters.stripe.money import MinorUnitsError, from_minor, to_minor
from shopcore.adapters.stripe.objects import API_VERSION, charge_of_intent, metadata_of
from shopcore.domain.errors import (
    InvalidPaymentMethod,
    PaymentProviderError,
    PaymentProviderUnavailable,
    ValidationFailed,
)
from shopcore.domain.money import Money
from shopcore.ports.payments import Charge, ChargeRequest, Refund

CONNECT_SECONDS = 3.0
CHECK_SECONDS = 2.0
LISTED_AT_MOST = 1000  # intents scanned by the fallback look-up, newest first on Stripe
REFUND_KEY = "shopcore_refund_key"


@dataclass(frozen=True)
class StripeClients:
    """Two configured clients: one for payments, one with a short timeout for readiness."""

    api: stripe.StripeClient
    probe: stripe.StripeClient


def _client(secret_key: str, api_base: str | None, timeout: float) -> stripe.StripeClient:
    http = stripe.RequestsClient(timeout=(min(CONNECT_SECONDS, timeout), timeout))
    return stripe.StripeClient(
        secret_key, stripe_version=API_VERSION, max_network_retries=0, http_client=http,
        base_addresses={"api": api_base.rstrip("/")} if api_base else {})


def stripe_client(secret_key: str, api_base: str | None, timeout_seconds: float) -> StripeClients:
    """The clients for `StripeGateway`; `api_base` points them at a stand-in (localstripe)."""
    return StripeClients(_client(secret_key, api_base, timeout_seconds),
                         _client(secret_key, api_base, min(CHECK_SECONDS, timeout_seconds)))


def _error(exc: stripe.StripeError) -> Exception:
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError):
        return PaymentProviderUnavailable("Stripe could not be reached in time; try again later.")
    return PaymentProviderError(f"Stripe answered {exc.http_status}: {exc.user_message}")


@contextlib.contextmanager
def _answers() -> Iterator[None]:
    """Stripe's errors as the port's: unavailable (connection, timeout, rate limit) or erring."""
    try:
        yield
    except stripe.StripeError as exc:
        raise _error(exc) from exc


def _minor(amount: Money) -> int:
    try:
        return to_minor(amount)
    except MinorUnitsError as exc:
        raise ValidationFailed(str(exc), {"amount": [str(exc)]}) from exc


def _charge_of(intent: Any) -> Charge:
    data: dict[str, Any] = intent if isinstance(intent, dict) else intent.to_dict()
    latest = data.get("latest_charge")
    refunded = int(latest.get("amount_refunded") or 0) if isinstance(latest, dict) else 0
    return charge_of_intent(data, refunded)


def _metadata(obj: Any) -> dict[str, Any]:
    metadata = getattr(obj, "metadata", None)
    return metadata.to_dict() if metadata is not None else {}


def _refund_of(refund: Any) -> Refund:
    return Refund(str(refund.id), from_minor(int(refund.amount), str(refund.currency)),
                  str(refund.status))


class StripeGateway:
    """Charges through Stripe's PaymentIntents: create and confirm in one call, in minor units."""

    name = "stripe"

    def __init__(self, client: StripeClients, shop: str = "") -> None:
        # `shop` scopes idempotency keys and the metadata look-up to this shop, so shops that
        # share a Stripe account (developers in test mode, staging) never take each other's.
        self.clients, self.shop = client, shop
        self.v1 = client.api.v1
        self._searchable = True

    def charge(self, request: ChargeRequest) -> Charge:
        found = self.find(request.order_id, request.attempt)
        if found is not None:
            return found
        params: Any = {
            "amount": _minor(request.amount), "currency": request.amount.currency.lower(),
            "payment_method": request.payment_method_id, "confirm": True,
            "payment_method_types": ["card"],
            "metadata": metadata_of(request.order_id, request.attempt, request.user_id,
                                    self.shop)}
        with _answers():
            try:
                intent = self.v1.payment_intents.create(
                    params, {"idempotency_key": self._scoped(request.idempotency_key)})
            except stripe.CardError as exc:
                return self._declined(exc, request)
            except stripe.InvalidRequestError as exc:
                if exc.http_status == 404 or exc.param == "payment_method":
                    raise self._unknown_method(request) from exc
                raise
        return _charge_of(intent)

    @staticmethod
    def _unknown_method(request: ChargeRequest) -> InvalidPaymentMethod:
        unknown = f"No such PaymentMethod: '{request.payment_method_id}'"
        return InvalidPaymentMethod(unknown, {"payment_method_id": [unknown]})

    def _declined(self, exc: stripe.CardError, request: ChargeRequest) -> Charge:
        """A decline, read from the intent Stripe names in the error (localstripe: its charge)."""
        error = exc.error
        if error is not None and error.payment_intent is not None:
            return _charge_of(error.payment_intent)
        if error is not None and error.charge:
            charge = self.v1.charges.retrieve(error.charge)
            if charge.payment_intent:
                return self.retrieve(str(charge.payment_intent))
        found = self.find(request.order_id, request.attempt)
        if found is None:
            raise PaymentProviderError(f"Stripe declined the card, naming no intent: {exc}")
        return found

    def _scoped(self, key: str) -> str:
        return f"{self.shop}-{key}" if self.shop else key

    def find(self, order_id: int, attempt: int) -> Charge | None:
        wanted = {"order_id": str(order_id), "attempt": str(attempt)}
        if self.shop:
            wanted["shop"] = self.shop
        with _answers():
            for intent in self._intents_of(order_id, attempt):
                if wanted.items() <= _metadata(intent).items():
                    return _charge_of(intent)
        return None

    def _intents_of(self, order_id: int, attempt: int) -> Iterator[Any]:
        # Search lags writes by up to a minute: a retry inside that window is caught by the
        # idempotency key instead. Stand-ins without search (localstripe: 404) get a listing.
        if self._searchable:
            query = f"metadata['order_id']:'{order_id}' AND metadata['attempt']:'{attempt}'"
            if self.shop:
                query += f" AND metadata['shop']:'{self.shop}'"
            try:
                yield from self.v1.payment_intents.search(
                    {"query": query, "limit": 10, "expand": ["data.latest_charge"]}).data
                return
            except stripe.InvalidRequestError as exc:
                if exc.http_status != 404:
                    raise
                self._searchable = False
        listed = self.v1.payment_intents.list({"limit": 100, "expand": ["data.latest_charge"]})
        for seen, intent in enumerate(listed.auto_paging_iter()):
            if seen >= LISTED_AT_MOST:
                return
            yield intent

    def retrieve(self, reference: str) -> Charge:
        with _answers():
            return _charge_of(self.v1.payment_intents.retrieve(
                reference, {"expand": ["latest_charge"]}))

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> Refund:
        minor, idempotency_key = _minor(amount), self._scoped(idempotency_key)
        with _answers():
            # Idempotency keys expire after a day and stand-ins ignore them: the key kept in
            # the refund's metadata finds a refund already made for this request.
            for made in self.v1.refunds.list(
                    {"payment_intent": reference, "limit": 100}).auto_paging_iter():
                if _metadata(made).get(REFUND_KEY) == idempotency_key:
                    return _refund_of(made)
            return _refund_of(self.v1.refunds.create(
                {"payment_intent": reference, "amount": minor,
                 "metadata": {REFUND_KEY: idempotency_key}},
                {"idempotency_key": idempotency_key}))

    def check(self) -> str:
        try:
            self.clients.probe.v1.payment_intents.list({"limit": 1})
        except stripe.StripeError:
            return "down"
        return "up"
