"""Password reset by a mailed link that works once and expires."""

from __future__ import annotations

from shopcore.domain.errors import Throttled, ValidationFailed
from shopcore.domain.user import User, normalize_email
from shopcore.ports.clock import Clock
from shopcore.ports.rate_limits import ResetRequestLimit
from shopcore.ports.security import AccountCache, PasswordHasher, ResetClaim, ResetTokenService
from shopcore.ports.unit_of_work import UnitOfWork

INVALID_LINK = "The password reset link is invalid, expired or already used."
TOO_MANY = "Too many password reset requests. Try again later."


def fingerprint(user: User) -> str:
    """Changes whenever the password or the e-mail does, so a used link stops working."""
    return user.reset_fingerprint()


def user_for_token(uow: UnitOfWork, resets: ResetTokenService, token: str) -> User:
    claim = resets.read(token)
    user = uow.users.get(claim.user_id)
    if user is None or not user.is_active or fingerprint(user) != claim.fingerprint:
        raise ValidationFailed(INVALID_LINK, {"token": [INVALID_LINK]})
    return user


class RequestPasswordReset:
    """Record a reset request (its handler mails the link) if the address has an account.

    The answer is the same either way, and no mail is sent in the request; requests are
    limited per address and per client, known or not.
    """

    def __init__(self, uow: UnitOfWork, limit: ResetRequestLimit) -> None:
        self.uow, self.limit = uow, limit

    def __call__(self, *, email: str, client: str) -> None:
        email = normalize_email(email)
        wait = self.limit.hit(email, client)
        if wait is not None:
            raise Throttled(TOO_MANY, wait)
        with self.uow:
            user = self.uow.users.by_email(email)
            if user is None or not user.is_active:
                return
            user.request_password_reset()
            self.uow.users.save(user)
            self.uow.commit()


class CheckResetToken:
    """Whether a reset link (or the form token traded for it) can still be used."""

    def __init__(self, uow: UnitOfWork, resets: ResetTokenService) -> None:
        self.uow, self.resets = uow, resets

    def __call__(self, *, token: str) -> None:
        with self.uow:
            user_for_token(self.uow, self.resets, token)


class TradeResetToken:
    """The link's token for a short-lived form token, bound to the same password and e-mail."""

    def __init__(self, uow: UnitOfWork, resets: ResetTokenService,
                 forms: ResetTokenService) -> None:
        self.uow, self.resets, self.forms = uow, resets, forms

    def __call__(self, *, token: str) -> str:
        with self.uow:
            user = user_for_token(self.uow, self.resets, token)
        assert user.id is not None
        return self.forms.make(ResetClaim(user.id, fingerprint(user)))


class ResetPassword:
    """Set a new password from a reset link or form token; all earlier tokens are revoked."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, resets: ResetTokenService,
                 clock: Clock, accounts: AccountCache) -> None:
        self.uow, self.hasher, self.resets = uow, hasher, resets
        self.clock, self.accounts = clock, accounts

    def __call__(self, *, token: str, new_password: str) -> None:
        with self.uow:
            user = user_for_token(self.uow, self.resets, token)
            user.reset_password(new_password, hash=self.hasher.hash, now=self.clock.now())
            self.uow.users.save(user)
            assert user.id is not None
            self.uow.refresh_sessions.revoke_user(user.id)
            self.uow.commit()
        self.accounts.forget(user.id)
