"""bcrypt password hashes, with equal cost for unknown users."""

from __future__ import annotations

import bcrypt

MAX_BYTES = 72


class BcryptHasher:
    """bcrypt at `rounds`; passwords over 72 bytes never match (bcrypt would truncate)."""

    def __init__(self, rounds: int = 12) -> None:
        self.rounds = rounds
        self._dummy = bcrypt.hashpw(b"shopcore-dummy-password", bcrypt.gensalt(rounds))

    def hash(self, password: str) -> str:
        raw = password.encode("utf-8")
        if len(raw) > MAX_BYTES:
            raise ValueError("bcrypt takes at most 72 bytes")
        return bcrypt.hashpw(raw, bcrypt.gensalt(self.rounds)).decode("ascii")

    def verify(self, password: str, hashed: str | None) -> bool:
        raw = password.encode("utf-8")
        target = hashed.encode("ascii") if hashed else self._dummy
        if len(raw) > MAX_BYTES:
            raw = raw[:MAX_BYTES]
            bcrypt.checkpw(raw, target)
            return False
        try:
            matches = bcrypt.checkpw(raw, target)
        except ValueError:
            bcrypt.checkpw(raw, self._dummy)
            return False
        return matches and hashed is not None
