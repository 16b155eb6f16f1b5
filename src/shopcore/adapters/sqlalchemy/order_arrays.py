"""An order's PostgreSQL writes in one statement each: lines and changes passed as arrays.

One SQL text serves any number of lines and history rows (data-modifying CTEs over
`unnest` of the arrays); SQLite runs the plain INSERTs and UPDATE of orders.py instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, String, Text, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY

from shopcore.adapters.sqlalchemy.mappers import to_cents
from shopcore.adapters.sqlalchemy.prepared import Prepared
from shopcore.domain.order import OrderLine, StatusChange

# Each a bind of an array: the driver's dialect casts it (:l_positions::INTEGER[] and so on).
_ARRAYS: dict[str, Any] = {
    "l_positions": Integer(), "l_product_ids": BigInteger(), "l_names": String(),
    "l_prices": BigInteger(), "l_quantities": Integer(), "h_positions": Integer(),
    "h_statuses": String(), "h_ats": DateTime(timezone=True), "h_actors": String(),
    "h_notes": Text()}


def _arrays(statement: Any, names: Sequence[str]) -> Any:
    return statement.bindparams(*(bindparam(n, type_=ARRAY(_ARRAYS[n])) for n in names))


# PostgreSQL: the order, its lines and its first history in one statement (data-modifying
# CTEs), the lines and changes passed as arrays so that one text serves any number of them.
PG_ADD = Prepared(lambda _: _arrays(text(
    "WITH o AS (INSERT INTO orders (user_id, status, currency, total_cents, created_at) "
    "VALUES (:user_id, :status, :currency, :total_cents, :created_at) RETURNING id), "
    "l AS (INSERT INTO order_items (order_id, position, product_id, name, unit_price_cents, "
    "quantity) SELECT o.id, t.* FROM o, "
    "unnest(:l_positions, :l_product_ids, :l_names, :l_prices, :l_quantities) AS t), "
    "h AS (INSERT INTO order_status_history (order_id, position, status, at, actor, note) "
    "SELECT o.id, t.* FROM o, "
    "unnest(:h_positions, :h_statuses, :h_ats, :h_actors, :h_notes) AS t) "
    "SELECT id FROM o").bindparams(
        bindparam("user_id", type_=BigInteger()), bindparam("status", type_=String()),
        bindparam("currency", type_=String()), bindparam("total_cents", type_=BigInteger()),
        bindparam("created_at", type_=DateTime(timezone=True))), list(_ARRAYS))
    .columns(id=BigInteger()))
# PostgreSQL: a move (the status) and its new history rows in one statement.
PG_MOVE = Prepared(lambda _: _arrays(text(
    "WITH moved AS (UPDATE orders SET status = :status WHERE id = :order_id) "
    "INSERT INTO order_status_history (order_id, position, status, at, actor, note) "
    "SELECT :order_id, t.* FROM "
    "unnest(:h_positions, :h_statuses, :h_ats, :h_actors, :h_notes) AS t").bindparams(
        bindparam("order_id", type_=BigInteger()), bindparam("status", type_=String())),
    [n for n in _ARRAYS if n.startswith("h_")]))


def line_arrays(lines: Sequence[OrderLine]) -> dict[str, list[Any]]:
    return {"l_positions": list(range(len(lines))),
            "l_product_ids": [line.product_id for line in lines],
            "l_names": [line.name for line in lines],
            "l_prices": [to_cents(line.unit_price.amount) for line in lines],
            "l_quantities": [line.quantity for line in lines]}


def history_arrays(history: Sequence[StatusChange], start: int) -> dict[str, list[Any]]:
    new = history[start:]
    return {"h_positions": list(range(start, start + len(new))),
            "h_statuses": [change.status.value for change in new],
            "h_ats": [change.at for change in new], "h_actors": [change.actor for change in new],
            "h_notes": [change.note for change in new]}
