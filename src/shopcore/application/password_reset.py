"""Password reset by a mailed link that works once and expires."""

from __future__ import annotations

import hashlib

from shopcore.domain.errors import ValidationFailed
from shopcore.domain.user import User, normalize_email
from shopcore.ports.clock import Clock
from shopcore.ports.mail import Mailer, Message
from shopcore.ports.security import AccountCache, PasswordHasher, ResetClaim, ResetTokenService
from shopcore.ports.unit_of_work import UnitOfWork

INVALID_LINK = "The password reset link is invalid, expired or already used."


def fingerprint(user: User) -> str:
    """Changes whenever the password does, so a used link stops working."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def user_for_token(uow: UnitOfWork, resets: ResetTokenService, token: str) -> User:
    claim = resets.read(token)
    user = uow.users.get(claim.user_id)
    if user is None or not user.is_active or fingerprint(user) != claim.fingerprint:
        raise ValidationFailed(INVALID_LINK, {"token": [INVALID_LINK]})
    return user


class RequestPasswordReset:
    """Mail a reset link if the address has an account; say nothing either way."""

    def __init__(self, uow: UnitOfWork, resets: ResetTokenService, mailer: Mailer) -> None:
        self.uow, self.resets, self.mailer = uow, resets, mailer

    def __call__(self, *, email: str, link_template: str) -> None:
        with self.uow:
            user = self.uow.users.by_email(normalize_email(email))
        if user is None or not user.is_active or user.id is None:
            return
        token = self.resets.make(ResetClaim(user.id, fingerprint(user)))
        link = link_template.format(token=token)
        self.mailer.send(Message(
            to=user.email,
            subject="Reset your shopcore password",
            body=f"Hello {user.username},\n\nSet a new password here:\n{link}\n\n"
                 "If you did not ask for this, ignore this message.\n"))


class CheckResetToken:
    """Whether a reset link can still be used."""

    def __init__(self, uow: UnitOfWork, resets: ResetTokenService) -> None:
        self.uow, self.resets = uow, resets

    def __call__(self, *, token: str) -> None:
        with self.uow:
            user_for_token(self.uow, self.resets, token)


class ResetPassword:
    """Set a new password from a reset link; every token issued before is revoked."""

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
