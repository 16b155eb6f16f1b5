"""Sessions: log in for a token pair, rotate it, log out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from shopcore.domain.errors import AuthenticationFailed, Throttled
from shopcore.domain.user import RefreshSession, User, normalize_username
from shopcore.domain.usernames import username_fits, username_key
from shopcore.ports.clock import Clock
from shopcore.ports.security import (
    AccountCache,
    LoginThrottle,
    PasswordHasher,
    TokenKind,
    TokenService,
)
from shopcore.ports.unit_of_work import UnitOfWork

BAD_CREDENTIALS = "No active account found with the given credentials."
BAD_REFRESH = "Token is invalid or expired."
THROTTLED = "Too many failed login attempts. Try again later."


def guess_allowed(throttle: LoginThrottle, username: str, address: str) -> None:
    """Count a password guess for `username` from `address`; Throttled past a limit."""
    wait = throttle.attempt(username_key(username), address)
    if wait is not None:
        raise Throttled(THROTTLED, wait)


def revoke_access(uow: UnitOfWork, user_id: int, clock: Clock) -> None:
    """Refuse the user's access tokens issued until now (committed by the caller)."""
    user = uow.users.get(user_id)
    if user is not None:
        user.revoke_tokens(clock.now())
        uow.users.save(user)


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def issue_pair(uow: UnitOfWork, tokens: TokenService, user: User, family_id: str) -> TokenPair:
    """A new access token and a refresh token recorded in `family_id`."""
    assert user.id is not None
    refresh = tokens.issue(user.id, TokenKind.REFRESH)
    uow.refresh_sessions.add(RefreshSession(
        jti=refresh.claims.jti, user_id=user.id, family_id=family_id,
        expires_at=refresh.claims.expires_at))
    access = tokens.issue(user.id, TokenKind.ACCESS, is_staff=user.is_staff)
    return TokenPair(access=access.token, refresh=refresh.token)


class LogIn:
    """Check credentials (throttled per username, address and client) and start a session."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, tokens: TokenService,
                 throttle: LoginThrottle) -> None:
        self.uow, self.hasher, self.tokens, self.throttle = uow, hasher, tokens, throttle

    def __call__(self, *, username: str, password: str, address: str) -> TokenPair:
        if not username_fits(username):
            raise AuthenticationFailed(BAD_CREDENTIALS)
        username = normalize_username(username)
        guess_allowed(self.throttle, username, address)
        with self.uow:
            user = self.uow.users.by_username(username)
            known = user is not None and user.is_active
            hashed = user.password_hash if user is not None and known else None
            if not self.hasher.verify(password, hashed) or user is None or not known:
                raise AuthenticationFailed(BAD_CREDENTIALS)
            pair = issue_pair(self.uow, self.tokens, user, family_id=uuid.uuid4().hex)
            self.uow.commit()
        self.throttle.succeeded(username_key(username), address)
        return pair


class RefreshTokens:
    """Rotate a refresh token; a reused one revokes its whole family and the access tokens."""

    def __init__(self, uow: UnitOfWork, tokens: TokenService, clock: Clock,
                 accounts: AccountCache) -> None:
        self.uow, self.tokens, self.clock, self.accounts = uow, tokens, clock, accounts

    def _reused(self, session: RefreshSession) -> AuthenticationFailed:
        self.uow.refresh_sessions.revoke_family(session.family_id)
        revoke_access(self.uow, session.user_id, self.clock)
        self.uow.commit()
        self.accounts.forget(session.user_id)
        return AuthenticationFailed(BAD_REFRESH)

    def __call__(self, *, refresh: str) -> TokenPair:
        claims = self.tokens.verify(refresh, TokenKind.REFRESH)
        with self.uow:
            session = self.uow.refresh_sessions.get(claims.jti)
            if session is None:
                raise AuthenticationFailed(BAD_REFRESH)
            if not session.is_usable(self.clock.now()):
                if session.replaced_by is not None or session.revoked:
                    raise self._reused(session)
                raise AuthenticationFailed(BAD_REFRESH)
            user = self.uow.users.get(session.user_id)
            if user is None or not user.is_active:
                raise AuthenticationFailed(BAD_REFRESH)
            pair = issue_pair(self.uow, self.tokens, user, family_id=session.family_id)
            successor = self.tokens.verify(pair.refresh, TokenKind.REFRESH).jti
            if not self.uow.refresh_sessions.rotate(session.jti, successor):
                self.uow.rollback()
                raise self._reused(session)
            self.uow.commit()
        return pair


class LogOut:
    """Revoke one of the caller's refresh tokens, and the caller's access tokens."""

    def __init__(self, uow: UnitOfWork, tokens: TokenService, clock: Clock,
                 accounts: AccountCache) -> None:
        self.uow, self.tokens, self.clock, self.accounts = uow, tokens, clock, accounts

    def __call__(self, *, user_id: int, refresh: str) -> None:
        claims = self.tokens.verify(refresh, TokenKind.REFRESH)
        with self.uow:
            session = self.uow.refresh_sessions.get(claims.jti)
            if session is None or session.user_id != user_id or claims.user_id != user_id:
                raise AuthenticationFailed(BAD_REFRESH)
            session.revoked = True
            self.uow.refresh_sessions.save(session)
            revoke_access(self.uow, user_id, self.clock)
            self.uow.commit()
        self.accounts.forget(user_id)
