"""The cart read model as the caches store it: compact JSON, amounts as decimal strings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from shopcore.domain.cart import CartItemView, CartProblem, CartView


def view_to_json(view: CartView) -> str:
    """The contract's cart JSON (API.md), byte for byte as the HTTP layer encodes it."""
    return orjson.dumps({
        "items": [{"product_id": i.product_id, "name": i.name, "unit_price": str(i.unit_price),
                   "quantity": i.quantity, "line_total": str(i.line_total)}
                  for i in view.items],
        "total": str(view.total), "currency": view.currency, "item_count": view.item_count,
        "problems": [{"product_id": p.product_id, "code": p.code, "message": p.message}
                     for p in view.problems],
    }).decode()


def view_from_json(body: str | bytes) -> CartView:
    """The view `view_to_json` stored; ValueError for anything else."""
    try:
        data: dict[str, Any] = orjson.loads(body)
        return CartView(
            items=[CartItemView(int(i["product_id"]), str(i["name"]), Decimal(i["unit_price"]),
                                int(i["quantity"]), Decimal(i["line_total"]))
                   for i in data["items"]],
            total=Decimal(data["total"]), currency=str(data["currency"]),
            item_count=int(data["item_count"]),
            problems=[CartProblem(int(p["product_id"]), str(p["code"]), str(p["message"]))
                      for p in data["problems"]])
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise ValueError(f"not a stored cart: {exc}") from exc
