"""The SMTP mailer against a real SMTP server on loopback: TLS always, AUTH never in clear."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
import trustme

from shopcore.adapters.mail.mailers import SmtpMailer
from shopcore.ports.mail import MailFailed, Message
from shopcore.settings import Settings, SettingsError
from tests.helpers import free_port
from tests.integration.smtp_server import SmtpServer

SENDER = "shop@example.com"
MAIL = Message(to="alice@example.com", subject="Reset your shopcore password",
               body="Set a new password here:\nhttps://shop.example.com/x/\n")


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def starttls(ca: trustme.CA) -> Iterator[SmtpServer]:
    with SmtpServer(ca, "starttls") as server:
        yield server


def test_smtp_urls_send_over_starttls_and_log_in_only_then(starttls: SmtpServer) -> None:
    SmtpMailer(starttls.url(), SENDER, context=starttls.client_context()).send(MAIL)
    [received] = starttls.wait_for(1)
    assert (received.over_tls, received.authenticated) == (True, True)
    assert received.rcpt_tos == ["alice@example.com"]
    assert received.message["Subject"] == MAIL.subject
    assert "https://shop.example.com/x/" in received.message.get_payload()


def test_smtps_urls_send_over_implicit_tls(ca: trustme.CA) -> None:
    with SmtpServer(ca, "smtps") as server:
        SmtpMailer(server.url(), SENDER, context=server.client_context()).send(MAIL)
        [received] = server.wait_for(1)
    assert (received.over_tls, received.authenticated) == (True, True)


def test_a_server_without_starttls_gets_nothing_not_even_the_credentials(
        ca: trustme.CA) -> None:
    with SmtpServer(ca, "plain") as server:
        mailer = SmtpMailer(server.url(), SENDER, context=server.client_context())
        with pytest.raises(MailFailed) as failed:
            mailer.send(MAIL)
        assert not failed.value.permanent
        assert server.wait_for(1, timeout=0.5) == []


def test_a_certificate_the_client_does_not_trust_is_refused(starttls: SmtpServer) -> None:
    with pytest.raises(MailFailed):
        SmtpMailer(starttls.url(), SENDER, context=ssl.create_default_context()).send(MAIL)
    assert starttls.wait_for(1, timeout=0.5) == []


def test_tls_off_is_only_for_a_relay_without_credentials(ca: trustme.CA) -> None:
    with SmtpServer(ca, "plain") as server:
        with pytest.raises(ValueError, match="without TLS"):
            SmtpMailer(server.url(query="tls=off"), SENDER)
        SmtpMailer(server.url(credentials=False, query="tls=off"), SENDER).send(MAIL)
        [received] = server.wait_for(1)
    assert (received.over_tls, received.authenticated) == (False, False)
    with pytest.raises(SettingsError, match="without TLS"):
        Settings.from_env({"SHOPCORE_SMTP_URL": server.url(query="tls=off"),
                           "SHOPCORE_SECRET_KEY": "k" * 40}, dotenv=None)


def test_a_refused_recipient_is_a_permanent_failure_a_busy_server_a_passing_one(
        starttls: SmtpServer) -> None:
    mailer = SmtpMailer(starttls.url(), SENDER, context=starttls.client_context())
    with pytest.raises(MailFailed) as refused:
        mailer.send(Message(to="nobody@example.com", subject="s", body="b\n"))
    assert refused.value.permanent
    starttls.inbox.busy = True
    with pytest.raises(MailFailed) as busy:
        mailer.send(MAIL)
    assert not busy.value.permanent


def test_nothing_listening_is_a_passing_failure() -> None:
    with pytest.raises(MailFailed) as failed:
        SmtpMailer(f"smtp://127.0.0.1:{free_port()}", SENDER, timeout=2).send(MAIL)
    assert not failed.value.permanent
