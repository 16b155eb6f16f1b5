"""Looking a user up by username, for admin tasks."""

from __future__ import annotations

from dataclasses import dataclass

from shopcore.domain.user import User, normalize_username
from shopcore.ports.unit_of_work import UnitOfWork


@dataclass
class FindUser:
    """The user with this username, or None."""

    uow: UnitOfWork

    def __call__(self, *, username: str) -> User | None:
        with self.uow:
            return self.uow.users.by_username(normalize_username(username))
