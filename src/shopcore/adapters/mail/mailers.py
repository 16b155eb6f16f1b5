"""Mailers that print, send over SMTP, or keep messages in a list."""

from __future__ import annotations

import smtplib
import sys
import threading
from email.message import EmailMessage
from typing import TextIO
from urllib.parse import unquote, urlsplit

from shopcore.ports.mail import Message


class ConsoleMailer:
    """Prints each message to the server console (stdout by default)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.lock = threading.Lock()

    def send(self, message: Message) -> None:
        out = self.stream or sys.stdout
        with self.lock:
            out.write(f"\n----- mail to {message.to}: {message.subject} -----\n"
                      f"{message.body}----- end of mail -----\n")
            out.flush()


class MemoryMailer:
    """Keeps what was sent, for tests and for library users who read their own outbox."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        self.sent.append(message)


class SmtpMailer:
    """Sends through the server in `smtp://user:pass@host:port` (smtps:// for TLS)."""

    def __init__(self, url: str, sender: str) -> None:
        self.url, self.sender = urlsplit(url), sender

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.to, message.subject
        mail.set_content(message.body)
        host, port = self.url.hostname or "localhost", self.url.port
        smtp_cls = smtplib.SMTP_SSL if self.url.scheme == "smtps" else smtplib.SMTP
        with smtp_cls(host, port or (465 if self.url.scheme == "smtps" else 25), timeout=10) as s:
            if self.url.username:
                s.login(unquote(self.url.username), unquote(self.url.password or ""))
            s.send_message(mail)
