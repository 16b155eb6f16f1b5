"""Authentication: who an access token says is asking."""

from __future__ import annotations

from dataclasses import dataclass

from shopcore.application.viewer import Viewer
from shopcore.ports.security import TokenKind, TokenService


@dataclass
class Authenticate:
    """The viewer an access token names; AuthenticationFailed when it is invalid or expired."""

    tokens: TokenService

    def __call__(self, *, access_token: str) -> Viewer:
        claims = self.tokens.verify(access_token, TokenKind.ACCESS)
        return Viewer(user_id=claims.user_id, is_staff=claims.is_staff)
