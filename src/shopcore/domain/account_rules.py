"""The rules of an account's credentials and names, and how usernames and e-mails are kept."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from shopcore.domain.rules import BusinessRule, TextMustBePlain
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
