"""Password hashing and the tokens the shop hands out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


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
    """Counts failed logins per username and address."""

    def retry_after(self, username: str, address: str) -> int | None: ...
    def failed(self, username: str, address: str) -> None: ...
    def succeeded(self, username: str, address: str) -> None: ...
