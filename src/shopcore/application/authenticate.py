"""Authentication: who an access token says is asking, as the account stands now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shopcore.application.viewer import Viewer
from shopcore.domain.errors import AuthenticationFailed
from shopcore.domain.user import AccountStanding
from shopcore.ports.security import AccountCache, TokenKind, TokenService
from shopcore.ports.unit_of_work import UnitOfWork

GONE = AccountStanding(is_active=False, is_staff=False)


@dataclass
class Authenticate:
    """The viewer an access token names; AuthenticationFailed when it is invalid or expired.

    The token is checked against its account (active, staff, tokens revoked since it was
    issued), read through a cache of a few seconds: staff rights follow the account. A unit
    of work is only made when the cache has no copy.
    """

    tokens: TokenService
    new_uow: Callable[[], UnitOfWork]
    accounts: AccountCache

    def __call__(self, *, access_token: str) -> Viewer:
        claims = self.tokens.verify(access_token, TokenKind.ACCESS)
        standing = self.accounts.get(claims.user_id)
        if standing is None:
            with self.new_uow() as uow:
                user = uow.users.get(claims.user_id)
            standing = user.standing if user is not None else GONE
            self.accounts.put(claims.user_id, standing)
        if not standing.accepts(claims.issued_at):
            raise AuthenticationFailed("Token is invalid or expired.")
        return Viewer(user_id=claims.user_id, is_staff=standing.is_staff)
