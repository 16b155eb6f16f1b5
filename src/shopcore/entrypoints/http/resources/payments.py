"""Payments: pay an order, list your attempts, and the provider's signed webhook."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from shopcore.domain.payment import Payment
from shopcore.entrypoints.http.auth import login_required, viewer
from shopcore.entrypoints.http.blueprint import blueprint
from shopcore.entrypoints.http.context import shop
from shopcore.entrypoints.http.pagination import envelope, page_request
from shopcore.entrypoints.http.replay import answered_once
from shopcore.entrypoints.http.schemas.catalog import PageArgsSchema
from shopcore.entrypoints.http.schemas.orders import IdempotencyKeySchema
from shopcore.entrypoints.http.schemas.payments import (
    PaymentPageSchema,
    PaymentProcessSchema,
    PaymentSchema,
    WebhookAnswerSchema,
    WebhookEventSchema,
)

blp = blueprint("payments", __name__, url_prefix="/api/payments", description="Payments")

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
PROCESS_ENDPOINT = "payments.process"
SIGNATURE = "Stripe-Signature"


def payment_view(payment: Payment) -> dict[str, Any]:
    """The attempt as PaymentSchema dumps it."""
    view: dict[str, Any] = {
        "id": payment.id, "order_id": payment.order_id, "amount": payment.amount,
        "currency": payment.amount.currency, "status": payment.status,
        "provider": payment.provider, "provider_reference": payment.provider_reference,
        "created_at": payment.created_at}
    if payment.client_secret:
        view["next_action"] = {"client_secret": payment.client_secret}
    return view


@blp.route("/")
class Payments(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, PaymentPageSchema)
    @blp.errors(400, 401, 404)
    def get(self, _args: dict[str, Any]) -> dict[str, Any]:
        """Your own payment attempts, failed ones included, newest first."""
        page = shop().list_payments(user_id=viewer().user_id, page=page_request())
        return envelope(page, results=[payment_view(p) for p in page.items])


@blp.route("/process/")
class PaymentProcess(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER)
    @blp.arguments(IdempotencyKeySchema, location="headers")
    @blp.arguments(PaymentProcessSchema)
    @blp.response(201, PaymentSchema)
    @blp.errors(400, 401, 402, 404, 409, 413, 415, 502, 503)
    def post(self, headers: dict[str, Any], data: dict[str, Any]) -> Any:
        """Pay a pending order its total: `succeeded`, or `requires_action` with `next_action`.

        A declined card is 402 with the reason, and the order stays payable; an order that
        is not pending is 409. With an `Idempotency-Key`, a retry gets the first answer again
        (a 402 included).
        """
        caller = viewer()
        return answered_once(
            PROCESS_ENDPOINT, headers.get("idempotency_key"), data,
            lambda: shop().process_payment(user_id=caller.user_id, **data),
            201, lambda payment: PaymentSchema().dump(payment_view(payment)))


@blp.route("/webhook/")
class PaymentWebhook(MethodView):
    @blp.doc(parameters=[{"in": "header", "name": SIGNATURE, "required": True,
                          "schema": {"type": "string"},
                          "description": "Stripe's signature: `t=<time>,v1=<HMAC-SHA256>`."}])
    @blp.arguments(WebhookEventSchema)
    @blp.response(200, WebhookAnswerSchema)
    @blp.errors(400, 413, 415)
    def post(self, _event: dict[str, Any]) -> Any:
        """The payment provider's signed event; each event id is handled once.

        A missing, bad or stale signature is 400 and changes nothing, as is any event when
        no webhook secret is configured. Unknown event types are acknowledged and ignored.
        """
        outcome = shop().handle_webhook(payload=request.get_data(cache=True),
                                        signature=request.headers.get(SIGNATURE))
        return {"event_id": outcome.event_id, "outcome": outcome.outcome}
