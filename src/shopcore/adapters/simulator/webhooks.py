"""The simulator's webhooks: Stripe's event JSON, signed as Stripe signs, posted from a thread."""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import urllib.request
from typing import Any

from shopcore.adapters.stripe.objects import API_VERSION
from shopcore.adapters.stripe.webhooks import sign

log = logging.getLogger(__name__)

DELAY_SECONDS = 0.05
TIMEOUT_SECONDS = 5.0


def event_json(kind: str, obj: dict[str, Any]) -> bytes:
    """A Stripe Event about `obj` (a PaymentIntent or a Charge, as Stripe's JSON)."""
    return json.dumps({
        "id": f"evt_sim_{secrets.token_hex(12)}", "object": "event", "type": kind,
        "api_version": API_VERSION, "created": int(time.time()), "livemode": False,
        "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
        "data": {"object": obj}}).encode()


class WebhookSender:
    """Posts events to the shop's webhook endpoint shortly after the call that caused them.

    From a daemon thread, so an event can overtake the API answer as Stripe's do; a failed
    delivery is logged and never raised (Stripe would retry; a lost event is what
    reconciliation repairs).
    """

    def __init__(self, url: str | None, secret: str | None,
                 delay_seconds: float = DELAY_SECONDS) -> None:
        if url and not url.startswith(("http://", "https://")):
            raise ValueError(f"A webhook URL is http or https, not {url!r}.")
        self.url, self.secret, self.delay_seconds = url, secret, delay_seconds
        if url and not secret:
            log.warning("The payment simulator sends no webhooks: it has no webhook secret.")

    def send(self, kind: str, obj: dict[str, Any]) -> None:
        if not self.url or not self.secret:
            return
        payload = event_json(kind, obj)
        threading.Thread(target=self._post, args=(self.url, self.secret, kind, payload),
                         name="simulator-webhook", daemon=True).start()

    def _post(self, url: str, secret: str, kind: str, payload: bytes) -> None:
        time.sleep(self.delay_seconds)
        request = urllib.request.Request(url, data=payload, method="POST", headers={  # noqa: S310
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": sign(payload, secret)})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
                answer.read()
        except Exception as exc:  # a webhook that fails is logged, never raised
            log.warning("The simulator's %s webhook to %s failed: %s", kind, url, exc)
