"""Orders: checkout, history, tracking, cancel, staff status changes."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from shopcore.application.viewer import Viewer
from shopcore.domain.order import Actor, Order
from shopcore.entrypoints.http.auth import login_required, staff_required, viewer
from shopcore.entrypoints.http.blueprint import Parser, blueprint
from shopcore.entrypoints.http.context import shop
from shopcore.entrypoints.http.pagination import envelope, page_request
from shopcore.entrypoints.http.replay import answered_once
from shopcore.entrypoints.http.schemas.catalog import MAX_ID
from shopcore.entrypoints.http.schemas.orders import (
    IdempotencyKeySchema,
    NoBodySchema,
    OrderListArgsSchema,
    OrderPageSchema,
    OrderSchema,
    OrderStatusChangeSchema,
)
from shopcore.entrypoints.http.schemas.payments import RefundSchema

blp = blueprint("orders", __name__, url_prefix="/api/orders", description="Orders")

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
ORDER_ID = f"<int(max={MAX_ID}):order_id>"
CREATE_ENDPOINT = "orders.create"
NO_BODY = {"requestBody": {"required": False, "content": {
    "application/json": {"schema": NoBodySchema}}}}
PARSER = Parser()


def order_view(order: Order, viewer: Viewer) -> dict[str, Any]:
    """The order as OrderSchema dumps it, with the transitions open to this viewer."""
    actor = Actor.STAFF if viewer.is_staff else Actor.OWNER
    return {"id": order.id, "status": order.status, "items": order.lines,
            "total": order.total, "currency": order.currency, "created_at": order.created_at,
            "status_history": order.history,
            "allowed_transitions": order.allowed_transitions(actor)}


def _no_body() -> dict[str, Any]:
    """No body or `{}`; anything else is 400, in the shape @blp.arguments gives."""
    if not request.get_data(cache=True):
        return {}
    data: dict[str, Any] = PARSER.parse(NoBodySchema(), location="json")
    return data


@blp.route("/")
class Orders(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER)
    @blp.arguments(OrderListArgsSchema, location="query")
    @blp.response(200, OrderPageSchema)
    @blp.errors(400, 401, 404)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The caller's own orders, newest first; `?status=` keeps one status."""
        caller = viewer()
        page = shop().list_orders(user_id=caller.user_id, page=page_request(),
                                       status=args.get("status"))
        return envelope(page, results=[order_view(order, caller) for order in page.items])


@blp.route("/create/")
class OrderCreate(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER, **NO_BODY)
    @blp.arguments(IdempotencyKeySchema, location="headers")
    @blp.response(201, OrderSchema)
    @blp.errors(400, 401, 409, 413, 415)
    def post(self, headers: dict[str, Any]) -> Response:
        """Check out the cart: a pending order, stock reserved, the cart emptied.

        An empty cart is 400; stock short is 409 naming each product (`errors.items`).
        With an `Idempotency-Key`, a retry gets the first answer again (errors included).
        """
        caller, body = viewer(), _no_body()
        return answered_once(
            CREATE_ENDPOINT, headers.get("idempotency_key"), body,
            lambda: shop().place_order(user_id=caller.user_id),
            201, lambda order: OrderSchema().dump(order_view(order, caller)))


@blp.route(f"/{ORDER_ID}/")
class OrderItem(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER)
    @blp.response(200, OrderSchema)
    @blp.errors(401, 404)
    def get(self, order_id: int) -> dict[str, Any]:
        """One order with its tracking (`status_history`); the owner's or, for staff, any."""
        caller = viewer()
        return order_view(shop().get_order(order_id=order_id, viewer=caller), caller)


@blp.route(f"/{ORDER_ID}/cancel/")
class OrderCancel(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER, **NO_BODY)
    @blp.response(200, OrderSchema)
    @blp.errors(400, 401, 404, 409, 413, 415, 502, 503)
    def post(self, order_id: int) -> dict[str, Any]:
        """Cancel a pending or paid order (owner or staff); its stock goes back on sale.

        A paid order is refunded in full first; if the provider refuses, it stays paid (502).
        """
        _no_body()
        caller = viewer()
        return order_view(shop().cancel_order(order_id=order_id, viewer=caller), caller)


@blp.route(f"/{ORDER_ID}/status/")
class OrderStatus(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER)
    @staff_required
    @blp.arguments(OrderStatusChangeSchema)
    @blp.response(200, OrderSchema)
    @blp.errors(400, 401, 403, 404, 409, 413, 415, 502, 503)
    def post(self, data: dict[str, Any], order_id: int) -> dict[str, Any]:
        """Move an order along the transition table (staff); 409 for a move not in it."""
        caller = viewer()
        order = shop().change_order_status(order_id=order_id, viewer=caller, **data)
        return order_view(order, caller)


@blp.route(f"/{ORDER_ID}/refund/")
class OrderRefund(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER)
    @staff_required
    @blp.arguments(RefundSchema)
    @blp.response(200, OrderSchema)
    @blp.errors(400, 401, 403, 404, 409, 413, 415, 502, 503)
    def post(self, data: dict[str, Any], order_id: int) -> dict[str, Any]:
        """Give back part or all of what was paid (staff); all of it makes the order refunded.

        More than is left to refund is 409; zero or less is 400.
        """
        caller = viewer()
        order = shop().refund_order(order_id=order_id, amount=data["amount"], viewer=caller)
        return order_view(order, caller)
