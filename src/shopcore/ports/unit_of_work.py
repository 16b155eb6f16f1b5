"""The unit of work: one transaction around one use case."""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Self

from shopcore.ports.repositories import (
    CategoryRepository,
    ProductRepository,
    RefreshSessionRepository,
    UserRepository,
)


class UnitOfWork(abc.ABC):
    """Repositories sharing one transaction; rolled back unless committed."""

    users: UserRepository
    refresh_sessions: RefreshSessionRepository
    categories: CategoryRepository
    products: ProductRepository

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...
