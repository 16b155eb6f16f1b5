"""Sending mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class MailFailed(Exception):
    """The message was not sent; `permanent` when trying again cannot help (a refused address)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Mailer(Protocol):
    """Delivers a message (or prints it, in development); raises MailFailed when it cannot."""

    def send(self, message: Message) -> None: ...
