"""A unit of work as one SQLAlchemy connection and transaction."""

from __future__ import annotations

from typing import Self

from sqlalchemy import Connection, Engine

from shopcore.adapters.clock import SystemClock
from shopcore.adapters.sqlalchemy.carts import SqlCartRepository
from shopcore.adapters.sqlalchemy.catalog import SqlProductRepository
from shopcore.adapters.sqlalchemy.categories import SqlCategoryRepository
from shopcore.adapters.sqlalchemy.idempotency import SqlIdempotencyRepository
from shopcore.adapters.sqlalchemy.orders import SqlOrderRepository
from shopcore.adapters.sqlalchemy.outage import is_outage, unavailable
from shopcore.adapters.sqlalchemy.outbox import SqlOutboxRepository, SqlProcessedEventRepository
from shopcore.adapters.sqlalchemy.payments import SqlPaymentRepository
from shopcore.adapters.sqlalchemy.users import SqlRefreshSessionRepository, SqlUserRepository
from shopcore.ports.clock import Clock
from shopcore.ports.unit_of_work import UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    """One connection; a transaction from its first statement, rolled back unless committed."""

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock or SystemClock()
        self.connection: Connection | None = None

    def __enter__(self) -> Self:
        super().__enter__()
        try:
            self.connection = self.engine.connect()
        except Exception as exc:
            if is_outage(exc):
                raise unavailable(exc) from exc
            raise
        self._repositories(self.connection)
        return self

    def _repositories(self, connection: Connection) -> None:
        """Fresh repositories: what they remember of stored rows holds for one transaction."""
        self.connection = connection
        self.users = SqlUserRepository(self.connection, self.track)
        self.refresh_sessions = SqlRefreshSessionRepository(self.connection)
        self.categories = SqlCategoryRepository(self.connection)
        self.products = SqlProductRepository(self.connection, self.track)
        self.carts = SqlCartRepository(self.connection, self.track)
        self.orders = SqlOrderRepository(self.connection, self.track)
        self.payments = SqlPaymentRepository(self.connection, self.track)
        self.idempotency = SqlIdempotencyRepository(self.connection)
        self.outbox = SqlOutboxRepository(self.connection)
        self.processed_events = SqlProcessedEventRepository(self.connection)

    def __exit__(self, kind: object, error: BaseException | None, *rest: object) -> None:
        try:
            if self.connection is not None and self.connection.in_transaction():
                self.connection.rollback()
        except Exception as exc:
            if not is_outage(exc):
                raise
            error = error or exc  # the connection died: nothing more to roll back
        finally:
            if self.connection is not None:
                self.connection.close()
                self.connection = None
        if error is not None and is_outage(error):
            raise unavailable(error) from error

    def _commit(self) -> None:
        assert self.connection is not None, "commit outside a transaction"
        self.connection.commit()

    def rollback(self) -> None:
        if self.connection is not None and self.connection.in_transaction():
            self.connection.rollback()
            self._repositories(self.connection)
