"""Payment schemas: the process body, an attempt, the listing, the refund body, the webhook."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from shopcore.domain.payment import PaymentStatus
from shopcore.entrypoints.http.schemas.catalog import MAX_ID, Amount
from shopcore.entrypoints.http.schemas.common import PageSchema, StrictInteger
from shopcore.entrypoints.http.schemas.orders import MONEY

STATUSES = [status.value for status in PaymentStatus]


class PaymentProcessSchema(Schema):
    """Pay one of your pending orders its total with a payment method (`pm_card_visa`, ...)."""

    order_id = StrictInteger(required=True, validate=validate.Range(min=1, max=MAX_ID))
    payment_method_id = fields.String(required=True, validate=validate.Length(min=1, max=255),
                                      metadata={"example": "pm_card_visa"})


class NextActionSchema(Schema):
    """What the browser needs to finish the payment (3-D Secure): Stripe.js's client secret."""

    client_secret = fields.String(required=True)


class PaymentSchema(Schema):
    """One payment attempt; `next_action` only while the customer must act."""

    id = fields.Integer(required=True)
    order_id = fields.Integer(required=True)
    amount = Amount(required=True, metadata=MONEY)
    currency = fields.String(required=True, metadata={"example": "USD"})
    status = fields.String(required=True, metadata={"enum": STATUSES})
    provider = fields.String(required=True, metadata={"example": "simulator"})
    provider_reference = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    next_action = fields.Nested(NextActionSchema)


class PaymentPageSchema(PageSchema):
    results = fields.Nested(PaymentSchema, many=True, required=True)


class RefundSchema(Schema):
    """How much to give back, in the order's currency; at most what is left to refund."""

    amount = Amount(required=True, metadata=MONEY)


class WebhookEventSchema(Schema):
    """A Stripe event as Stripe sends it; every other field of it is taken as it comes."""

    class Meta:
        unknown = INCLUDE

    id = fields.String(metadata={"example": "evt_1NG8Du2eZvKYlo2CUI79vXWy"})
    type = fields.String(metadata={"example": "payment_intent.succeeded"})
    data = fields.Dict()


class WebhookAnswerSchema(Schema):
    """What became of the event: applied, duplicate (seen before) or ignored."""

    event_id = fields.String(required=True)
    outcome = fields.String(required=True, metadata={
        "enum": ["applied", "duplicate", "ignored"]})
