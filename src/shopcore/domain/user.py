"""Users, their credentials' rules and their refresh-token sessions."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from shopcore.domain.errors import ValidationFailed
from shopcore.domain.events import (
    Aggregate,
    EmailChanged,
    PasswordResetRequested,
    UserRegistered,
)
from shopcore.domain.rules import BusinessRule, TextMustBePlain, check_rules
from shopcore.domain.usernames import MAX_USERNAME, username_fits

USERNAME_RE = re.compile(r"^[\w.@+-]{3,150}$")
EMAIL_RE = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s.\x00-\x1f\x7f]+$")
MAX_EMAIL = 254
MAX_NAME = 150
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72


@dataclass(frozen=True)
class UsernameMustBeValid(BusinessRule):
    username: str

    def is_broken(self) -> bool:
        return USERNAME_RE.fullmatch(self.username) is None

    @property
    def message(self) -> str:
        return "3-150 characters: letters, digits and @/./+/-/_ only."


@dataclass(frozen=True)
class UsernameMustFit(BusinessRule):
    """At most MAX_USERNAME characters, as sent and once normalized."""

    username: str

    def is_broken(self) -> bool:
        return not username_fits(self.username)

    @property
    def message(self) -> str:
        return f"Ensure this field has no more than {MAX_USERNAME} characters."


@dataclass(frozen=True)
class EmailMustBeValid(BusinessRule):
    email: str

    def is_broken(self) -> bool:
        return len(self.email) > MAX_EMAIL or EMAIL_RE.fullmatch(self.email) is None

    @property
    def message(self) -> str:
        return "Enter a valid e-mail address."


NAME_TOO_LONG = f"At most {MAX_NAME} characters."
OLD_PASSWORD_WRONG = "The old password is wrong."  # noqa: S105 - a message, not a secret
CURRENT_PASSWORD_NEEDED = "Enter your current password to change the e-mail."  # noqa: S105
CURRENT_PASSWORD_WRONG = "The current password is wrong."  # noqa: S105 - a message


@dataclass(frozen=True)
class NameMustFit(BusinessRule):
    """At most MAX_NAME characters."""

    name: str

    def is_broken(self) -> bool:
        return len(self.name) > MAX_NAME

    @property
    def message(self) -> str:
        return NAME_TOO_LONG


def person_name_rules(field: str, name: str) -> list[BusinessRule]:
    # A control character in a name has always been answered with the length message.
    return [NameMustFit(field, name), TextMustBePlain(field, name, refusal=NAME_TOO_LONG)]


@dataclass(frozen=True)
class PasswordMustBeStrong(BusinessRule):
    """Long enough, within bcrypt's 72 bytes, not all digits, not the username."""

    password: str
    username: str = ""

    @property
    def problem(self) -> str | None:
        if len(self.password) < MIN_PASSWORD:
            return ("This password is too short. "
                    f"It must contain at least {MIN_PASSWORD} characters.")
        try:
            size = len(self.password.encode("utf-8"))
        except UnicodeEncodeError:
            return "Not a valid string."
        if size > MAX_PASSWORD_BYTES:
            return f"This password is too long. It must be at most {MAX_PASSWORD_BYTES} bytes."
        if self.password.isdigit():
            return "This password is entirely numeric."
        if self.username and self.password.casefold() == self.username.casefold():
            return "The password is too similar to the username."
        return None

    def is_broken(self) -> bool:
        return self.problem is not None

    @property
    def message(self) -> str:
        return self.problem or ""


def normalize_username(username: str) -> str:
    """NFKC, as Django does: look-alike full-width forms fold into their plain letters."""
    return unicodedata.normalize("NFKC", username)


def normalize_email(email: str) -> str:
    """The e-mail as stored: surrounding space removed, domain lowercased."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


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
