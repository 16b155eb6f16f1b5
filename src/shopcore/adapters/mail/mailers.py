"""Mailers that print, send over SMTP, or keep messages in a list."""

from __future__ import annotations

import smtplib
import ssl
import sys
import threading
from email.message import EmailMessage
from typing import TextIO
from urllib.parse import parse_qs, unquote, urlsplit

from shopcore.ports.mail import MailFailed, Message

PORTS = {"smtps": 465, "starttls": 587, "off": 25}


class ConsoleMailer:
    """Prints each message to the server console (stdout by default); development only."""

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


def smtp_security(url: str) -> str:
    """'smtps' (implicit TLS), 'starttls' (smtp://, the default) or 'off' (smtp://...?tls=off).

    Raises ValueError for another scheme, and for credentials that would travel in clear.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"SHOPCORE_SMTP_URL must start with smtp:// or smtps://, "
                         f"not {parts.scheme}://")
    if parts.scheme == "smtps":
        return "smtps"
    if parse_qs(parts.query).get("tls", [""])[-1].lower() != "off":
        return "starttls"
    if parts.username:
        raise ValueError("SHOPCORE_SMTP_URL: refusing to send SMTP credentials without TLS "
                         "(drop tls=off, or use smtps://)")
    return "off"


class SmtpMailer:
    """Sends through `smtp://user:pass@host:port`: STARTTLS, required (smtps:// for implicit TLS).

    The server's certificate is verified (`context`, default: the system's CAs); a server
    that offers no STARTTLS gets nothing. `?tls=off` is for a local relay without credentials.
    """

    def __init__(self, url: str, sender: str, *, context: ssl.SSLContext | None = None,
                 timeout: float = 10.0) -> None:
        self.url, self.sender, self.timeout = urlsplit(url), sender, timeout
        self.security = smtp_security(url)
        self.context = context or ssl.create_default_context()

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.to, message.subject
        mail.set_content(message.body)
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    smtp.starttls(context=self.context)
                if self.url.username:
                    if not isinstance(smtp.sock, ssl.SSLSocket):  # never AUTH in clear
                        raise MailFailed("refusing SMTP AUTH without TLS")
                    smtp.login(unquote(self.url.username), unquote(self.url.password or ""))
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailFailed(f"recipient refused: {exc.recipients}", permanent=True) from exc
        except smtplib.SMTPDataError as exc:
            raise MailFailed(f"message refused: {exc.smtp_code} {exc.smtp_error!r}",
                             permanent=exc.smtp_code >= 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailFailed(f"{type(exc).__name__}: {exc}") from exc

    def _connect(self) -> smtplib.SMTP:
        host, port = self.url.hostname or "localhost", self.url.port or PORTS[self.security]
        if self.security == "smtps":
            return smtplib.SMTP_SSL(host, port, timeout=self.timeout, context=self.context)
        return smtplib.SMTP(host, port, timeout=self.timeout)
