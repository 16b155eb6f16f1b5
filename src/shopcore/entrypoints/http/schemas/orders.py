"""Order schemas: the order with its tracking, the listing's query, checkout and status bodies."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shopcore.domain.order import Status
from shopcore.entrypoints.http.schemas.catalog import Amount, PageArgsSchema, Text
from shopcore.entrypoints.http.schemas.common import PageSchema

STATUSES = [status.value for status in Status]
MAX_KEY = 255
MAX_NOTE = 1000
MONEY = {"type": "string", "format": "decimal", "example": "129.00"}


class OrderItemSchema(Schema):
    """A product as it was bought: its name and unit price are snapshots."""

    product_id = fields.Integer(required=True)
    name = fields.String(required=True)
    unit_price = Amount(required=True, metadata=MONEY)
    quantity = fields.Integer(required=True)
    line_total = Amount(required=True, attribute="total", metadata=MONEY)


class StatusChangeSchema(Schema):
    """One step of the order's tracking: the status, when, who moved it and why."""

    status = fields.String(required=True, metadata={"enum": STATUSES})
    at = fields.DateTime(required=True)
    actor = fields.String(required=True, metadata={
        "description": "`user:<id>`, `staff:<id>`, `system` or the payment flow."})
    note = fields.String(required=True)


class OrderSchema(Schema):
    """An order; `allowed_transitions` are the statuses the caller may move it to."""

    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    items = fields.Nested(OrderItemSchema, many=True, required=True)
    total = Amount(required=True, metadata=MONEY)
    currency = fields.String(required=True, metadata={"example": "USD"})
    created_at = fields.DateTime(required=True)
    status_history = fields.Nested(StatusChangeSchema, many=True, required=True)
    allowed_transitions = fields.List(fields.String(metadata={"enum": STATUSES}),
                                      required=True)


class OrderPageSchema(PageSchema):
    results = fields.Nested(OrderSchema, many=True, required=True)


class OrderListArgsSchema(PageArgsSchema):
    """`?status=` keeps the orders of one status; an unknown status is 400."""

    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"enum": STATUSES})


class NoBodySchema(Schema):
    """No body, or an empty JSON object; any field is refused."""


class IdempotencyKeySchema(Schema):
    """The same key with the same body replays the first answer, for 24 hours."""

    idempotency_key = fields.String(
        data_key="Idempotency-Key", validate=validate.Length(min=1, max=MAX_KEY),
        metadata={"description": "1-255 characters, chosen by the client (a UUID, say); "
                                 "scoped to the user and the endpoint."})


class OrderStatusChangeSchema(Schema):
    """A staff move along the transition table, with an optional note for the tracking."""

    status = fields.String(required=True, validate=validate.OneOf(STATUSES),
                           metadata={"enum": STATUSES})
    note = Text(validate=validate.Length(max=MAX_NOTE),
                metadata={"description": f"Up to {MAX_NOTE} characters; empty by default."})
