"""Payment attempts with their refunds on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from shopcore.adapters.sqlalchemy.base import AggregateRepository
from shopcore.adapters.sqlalchemy.mappers import (
    payment_from_row,
    payment_to_row,
    refund_from_row,
    refund_to_row,
)
from shopcore.adapters.sqlalchemy.prepared import Prepared
from shopcore.adapters.sqlalchemy.tables import payment_refunds, payments
from shopcore.domain.errors import Conflict
from shopcore.domain.pagination import PageRequest
from shopcore.domain.payment import OPEN, Payment, Refund
from shopcore.ports.unit_of_work import Track

OPEN_ATTEMPT = "A payment of this order is already in progress."
_REFUND_FIELDS = ("position", "amount_cents", "reason", "status", "provider_reference", "at")
_REFUND = [payment_refunds.c[c].label(f"refund_{c}") for c in _REFUND_FIELDS]
_WRITTEN = ("order_id", "user_id", "attempt", "amount_cents", "currency", "provider",
            "payment_method_id", "status", "provider_reference", "decline_code",
            "decline_message", "created_at", "updated_at")


def _joined_statement(dialect: str, where: Any, *, for_update: bool = False) -> Any:
    """Payments with their refunds, by attempt; on PostgreSQL `for_update` locks the payments."""
    statement = (select(payments, *_REFUND)
                 .select_from(payments.outerjoin(
                     payment_refunds, payment_refunds.c.payment_id == payments.c.id))
                 .where(where)
                 .order_by(payments.c.attempt, payments.c.id, payment_refunds.c.position))
    if for_update and dialect == "postgresql":
        statement = statement.with_for_update(of=payments)
    return statement


_BY_ID = payments.c.id == bindparam("id")
_BY_ORDER = payments.c.order_id == bindparam("order_id")
_GET = Prepared(lambda dialect: _joined_statement(dialect, _BY_ID))
_GET_FOR_UPDATE = Prepared(lambda dialect: _joined_statement(dialect, _BY_ID, for_update=True))
_OF_ORDER = Prepared(lambda dialect: _joined_statement(dialect, _BY_ORDER))
_OF_ORDER_FOR_UPDATE = Prepared(lambda dialect: _joined_statement(dialect, _BY_ORDER,
                                                                  for_update=True))
_BY_REFERENCE = Prepared(lambda dialect: _joined_statement(
    dialect, payments.c.provider_reference == bindparam("reference")))
_BY_ATTEMPT = Prepared(lambda dialect: _joined_statement(
    dialect, _BY_ORDER & (payments.c.attempt == bindparam("attempt"))))
_INSERT = Prepared(lambda _: insert(payments).values(
    {name: bindparam(name) for name in _WRITTEN}).returning(payments.c.id))
_UPDATE = Prepared(lambda _: update(payments).where(payments.c.id == bindparam("payment_id"))
                   .values({name: bindparam(name) for name in _WRITTEN}))
_INSERT_REFUNDS = Prepared(lambda _: insert(payment_refunds))
_DELETE_REFUNDS = Prepared(lambda _: delete(payment_refunds).where(
    payment_refunds.c.payment_id == bindparam("payment_id")))


class SqlPaymentRepository(AggregateRepository):
    """Payments; the refund rows each payment has stored are remembered, to rewrite them only
    when they changed. A Conflict leaves the transaction unusable: the use case ends there."""

    def __init__(self, connection: Connection, track: Track) -> None:
        super().__init__(connection, track)
        self._stored: dict[int, list[dict[str, Any]]] = {}

    def add(self, payment: Payment) -> None:
        try:
            payment.id = int(_INSERT.rows(self.c, payment_to_row(payment))[0].id)
        except IntegrityError as exc:
            raise Conflict(OPEN_ATTEMPT) from exc
        self.track(payment, new=True)
        self._insert_refunds(payment, 0)

    def _insert_refunds(self, payment: Payment, start: int) -> None:
        assert payment.id is not None
        rows = self._refund_rows(payment)
        self._stored[payment.id] = rows
        if rows[start:]:
            _INSERT_REFUNDS.run(self.c, rows[start:])

    @staticmethod
    def _refund_rows(payment: Payment) -> list[dict[str, Any]]:
        assert payment.id is not None
        return [refund_to_row(payment.id, n, refund) for n, refund in enumerate(payment.refunds)]

    def get(self, payment_id: int, *, for_update: bool = False) -> Payment | None:
        return self._one(_GET_FOR_UPDATE if for_update else _GET, {"id": payment_id})

    def _one(self, statement: Prepared, params: dict[str, Any]) -> Payment | None:
        found = self._joined(statement, params)
        return found[0] if found else None

    def _joined(self, statement: Prepared, params: dict[str, Any]) -> list[Payment]:
        """Payments with their refunds in one statement, by attempt."""
        grouped: dict[int, tuple[Any, list[Refund]]] = {}
        for r in statement.rows(self.c, params):
            refunds = grouped.setdefault(r.id, (r, []))[1]
            if r.refund_position is not None:
                refunds.append(refund_from_row(SimpleNamespace(**{
                    c: getattr(r, f"refund_{c}") for c in _REFUND_FIELDS}), r.currency))
        found = [payment_from_row(row, refunds) for row, refunds in grouped.values()]
        self._stored.update({p.id: self._refund_rows(p) for p in found if p.id is not None})
        return found

    def _load(self, rows: Sequence[Any]) -> list[Payment]:
        ids = [r.id for r in rows]
        if not ids:
            return []
        currency = {r.id: r.currency for r in rows}
        refunds: dict[int, list[Refund]] = {i: [] for i in ids}
        for r in self.c.execute(select(payment_refunds)
                                .where(payment_refunds.c.payment_id.in_(ids))
                                .order_by(payment_refunds.c.payment_id,
                                          payment_refunds.c.position)):
            refunds[r.payment_id].append(refund_from_row(r, currency[r.payment_id]))
        found = [payment_from_row(r, refunds[r.id]) for r in rows]
        self._stored.update({p.id: self._refund_rows(p) for p in found if p.id is not None})
        return found

    def save(self, payment: Payment) -> None:
        assert payment.id is not None
        self.track(payment)
        try:
            _UPDATE.run(self.c, {"payment_id": payment.id, **payment_to_row(payment)})
        except IntegrityError as exc:
            raise Conflict(OPEN_ATTEMPT) from exc
        # Refunds are few per payment: rewrite them, when they changed, rather than diff them.
        if self._stored.get(payment.id) != self._refund_rows(payment):
            _DELETE_REFUNDS.run(self.c, {"payment_id": payment.id})
            self._insert_refunds(payment, 0)

    def of_order(self, order_id: int, *, for_update: bool = False) -> list[Payment]:
        statement = _OF_ORDER_FOR_UPDATE if for_update else _OF_ORDER
        return self._joined(statement, {"order_id": order_id})

    def by_reference(self, reference: str) -> Payment | None:
        return self._one(_BY_REFERENCE, {"reference": reference})

    def by_attempt(self, order_id: int, attempt: int) -> Payment | None:
        return self._one(_BY_ATTEMPT, {"order_id": order_id, "attempt": attempt})

    def list(self, user_id: int, page: PageRequest) -> tuple[Sequence[Payment], int]:
        where = payments.c.user_id == user_id
        total = self.c.scalar(select(func.count()).select_from(payments).where(where)) or 0
        rows = self.c.execute(select(payments).where(where).order_by(payments.c.id.desc())
                              .limit(page.size).offset(page.offset)).all()
        return self._load(rows), int(total)

    def open_before(self, moment: datetime, limit: int) -> Sequence[int]:
        rows = self.c.execute(select(payments.c.id)
                              .where(payments.c.status.in_([s.value for s in OPEN]),
                                     payments.c.updated_at < moment)
                              .order_by(payments.c.updated_at, payments.c.id).limit(limit))
        return [int(r[0]) for r in rows]
