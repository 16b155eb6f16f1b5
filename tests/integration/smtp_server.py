"""A real SMTP server on loopback (aiosmtpd) with STARTTLS or implicit TLS and AUTH.

Its certificate comes from a CA made for the test (trustme); `client_context` trusts it.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message as EmailMessage
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.helpers import free_port

USER, PASSWORD = "shop", "mail-pass-1"


@dataclass
class Received:
    """One accepted message and how it came."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    over_tls: bool
    authenticated: bool


@dataclass
class Inbox:
    """The aiosmtpd handler: keeps what arrives, refuses `nobody@...`, fails while `busy`."""

    received: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    busy: bool = False

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.busy:
            return "451 4.3.0 Try again later"
        with self.arrived:
            self.received.append(Received(
                envelope.mail_from, list(envelope.rcpt_tos),
                message_from_bytes(envelope.original_content or envelope.content),
                server.transport.get_extra_info("ssl_object") is not None,
                bool(session.authenticated)))
            self.arrived.notify_all()
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(), auth_data.password.decode()) == (USER, PASSWORD)
    return AuthResult(success=ok, handled=False)


class SmtpServer:
    """Listens on a free loopback port: `mode` is 'starttls', 'smtps' or 'plain' (no TLS)."""

    def __init__(self, ca: trustme.CA, mode: str = "starttls") -> None:
        self.ca, self.mode, self.inbox = ca, mode, Inbox()
        self.port = free_port()
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
        options: dict[str, Any] = {"authenticator": _authenticate, "auth_require_tls": True}
        if mode == "starttls":
            options.update(tls_context=server_context, require_starttls=True)
        elif mode == "smtps":  # aiosmtpd sees only STARTTLS as TLS for AUTH: all is TLS here
            options.update(ssl_context=server_context, auth_require_tls=False)
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                     **options)

    def url(self, scheme: str | None = None, *, credentials: bool = True,
            query: str = "") -> str:
        scheme = scheme or ("smtps" if self.mode == "smtps" else "smtp")
        auth = f"{USER}:{PASSWORD}@" if credentials else ""
        return f"{scheme}://{auth}127.0.0.1:{self.port}" + (f"?{query}" if query else "")

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self.inbox.arrived:
            self.inbox.arrived.wait_for(lambda: len(self.inbox.received) >= count, timeout)
        return list(self.inbox.received)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
