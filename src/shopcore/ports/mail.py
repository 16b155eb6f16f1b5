"""Sending mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    """Delivers a message (or prints it, in development)."""

    def send(self, message: Message) -> None: ...
