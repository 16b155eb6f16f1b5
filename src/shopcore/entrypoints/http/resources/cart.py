"""Cart: view, add, change, remove, clear; each user has one, and sees only that one."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.views import MethodView

from shopcore.domain.cart import CartView
from shopcore.entrypoints.http.auth import login_required, viewer
from shopcore.entrypoints.http.blueprint import blueprint
from shopcore.entrypoints.http.context import shop
from shopcore.entrypoints.http.schemas.cart import (
    CartAddSchema,
    CartItemChangeSchema,
    CartSchema,
    cart_body,
)
from shopcore.entrypoints.http.schemas.catalog import MAX_ID

blp = blueprint("cart", __name__, url_prefix="/api/cart", description="The caller's cart")

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
WRITE_ERRORS = (400, 401, 404, 409, 413, 415)
PRODUCT_ID = f"<int(max={MAX_ID}):product_id>"


def _cart(view: CartView) -> Response:
    """The cart a use case answered for the caller, as JSON.

    `cart_body` builds the contract's shape (CartSchema documents it) in one pass rather
    than a marshmallow dump per line: a big cart costs one pass, not two.
    """
    return jsonify(cart_body(view))


@blp.route("/")
class Cart(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER)
    @blp.response(200, CartSchema)
    @blp.errors(401)
    def get(self) -> Response:
        """The cart at today's prices, with what changed since each line was added."""
        found = shop().get_cart.encoded_or_view(user_id=viewer().user_id)
        if isinstance(found, bytes):  # a cache hit is sent on as stored, as jsonify frames it
            return Response(found + b"\n", mimetype="application/json")
        return _cart(found)

    @blp.doc(security=BEARER)
    @blp.response(204)
    @blp.errors(401)
    def delete(self) -> None:
        """Empty the cart."""
        shop().clear_cart(user_id=viewer().user_id)


@blp.route("/add/")
class CartAdd(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER)
    @blp.arguments(CartAddSchema)
    @blp.response(200, CartSchema)
    @blp.errors(*WRITE_ERRORS)
    def post(self, data: dict[str, Any]) -> Response:
        """Add units of a product; 404 for an unknown product, 409 beyond its stock."""
        return _cart(shop().add_to_cart(user_id=viewer().user_id, **data))


@blp.route(f"/items/{PRODUCT_ID}/")
class CartItem(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER)
    @blp.arguments(CartItemChangeSchema)
    @blp.response(200, CartSchema)
    @blp.errors(*WRITE_ERRORS)
    def patch(self, data: dict[str, Any], product_id: int) -> Response:
        """Set a line's quantity (0 removes it); 404 when it is not in the cart."""
        return _cart(shop().change_cart_item(user_id=viewer().user_id,
                                              product_id=product_id, **data))

    @blp.doc(security=BEARER)
    @blp.response(200, CartSchema)
    @blp.errors(401, 404)
    def delete(self, product_id: int) -> Response:
        """Take a line out of the cart; 404 when it is not in the cart."""
        return _cart(shop().remove_cart_item(user_id=viewer().user_id,
                                              product_id=product_id))
