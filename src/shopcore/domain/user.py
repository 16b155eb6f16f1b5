"""Users and their refresh-token sessions; their credentials' rules are in account_rules."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from shopcore.domain.account_rules import (
    EMAIL_RE,
    MAX_EMAIL,
    MAX_NAME,
    MAX_PASSWORD_BYTES,
    MIN_PASSWORD,
    NAME_TOO_LONG,
    USERNAME_RE,
    EmailMustBeValid,
    NameMustFit,
    PasswordMustBeStrong,
    UsernameMustBeValid,
    UsernameMustFit,
    normalize_email,
    normalize_username,
    person_name_rules,
)
from shopcore.domain.errors import ValidationFailed
from shopcore.domain.events import (
    Aggregate,
    EmailChanged,
    PasswordResetRequested,
    UserRegistered,
)
from shopcore.domain.rules import BusinessRule, check_rules

__all__ = ["CURRENT_PASSWORD_NEEDED", "CURRENT_PASSWORD_WRONG", "EMAIL_RE", "MAX_EMAIL",
           "MAX_NAME", "MAX_PASSWORD_BYTES", "MIN_PASSWORD", "NAME_TOO_LONG",
           "OLD_PASSWORD_WRONG", "USERNAME_RE", "AccountStanding", "EmailMustBeValid",
           "NameMustFit", "PasswordMustBeStrong", "RefreshSession", "User",
           "UsernameMustBeValid", "UsernameMustFit", "normalize_email", "normalize_username",
           "person_name_rules"]

OLD_PASSWORD_WRONG = "The old password is wrong."  # noqa: S105 - a message, not a secret
CURRENT_PASSWORD_NEEDED = "Enter your current password to change the e-mail."  # noqa: S105
CURRENT_PASSWORD_WRONG = "The current password is wrong."  # noqa: S105 - a message


@dataclass
class User(Aggregate):
    """A shop account: a customer, or staff who may manage the catalog and orders."""

    username: str
    email: str
    password_hash: str
    date_joined: datetime
    first_name: str = ""
    last_name: str = ""
    is_staff: bool = False
    is_active: bool = True
    tokens_valid_after: datetime | None = None
    id: int | None = None

    def created(self) -> UserRegistered:
        assert self.id is not None
        return UserRegistered(user_id=self.id, username=self.username, email=self.email)

    @staticmethod
    def check_new(username: str, email: str, password: str) -> None:
        check_rules(
            UsernameMustBeValid("username", username),
            EmailMustBeValid("email", email),
            PasswordMustBeStrong("password", password, username),
        )

    def reset_fingerprint(self) -> str:
        """Changes with the password and with the e-mail, so a reset link dies with either."""
        material = f"{self.password_hash}\x00{self.email}".encode()
        return hashlib.sha256(material).hexdigest()[:16]

    def request_password_reset(self) -> None:
        assert self.id is not None
        self.record(PasswordResetRequested(user_id=self.id, username=self.username,
                                           email=self.email,
                                           fingerprint=self.reset_fingerprint()))

    def change_profile(
        self,
        *,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        current_password: str | None = None,
        verify: Callable[[str, str | None], bool] | None = None,
    ) -> None:
        """Change the names, and the e-mail only given the current password (recorded)."""
        rules: list[BusinessRule] = []
        if email is not None:
            email = normalize_email(email)
            rules.append(EmailMustBeValid("email", email))
        if first_name is not None:
            rules += person_name_rules("first_name", first_name)
        if last_name is not None:
            rules += person_name_rules("last_name", last_name)
        check_rules(*rules)
        if email is not None and email != self.email:
            self._check_current_password(current_password, verify)
            assert self.id is not None
            self.record(EmailChanged(user_id=self.id, username=self.username,
                                     old_email=self.email, new_email=email))
            self.email = email
        if first_name is not None:
            self.first_name = first_name
        if last_name is not None:
            self.last_name = last_name

    def _check_current_password(self, password: str | None,
                                verify: Callable[[str, str | None], bool] | None) -> None:
        if password is None or verify is None:
            raise ValidationFailed(CURRENT_PASSWORD_NEEDED,
                                   {"current_password": [CURRENT_PASSWORD_NEEDED]})
        if not verify(password, self.password_hash):
            raise ValidationFailed(CURRENT_PASSWORD_WRONG,
                                   {"current_password": [CURRENT_PASSWORD_WRONG]})

    def change_password(self, old_password: str, new_password: str, *,
                        verify: Callable[[str, str | None], bool],
                        hash: Callable[[str], str], now: datetime) -> None:
        """Replace the password if `old_password` is the current one and the new one is strong."""
        if not verify(old_password, self.password_hash):
            raise ValidationFailed(OLD_PASSWORD_WRONG, {"old_password": [OLD_PASSWORD_WRONG]})
        self.reset_password(new_password, hash=hash, now=now)

    def reset_password(self, new_password: str, *, hash: Callable[[str], str],
                       now: datetime) -> None:
        """Replace the password without the old one (a reset link proved who is asking).

        Every token issued before `now` stops working.
        """
        check_rules(PasswordMustBeStrong("new_password", new_password, self.username))
        self.password_hash = hash(new_password)
        self.revoke_tokens(now)

    def revoke_tokens(self, now: datetime) -> None:
        """Access tokens issued before `now` are refused from now on."""
        if self.tokens_valid_after is None or now > self.tokens_valid_after:
            self.tokens_valid_after = now

    @property
    def standing(self) -> AccountStanding:
        return AccountStanding(self.is_active, self.is_staff, self.tokens_valid_after)


@dataclass(frozen=True)
class AccountStanding:
    """What each request's access token is checked against: the account as it is now."""

    is_active: bool
    is_staff: bool
    tokens_valid_after: datetime | None = None

    def accepts(self, issued_at: datetime | None) -> bool:
        """Whether a token issued at `issued_at` still speaks for this account."""
        if not self.is_active:
            return False
        if self.tokens_valid_after is None:
            return True
        return issued_at is not None and issued_at >= self.tokens_valid_after


@dataclass
class RefreshSession:
    """One issued refresh token; rotation links it to the next of its family."""

    jti: str
    user_id: int
    family_id: str
    expires_at: datetime
    revoked: bool = False
    replaced_by: str | None = None
    created_at: datetime | None = field(default=None, compare=False)

    def is_usable(self, now: datetime) -> bool:
        return not self.revoked and self.replaced_by is None and now < self.expires_at
