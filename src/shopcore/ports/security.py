"""Password hashing and the tokens the shop hands out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from shopcore.domain.user import AccountStanding


class PasswordHasher(Protocol):
    """One-way password hashes; `verify` of an unknown user costs as much as a real one."""

    def hash(self, password: str) -> str: ...
    def verify(self, password: str, hashed: str | None) -> bool: ...


class TokenKind(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says."""

    user_id: int
    jti: str
    kind: TokenKind
    expires_at: datetime
    is_staff: bool = False
    issued_at: datetime | None = None


@dataclass(frozen=True)
class IssuedToken:
    token: str
    claims: TokenClaims


class TokenService(Protocol):
    """Signs and verifies access and refresh tokens; `verify` raises AuthenticationFailed."""

    def issue(self, user_id: int, kind: TokenKind, *, is_staff: bool = False) -> IssuedToken: ...
    def verify(self, token: str, kind: TokenKind) -> TokenClaims: ...


@dataclass(frozen=True)
class ResetClaim:
    user_id: int
    fingerprint: str


class ResetTokenService(Protocol):
    """Signed, expiring password-reset tokens; `read` raises ValidationFailed."""

    def make(self, claim: ResetClaim) -> str: ...
    def read(self, token: str) -> ResetClaim: ...


class LoginThrottle(Protocol):
    """Counts password guesses per username and address, per username, and per client address.

    `attempt` counts a guess before the password is checked, atomically, and answers None to
    go ahead or the seconds to wait; `succeeded` takes back the guess a correct password
    proved was none. Counters live in Redis when it is configured (shared by every worker,
    with an in-process fallback while it is down), else in the process.
    """

    def attempt(self, username: str, address: str) -> int | None: ...
    def succeeded(self, username: str, address: str) -> None: ...


class AccountCache(Protocol):
    """Short-lived copies of accounts' standing, so checking a token costs no database read.

    `get` answers None when no fresh copy is held; `forget` drops one after a change. A store
    that is down answers None and forgets nothing: copies expire within seconds anyway.
    """

    def get(self, user_id: int) -> AccountStanding | None: ...
    def put(self, user_id: int, standing: AccountStanding) -> None: ...
    def forget(self, user_id: int) -> None: ...
