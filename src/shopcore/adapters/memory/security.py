"""A plain-marker password hasher: for tests only, where bcrypt's cost buys nothing."""

from __future__ import annotations


class PlainHasher:
    """Marks instead of hashing; never use it for real accounts."""

    def hash(self, password: str) -> str:
        return "plain$" + password

    def verify(self, password: str, hashed: str | None) -> bool:
        return hashed is not None and hashed == "plain$" + password
