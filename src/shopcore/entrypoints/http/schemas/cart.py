"""Cart schemas: the priced cart, and the bodies that add to it or change a line."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from shopcore.domain.cart import MAX_LINE_QUANTITY, CartView
from shopcore.entrypoints.http.schemas.catalog import MAX_ID
from shopcore.entrypoints.http.schemas.common import StrictInteger

MONEY = {"type": "string", "format": "decimal", "example": "12.50"}


def money(description: str) -> fields.String:
    """A decimal string with two places, as the cart's read model already holds it."""
    return fields.String(required=True, metadata={**MONEY, "description": description})


class CartItemSchema(Schema):
    """A line at today's price."""

    product_id = fields.Integer(required=True)
    name = fields.String(required=True)
    unit_price = money("Today's price of one unit.")
    quantity = fields.Integer(required=True)
    line_total = money("unit_price times quantity.")


class CartProblemSchema(Schema):
    """Something that changed since the line was added."""

    product_id = fields.Integer(required=True)
    code = fields.String(required=True, metadata={
        "enum": ["price_changed", "out_of_stock", "unavailable"]})
    message = fields.String(required=True)


class CartSchema(Schema):
    """The caller's cart; a line whose product is gone appears only in `problems`."""

    items = fields.Nested(CartItemSchema, many=True, required=True)
    total = money("Sum of the line totals.")
    currency = fields.String(required=True, metadata={"example": "USD"})
    item_count = fields.Integer(required=True, metadata={"description": "Number of units."})
    problems = fields.Nested(CartProblemSchema, many=True, required=True)


def cart_body(view: CartView) -> dict[str, Any]:
    """CartSchema's shape built in one pass: a big cart is not dumped line by line."""
    return {
        "items": [{"product_id": i.product_id, "name": i.name, "unit_price": str(i.unit_price),
                   "quantity": i.quantity, "line_total": str(i.line_total)}
                  for i in view.items],
        "total": str(view.total),
        "currency": view.currency,
        "item_count": view.item_count,
        "problems": [{"product_id": p.product_id, "code": p.code, "message": p.message}
                     for p in view.problems],
    }


class CartAddSchema(Schema):
    """Units of a product to add (to its line, when it has one)."""

    product_id = StrictInteger(required=True, validate=validate.Range(min=1, max=MAX_ID))
    quantity = StrictInteger(required=True, validate=validate.Range(min=1, max=MAX_LINE_QUANTITY))


class CartItemChangeSchema(Schema):
    """A line's new quantity; 0 removes the line."""

    quantity = StrictInteger(required=True, validate=validate.Range(min=0, max=MAX_LINE_QUANTITY))
