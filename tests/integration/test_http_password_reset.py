"""Issue 10's reset and mail findings, through HTTP: each test fails without its fix."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import trustme

from shopcore.adapters.mail.mailers import SmtpMailer
from tests.helpers import Shop, shop_of
from tests.helpers import assert_error as error_shape
from tests.integration.smtp_server import SmtpServer

PASSWORD = "s3cret-pass"
NEW_PASSWORD = "n3w-secret-pass"
LINK = re.compile(r"https?://\S+")
RESET = "/api/users/password_reset/"
FORM = "/api/users/password_reset/confirm/"




def mailed_link(shop: Shop) -> str:
    match = LINK.search(shop.mail[-1].body)
    assert match is not None, shop.mail[-1].body
    return match.group(0)


def bearer(shop: Shop) -> dict[str, str]:
    return {"Authorization": f"Bearer {shop.login()['access']}"}


# --- finding 2: a mailed link never follows the request's host ---------------------------

@pytest.mark.parametrize(("overrides", "headers", "base"), [
    ({}, {"Host": "evil.example"}, "http://127.0.0.1:8000/"),
    ({"proxies": 1}, {"X-Forwarded-Host": "evil.example"}, "http://127.0.0.1:8000/"),
    ({"public_url": "https://shop.example.com"}, {"Host": "evil.example"},
     "https://shop.example.com/"),
    ({"public_url": "https://shop.example.com/", "proxies": 1},
     {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"},
     "https://shop.example.com/"),
])
def test_a_reset_asked_through_a_forged_host_mails_a_link_on_the_public_url(
        make_shop: Callable[..., Shop], overrides: dict[str, Any], headers: dict[str, str],
        base: str) -> None:
    shop = make_shop(**overrides)
    shop.register()
    response = shop.client.post(RESET, json={"email": "alice@example.com"}, headers=headers)
    assert response.status_code == 202
    link = mailed_link(shop)
    assert link.startswith(base + "api/users/password_reset/confirm/"), link
    assert "evil" not in link


# --- finding 5: the e-mail changes only with the password; the old address is told -----

@pytest.mark.parametrize(("extra", "message"), [
    ({}, "Enter your current password to change the e-mail."),
    ({"current_password": "wrong-pass"}, "The current password is wrong."),
])
def test_changing_the_email_without_the_current_password_is_400_and_changes_nothing(
        shop: Shop, extra: dict[str, str], message: str) -> None:
    headers = shop.customer()
    response = shop.client.patch("/api/users/profile/", headers=headers,
                                 json={"email": "mallory@example.com", **extra})
    body = error_shape(response, 400, "current_password")
    assert body["errors"] == {"current_password": [message]}
    assert shop.client.get("/api/users/profile/", headers=headers).get_json()["email"] == (
        "alice@example.com")
    assert shop.mail == []


def test_changing_the_email_with_the_password_tells_the_old_address(shop: Shop) -> None:
    headers = shop.customer()
    response = shop.client.put("/api/users/profile/", headers=headers, json={
        "email": "alice@new.example", "current_password": PASSWORD})
    assert response.status_code == 200
    assert "current_password" not in response.get_json()
    [notice] = shop.mail
    assert notice.to == "alice@example.com"
    assert "alice@new.example" in notice.body


def test_names_and_an_unchanged_email_need_no_password(shop: Shop) -> None:
    headers = shop.customer()
    response = shop.client.patch("/api/users/profile/", headers=headers,
                                 json={"email": "alice@EXAMPLE.com", "first_name": "Al"})
    assert response.status_code == 200
    assert shop.mail == []


def test_a_reset_link_mailed_before_an_email_change_no_longer_works(shop: Shop) -> None:
    headers = shop.customer()
    shop.client.post(RESET, json={"email": "alice@example.com"})
    path = urlsplit(mailed_link(shop)).path
    shop.client.patch("/api/users/profile/", headers=headers,
                      json={"email": "alice@new.example", "current_password": PASSWORD})
    error_shape(shop.client.post(path, json={"new_password": NEW_PASSWORD}), 400, "token")
    assert shop.client.get(path).status_code == 400


# --- finding 6: mail goes through the outbox, over TLS, limited --------------------------

def test_a_reset_request_only_records_an_event_and_mails_nothing_itself(shop: Shop) -> None:
    shop.register()
    assert shop.client.post(RESET, json={"email": "alice@example.com"}).status_code == 202
    assert shop.container.adapters.mailer().sent == []
    with shop.container.adapters.uow() as uow:
        [event] = [m.envelope for m in uow.outbox.since(datetime(2000, 1, 1, tzinfo=UTC))
                   if m.envelope.type == "password_reset.requested"]
    assert set(event.payload) == {"user_id", "username", "email", "fingerprint"}
    token = urlsplit(mailed_link(shop)).path.split("/")[-2]
    assert shop.mail[-1].to == "alice@example.com"
    assert token not in str(event.payload)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer(trustme.CA(), "starttls") as server:
        yield server


def test_a_failing_smtp_server_is_no_500_and_the_mail_goes_out_when_it_is_back(
        make_shop: Callable[..., Shop], smtp: SmtpServer) -> None:
    shop = make_shop(public_url="https://shop.example.com")
    shop.register()
    mailer = SmtpMailer(smtp.url(), "shop@example.com", context=smtp.client_context())
    smtp.inbox.busy = True
    with shop.container.adapters.mailer.override(mailer):
        assert shop.client.post(RESET, json={"email": "alice@example.com"}).status_code == 202
        relay = shop.container.use_cases.relay_outbox
        while relay()().published:
            pass
        assert relay()().failed == 1
        assert shop_of(shop.app).outbox_status().unsent == 1
        smtp.inbox.busy = False
        assert relay()().published == 1
    [received] = smtp.wait_for(1)
    assert received.over_tls and received.rcpt_tos == ["alice@example.com"]
    assert "https://shop.example.com/api/users/password_reset/confirm/" in str(
        received.message.get_payload())


def test_reset_requests_are_limited_per_address_known_or_not(shop: Shop) -> None:
    shop.register()
    for email in ("alice@example.com", "eve@example.com"):
        for _ in range(5):
            assert shop.client.post(RESET, json={"email": email}).status_code == 202
        response = shop.client.post(RESET, json={"email": email.upper()})
        error_shape(response, 429)
        assert int(response.headers["Retry-After"]) > 0
    page = shop.client.post(RESET, data={"email": "alice@example.com"})
    assert (page.status_code, page.mimetype) == (429, "text/html")
    assert "Too many password reset requests" in page.get_data(as_text=True)
    assert len(shop.mail) == 5


def test_reset_requests_are_limited_per_client(make_shop: Callable[..., Shop]) -> None:
    shop = make_shop(proxies=1, reset_requests_per_client=3)
    for n in range(3):
        response = shop.client.post(RESET, json={"email": f"u{n}@example.com"},
                                    headers={"X-Forwarded-For": "198.51.100.7"})
        assert response.status_code == 202
    blocked = shop.client.post(RESET, json={"email": "u9@example.com"},
                               headers={"X-Forwarded-For": "198.51.100.7"})
    error_shape(blocked, 429)
    other = shop.client.post(RESET, json={"email": "u9@example.com"},
                             headers={"X-Forwarded-For": "198.51.100.8"})
    assert other.status_code == 202


# --- finding 8b: the link's token leaves the URL on its first GET -----------------------

def test_opening_a_link_trades_its_token_for_a_cookie_on_a_token_free_url(shop: Shop) -> None:
    shop.register()
    shop.client.post(RESET, json={"email": "alice@example.com"})
    path = urlsplit(mailed_link(shop)).path
    token = path.split("/")[-2]
    opened = shop.client.get(path)
    assert opened.status_code == 303
    assert opened.headers["Location"] == FORM
    cookie = opened.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and f"Path={FORM}" in cookie
    assert token not in cookie
    form = shop.client.get(FORM)
    assert form.status_code == 200 and 'name="new_password"' in form.get_data(as_text=True)
    assert token not in form.get_data(as_text=True)
    done = shop.client.post(FORM, data={"new_password": NEW_PASSWORD,
                                        "new_password_confirm": NEW_PASSWORD})
    assert done.status_code == 200 and "Password changed" in done.get_data(as_text=True)
    assert shop.client.get(FORM).status_code == 400
    used = shop.client.get(path)
    assert used.status_code == 400 and "cannot be used" in used.get_data(as_text=True)
    shop.login(password=NEW_PASSWORD)


def test_the_token_free_form_without_its_cookie_is_the_error_page(shop: Shop) -> None:
    shop.register()
    for response in (shop.client.get(FORM),
                     shop.client.post(FORM, data={"new_password": NEW_PASSWORD,
                                                  "new_password_confirm": NEW_PASSWORD})):
        assert (response.status_code, response.mimetype) == (400, "text/html")
        assert "cannot be used" in response.get_data(as_text=True)
    shop.login()


def test_json_clients_keep_the_token_path_and_may_use_the_cookie_too(shop: Shop) -> None:
    shop.register()
    shop.client.post(RESET, json={"email": "alice@example.com"})
    path = urlsplit(mailed_link(shop)).path
    assert shop.client.get(path).status_code == 303
    assert shop.client.post(FORM, json={"new_password": NEW_PASSWORD}).status_code == 204
    error_shape(shop.client.post(path, json={"new_password": "an0ther-pass"}), 400, "token")
    shop.client.post(RESET, json={"email": "alice@example.com"})
    second = urlsplit(mailed_link(shop)).path
    assert shop.client.post(second, json={"new_password": "an0ther-pass"}).status_code == 204
    shop.login(password="an0ther-pass")
