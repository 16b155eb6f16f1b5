"""The Users HTTP area, end to end through Flask; `both_databases` where storage shows."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from werkzeug.test import TestResponse

from shopcore.adapters.security.tokens import SignedResetTokens
from shopcore.application.password_reset import fingerprint
from shopcore.ports.security import ResetClaim
from tests.helpers import TEST_SECRET, Shop, make_settings, shop_of
from tests.helpers import assert_error as error_shape

PASSWORD = "s3cret-pass"
NEW_PASSWORD = "n3w-secret-pass"
LINK = re.compile(r"https?://\S+")
READ_ONLY = "This field is read-only."


def assert_error(response: TestResponse, code: int, *fields: str) -> dict[str, Any]:
    """The contract's one error shape, with `fields` at fault (and only them) when given."""
    body = error_shape(response, code, *fields)
    if fields:
        assert set(body["errors"]) == set(fields), body
    return body


def user_count(shop: Shop) -> int:
    with shop.container.adapters.uow() as uow:
        return int(uow.users.count())


def reset_link(shop: Shop) -> str:
    match = LINK.search(shop.mail[-1].body)
    assert match is not None, shop.mail[-1].body
    return match.group(0)


def request_reset(shop: Shop, email: str = "alice@example.com") -> str:
    """The path of a freshly mailed reset link."""
    response = shop.client.post("/api/users/password_reset/", json={"email": email})
    assert response.status_code == 202
    return urlsplit(reset_link(shop)).path


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refresh(client: FlaskClient, token: str) -> TestResponse:
    return client.post("/api/users/token/refresh/", json={"refresh": token})


def login(client: FlaskClient, password: str, address: str = "10.0.0.1",
          username: str = "alice") -> TestResponse:
    return client.post("/api/users/token/", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})




# --- register ---------------------------------------------------------------------------

@pytest.mark.both_databases
def test_registering_answers_201_with_the_id_username_and_email_only(shop: Shop) -> None:
    response = shop.client.post("/api/users/register/", json={
        "username": "alice", "password": PASSWORD, "email": "Alice@EXAMPLE.com"})
    assert response.status_code == 201
    body = response.get_json()
    assert body == {"id": body["id"], "username": "alice", "email": "Alice@example.com"}
    assert isinstance(body["id"], int)
    assert user_count(shop) == 1


@pytest.mark.both_databases
def test_a_taken_username_is_409_and_nothing_is_written(shop: Shop) -> None:
    shop.register("alice")
    response = shop.client.post("/api/users/register/", json={
        "username": "alice", "password": PASSWORD, "email": "other@example.com"})
    assert_error(response, 409, "username")
    assert user_count(shop) == 1


@pytest.mark.both_databases
def test_an_email_taken_in_another_case_is_409(shop: Shop) -> None:
    shop.register("alice", email="alice@example.com")
    response = shop.client.post("/api/users/register/", json={
        "username": "bob", "password": PASSWORD, "email": "ALICE@Example.COM"})
    assert_error(response, 409, "email")
    assert user_count(shop) == 1


@pytest.mark.parametrize(("username", "password"), [
    ("alice", "short1"),
    ("alice", "12345678901"),
    ("alice", ""),
    ("longname", "LongName"),
    ("alice", "é" * 37),
])
def test_a_weak_password_is_400_and_nothing_is_written(
        shop: Shop, username: str, password: str) -> None:
    response = shop.client.post("/api/users/register/", json={
        "username": username, "password": password, "email": "alice@example.com"})
    assert_error(response, 400, "password")
    assert user_count(shop) == 0


def test_a_password_of_exactly_72_utf8_bytes_is_accepted(shop: Shop) -> None:
    shop.register("alice", password="é" * 36)
    assert shop.login("alice", "é" * 36)["access"]


@pytest.mark.parametrize(("body", "field"), [
    ({"username": "ab"}, "username"),
    ({"username": "has space"}, "username"),
    ({"username": "\U0001f600\U0001f600\U0001f600"}, "username"),
    ({"username": "x" * 151}, "username"),
    ({"username": "o'brien"}, "username"),
    ({"username": "tab\tname"}, "username"),
    ({"email": "not-an-email"}, "email"),
    ({"email": ""}, "email"),
    ({"email": "a@b@example.com"}, "email"),
])
def test_an_invalid_username_or_email_is_400(
        shop: Shop, body: dict[str, str], field: str) -> None:
    data = {"username": "alice", "password": PASSWORD, "email": "alice@example.com", **body}
    assert_error(shop.client.post("/api/users/register/", json=data), 400, field)
    assert user_count(shop) == 0


@pytest.mark.parametrize("username", ["josé", "名前です", "Zoë.o-x", "Ünïcødé_99", "Ωμέγα+@"])
@pytest.mark.both_databases
def test_unicode_usernames_made_of_letters_register_and_log_in(
        shop: Shop, username: str) -> None:
    response = shop.client.post("/api/users/register/", json={
        "username": username, "password": PASSWORD, "email": "u@example.com"})
    assert response.status_code == 201
    assert response.get_json()["username"] == username
    assert shop.login(username, PASSWORD)["access"]


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"username", "password", "email"}),
    ({"username": "alice", "password": PASSWORD}, {"email"}),
    ({"username": 5, "password": PASSWORD, "email": "a@example.com"}, {"username"}),
    ({"username": "alice", "password": None, "email": "a@example.com"}, {"password"}),
    ({"username": "alice", "password": PASSWORD, "email": True}, {"email"}),
    ({"username": ["alice"], "password": {"x": 1}, "email": 1.5}, {"username", "password",
                                                                    "email"}),
    ({"username": "alice", "password": PASSWORD, "email": "a@example.com", "is_staff": True},
     {"is_staff"}),
    ({"username": "al\x00ice", "password": PASSWORD, "email": "a@example.com"}, {"username"}),
    ({"username": "alice", "password": PASSWORD, "email": "a\x00b@example.com"}, {"email"}),
])
def test_a_body_with_wrong_types_missing_or_unknown_fields_is_400(
        shop: Shop, body: dict[str, Any], fields: set[str]) -> None:
    response = shop.client.post("/api/users/register/", json=body)
    assert_error(response, 400, *fields)
    assert user_count(shop) == 0


def test_a_lone_surrogate_in_a_password_is_400_not_a_server_error(shop: Shop) -> None:
    raw = '{"username": "alice", "password": "pass\\ud800word", "email": "a@example.com"}'
    response = shop.client.post("/api/users/register/", data=raw,
                                content_type="application/json")
    assert_error(response, 400, "password")
    assert user_count(shop) == 0


# --- token ------------------------------------------------------------------------------

def test_logging_in_gives_an_access_and_a_refresh_token(shop: Shop) -> None:
    shop.register()
    response = login(shop.client, PASSWORD)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access", "refresh"}
    assert shop.client.get("/api/users/profile/", headers=bearer(body["access"])).status_code == 200


def test_an_unknown_user_and_a_wrong_password_get_the_same_401(shop: Shop) -> None:
    shop.register()
    wrong = login(shop.client, "wrong-password")
    unknown = login(shop.client, PASSWORD, username="nobody")
    assert_error(wrong, 401)
    assert wrong.get_json() == unknown.get_json()
    assert unknown.status_code == 401


@pytest.mark.parametrize("body", [{}, {"username": "alice"}, {"username": 1, "password": "x"},
                                  {"username": "alice", "password": PASSWORD, "extra": 1},
                                  {"username": "al\x00ice", "password": PASSWORD}])
def test_a_bad_login_body_is_400(shop: Shop, body: dict[str, Any]) -> None:
    shop.register()
    assert_error(shop.client.post("/api/users/token/", json=body), 400)


def test_the_sixth_failed_login_from_one_address_is_429_with_retry_after(shop: Shop) -> None:
    shop.register()
    for _ in range(5):
        assert login(shop.client, "wrong-password").status_code == 401
    blocked = login(shop.client, "wrong-password")
    assert_error(blocked, 429)
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert login(shop.client, PASSWORD).status_code == 429
    assert login(shop.client, PASSWORD, address="10.0.0.2").status_code == 200


def test_a_successful_login_forgives_earlier_failures(shop: Shop) -> None:
    shop.register()
    for _ in range(4):
        login(shop.client, "wrong-password")
    assert login(shop.client, PASSWORD).status_code == 200
    for _ in range(4):
        assert login(shop.client, "wrong-password").status_code == 401
    assert login(shop.client, PASSWORD).status_code == 200


def test_failures_from_many_addresses_block_those_addresses_not_the_owner_from_a_new_one(
        make_shop: Callable[..., Shop]) -> None:
    shop = make_shop(login_failures_per_user=3)
    shop.register()
    for n in range(3):
        assert login(shop.client, "wrong-password", address=f"10.0.1.{n}").status_code == 401
    blocked = login(shop.client, PASSWORD, address="10.0.1.1")
    assert_error(blocked, 429)
    assert int(blocked.headers["Retry-After"]) > 0
    assert login(shop.client, PASSWORD, address="10.0.2.1").status_code == 200
    shop.register("bob")
    assert login(shop.client, PASSWORD, address="10.0.1.1", username="bob").status_code == 200


# --- refresh and logout -----------------------------------------------------------------

@pytest.mark.both_databases
def test_refreshing_rotates_the_pair_and_the_old_refresh_then_fails(shop: Shop) -> None:
    shop.register()
    first = shop.login()
    response = refresh(shop.client, first["refresh"])
    assert response.status_code == 200
    second = response.get_json()
    assert set(second) == {"access", "refresh"}
    assert second["refresh"] != first["refresh"]
    assert shop.client.get("/api/users/profile/",
                           headers=bearer(second["access"])).status_code == 200
    assert_error(refresh(shop.client, first["refresh"]), 401)


@pytest.mark.both_databases
def test_reusing_a_rotated_refresh_token_revokes_its_whole_family(shop: Shop) -> None:
    shop.register()
    stolen = shop.login()
    other_session = shop.login()
    rotated = refresh(shop.client, stolen["refresh"]).get_json()
    assert_error(refresh(shop.client, stolen["refresh"]), 401)
    assert_error(refresh(shop.client, rotated["refresh"]), 401)
    assert refresh(shop.client, other_session["refresh"]).status_code == 200


def test_an_access_token_is_not_a_refresh_token_nor_the_reverse(shop: Shop) -> None:
    shop.register()
    pair = shop.login()
    assert_error(refresh(shop.client, pair["access"]), 401)
    assert_error(shop.client.get("/api/users/profile/", headers=bearer(pair["refresh"])), 401)
    assert refresh(shop.client, pair["refresh"]).status_code == 200


@pytest.mark.parametrize(("body", "code"), [({"refresh": "not-a-jwt"}, 401),
                                            ({"refresh": 12}, 400), ({}, 400)])
def test_a_bad_refresh_body_or_token_is_refused(
        shop: Shop, body: dict[str, Any], code: int) -> None:
    assert_error(shop.client.post("/api/users/token/refresh/", json=body), code)


def test_logging_out_revokes_that_refresh_token_only(shop: Shop) -> None:
    shop.register()
    pair, other = shop.login(), shop.login()
    response = shop.client.post("/api/users/logout/", headers=bearer(pair["access"]),
                                json={"refresh": pair["refresh"]})
    assert response.status_code == 204
    assert response.data == b""
    assert_error(refresh(shop.client, pair["refresh"]), 401)
    assert refresh(shop.client, other["refresh"]).status_code == 200


def test_logging_out_needs_an_access_token_before_anything_else(shop: Shop) -> None:
    shop.register()
    pair = shop.login()
    response = shop.client.post("/api/users/logout/", json={"nonsense": True})
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert refresh(shop.client, pair["refresh"]).status_code == 200


def test_logging_out_with_another_users_refresh_token_is_401_and_revokes_nothing(
        shop: Shop) -> None:
    shop.register("alice")
    shop.register("bob")
    alice, bob = shop.login("alice"), shop.login("bob")
    response = shop.client.post("/api/users/logout/", headers=bearer(alice["access"]),
                                json={"refresh": bob["refresh"]})
    assert_error(response, 401)
    assert refresh(shop.client, bob["refresh"]).status_code == 200


# --- profile ----------------------------------------------------------------------------

def test_the_profile_shows_the_callers_account(shop: Shop) -> None:
    shop.register("bob")
    user = shop.register("alice")
    response = shop.client.get("/api/users/profile/", headers=bearer(shop.login()["access"]))
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["id", "username", "email", "first_name", "last_name",
                          "date_joined", "is_staff"]
    assert body["id"] == user["id"]
    assert (body["username"], body["email"], body["first_name"], body["last_name"],
            body["is_staff"]) == ("alice", "alice@example.com", "", "", False)
    assert datetime.fromisoformat(body["date_joined"]).tzinfo is not None


def test_a_staff_profile_says_so(shop: Shop) -> None:
    response = shop.client.get("/api/users/profile/", headers=shop.staff())
    assert response.get_json()["is_staff"] is True


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer not-a-jwt", "Token abc", "Basic abc"])
def test_the_profile_needs_a_valid_access_token(shop: Shop, header: str) -> None:
    headers = {"Authorization": header} if header else {}
    assert_error(shop.client.get("/api/users/profile/", headers=headers), 401)


def test_patching_the_profile_changes_the_email_and_names(shop: Shop) -> None:
    headers = shop.customer()
    response = shop.client.patch("/api/users/profile/", headers=headers, json={
        "email": "New@EXAMPLE.org", "first_name": "Alice", "last_name": "Liddell",
        "current_password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["email"], body["first_name"], body["last_name"]) == (
        "New@example.org", "Alice", "Liddell")
    assert shop.client.get("/api/users/profile/", headers=headers).get_json() == body


def test_put_changes_only_the_fields_it_sends(shop: Shop) -> None:
    headers = shop.customer()
    shop.client.patch("/api/users/profile/", headers=headers,
                      json={"first_name": "Alice", "last_name": "Liddell"})
    response = shop.client.put("/api/users/profile/", headers=headers, json={"last_name": "L."})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["email"], body["first_name"], body["last_name"]) == (
        "alice@example.com", "Alice", "L.")
    assert shop.client.put("/api/users/profile/", headers=headers, json={}).get_json() == body


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("field", ["id", "username", "is_staff", "date_joined"])
def test_read_only_profile_fields_are_400_and_change_nothing(
        shop: Shop, method: str, field: str) -> None:
    headers = shop.customer()
    before = shop.client.get("/api/users/profile/", headers=headers).get_json()
    values = {"id": 99, "username": "mallory", "is_staff": True,
              "date_joined": "2000-01-01T00:00:00+00:00"}
    response = getattr(shop.client, method)("/api/users/profile/", headers=headers,
                                            json={field: values[field], "first_name": "X"})
    body = assert_error(response, 400, field)
    assert body["errors"][field] == [READ_ONLY]
    assert shop.client.get("/api/users/profile/", headers=headers).get_json() == before


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "not-an-email"}, "email"),
    ({"email": ""}, "email"),
    ({"email": None}, "email"),
    ({"first_name": "x" * 151}, "first_name"),
    ({"last_name": 7}, "last_name"),
    ({"first_name": "Al\x00"}, "first_name"),
    ({"nickname": "al"}, "nickname"),
])
def test_an_invalid_profile_change_is_400_and_changes_nothing(
        shop: Shop, body: dict[str, Any], field: str) -> None:
    headers = shop.customer()
    before = shop.client.get("/api/users/profile/", headers=headers).get_json()
    assert_error(shop.client.patch("/api/users/profile/", headers=headers, json=body), 400, field)
    assert shop.client.get("/api/users/profile/", headers=headers).get_json() == before


@pytest.mark.both_databases
def test_taking_another_users_email_is_409(shop: Shop) -> None:
    shop.register("bob", email="bob@example.com")
    headers = shop.customer("alice")
    response = shop.client.patch("/api/users/profile/", headers=headers,
                                 json={"email": "BOB@example.com", "current_password": PASSWORD})
    assert_error(response, 409, "email")
    profile = shop.client.get("/api/users/profile/", headers=headers).get_json()
    assert profile["email"] == "alice@example.com"


def test_the_profile_refuses_anonymous_changes(shop: Shop) -> None:
    assert_error(shop.client.patch("/api/users/profile/", json={"first_name": "X"}), 401)


# --- password change --------------------------------------------------------------------

def test_changing_the_password_replaces_it_and_revokes_refresh_tokens(shop: Shop) -> None:
    shop.register()
    pair = shop.login()
    response = shop.client.post("/api/users/password/change/", headers=bearer(pair["access"]),
                                json={"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 204
    assert_error(refresh(shop.client, pair["refresh"]), 401)
    assert_error(login(shop.client, PASSWORD), 401)
    assert login(shop.client, NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({"old_password": "wrong-password", "new_password": NEW_PASSWORD}, "old_password"),
    ({"old_password": PASSWORD, "new_password": "short"}, "new_password"),
    ({"old_password": PASSWORD, "new_password": "alice"}, "new_password"),
    ({"old_password": PASSWORD}, "new_password"),
    ({"old_password": PASSWORD, "new_password": 12345678}, "new_password"),
    ({"old_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": "x"}, "confirm"),
])
def test_a_bad_password_change_is_400_and_keeps_the_password(
        shop: Shop, body: dict[str, Any], field: str) -> None:
    shop.register()
    pair = shop.login()
    response = shop.client.post("/api/users/password/change/", headers=bearer(pair["access"]),
                                json=body)
    assert_error(response, 400, field)
    assert login(shop.client, PASSWORD).status_code == 200
    assert refresh(shop.client, pair["refresh"]).status_code == 200


def test_changing_the_password_needs_an_access_token(shop: Shop) -> None:
    response = shop.client.post("/api/users/password/change/",
                                json={"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert_error(response, 401)


# --- password reset: asking for a link ----------------------------------------------------

def test_the_reset_page_is_an_html_form_asking_for_the_email(shop: Shop) -> None:
    response = shop.client.get("/api/users/password_reset/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<form method="post"' in html
    assert 'name="email"' in html
    assert "http://" not in html and "https://" not in html


def test_asking_by_json_answers_202_and_mails_a_link(shop: Shop) -> None:
    shop.register()
    response = shop.client.post("/api/users/password_reset/",
                                json={"email": "ALICE@example.com"})
    assert response.status_code == 202
    assert set(response.get_json()) == {"detail"}
    assert len(shop.mail) == 1
    assert shop.mail[0].to == "alice@example.com"
    assert reset_link(shop).startswith("http://127.0.0.1:8000/api/users/password_reset/confirm/")


def test_asking_by_form_answers_a_check_your_mail_page_and_mails_a_link(shop: Shop) -> None:
    shop.register()
    response = shop.client.post("/api/users/password_reset/",
                                data={"email": "alice@example.com"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Check your mail" in response.get_data(as_text=True)
    assert len(shop.mail) == 1
    assert reset_link(shop).startswith("http://127.0.0.1:8000/api/users/password_reset/confirm/")


def test_an_unknown_email_gets_the_same_answer_and_no_mail(shop: Shop) -> None:
    shop.register()
    known = shop.client.post("/api/users/password_reset/", json={"email": "alice@example.com"})
    unknown = shop.client.post("/api/users/password_reset/", json={"email": "eve@example.com"})
    assert (unknown.status_code, unknown.get_json()) == (known.status_code, known.get_json())
    known_page = shop.client.post("/api/users/password_reset/", data={"email": "alice@example.com"})
    unknown_page = shop.client.post("/api/users/password_reset/", data={"email": "eve@example.com"})
    assert unknown_page.status_code == known_page.status_code == 200
    assert unknown_page.data == known_page.data
    assert [m.to for m in shop.mail] == ["alice@example.com", "alice@example.com"]


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "not-an-email"}, "email"), ({}, "email"), ({"email": None}, "email"),
    ({"email": "alice@example.com", "username": "alice"}, "username"),
    ({"email": "alice\x00@example.com"}, "email"),
])
def test_asking_by_json_with_a_bad_body_is_400_and_sends_nothing(
        shop: Shop, body: dict[str, Any], field: str) -> None:
    shop.register()
    assert_error(shop.client.post("/api/users/password_reset/", json=body), 400, field)
    assert shop.mail == []


def test_asking_by_form_with_a_bad_email_shows_the_form_again_with_400(shop: Shop) -> None:
    response = shop.client.post("/api/users/password_reset/", data={"email": "<b>nope"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Enter a valid e-mail address." in html
    assert 'value="&lt;b&gt;nope"' in html
    nul = shop.client.post("/api/users/password_reset/", data={"email": "a\x00@example.com"})
    assert nul.status_code == 400 and nul.mimetype == "text/html"
    assert shop.mail == []


def test_the_link_uses_the_public_url_when_one_is_set(make_shop: Callable[..., Shop]) -> None:
    shop = make_shop(public_url="https://shop.example.com/")
    shop.register()
    shop.client.post("/api/users/password_reset/", json={"email": "alice@example.com"},
                     headers={"Host": "evil.example.net"})
    assert reset_link(shop).startswith(
        "https://shop.example.com/api/users/password_reset/confirm/")


# --- password reset: using the link -------------------------------------------------------

def test_a_good_link_shows_the_new_password_form(shop: Shop) -> None:
    shop.register()
    response = shop.client.get(request_reset(shop), follow_redirects=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'name="new_password"' in html and 'name="new_password_confirm"' in html
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("token", ["garbage", "WzEsImFiYyJd.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"])
def test_a_bad_link_shows_an_html_error_page_with_400(shop: Shop, token: str) -> None:
    shop.register()
    response = shop.client.get(f"/api/users/password_reset/confirm/{token}/")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "invalid, expired or already used" in response.get_data(as_text=True)


@pytest.mark.both_databases
def test_resetting_by_form_sets_the_password_and_revokes_refresh_tokens(shop: Shop) -> None:
    shop.register()
    pair = shop.login()
    path = request_reset(shop)
    response = shop.client.post(path, data={"new_password": NEW_PASSWORD,
                                            "new_password_confirm": NEW_PASSWORD})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Password changed" in response.get_data(as_text=True)
    assert_error(refresh(shop.client, pair["refresh"]), 401)
    assert_error(login(shop.client, PASSWORD), 401)
    assert login(shop.client, NEW_PASSWORD).status_code == 200


def test_resetting_by_json_answers_204(shop: Shop) -> None:
    shop.register()
    pair = shop.login()
    response = shop.client.post(request_reset(shop), json={"new_password": NEW_PASSWORD})
    assert response.status_code == 204
    assert_error(refresh(shop.client, pair["refresh"]), 401)
    assert login(shop.client, NEW_PASSWORD).status_code == 200


def test_a_link_works_once(shop: Shop) -> None:
    shop.register()
    path = request_reset(shop)
    assert shop.client.post(path, json={"new_password": NEW_PASSWORD}).status_code == 204
    assert_error(shop.client.post(path, json={"new_password": "an0ther-pass"}), 400, "token")
    assert shop.client.get(path, follow_redirects=True).status_code == 400
    page = shop.client.post(path, data={"new_password": "an0ther-pass",
                                        "new_password_confirm": "an0ther-pass"})
    assert page.status_code == 400
    assert "cannot be used" in page.get_data(as_text=True)
    assert login(shop.client, NEW_PASSWORD).status_code == 200


def test_using_one_link_spends_every_other_link_of_that_user(shop: Shop) -> None:
    shop.register()
    first, second = request_reset(shop), request_reset(shop)
    assert shop.client.post(second, json={"new_password": NEW_PASSWORD}).status_code == 204
    assert_error(shop.client.post(first, json={"new_password": "an0ther-pass"}), 400, "token")


class _HourAgoSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 3601


def signed_path(shop: Shop, user_id: int, signer: type[TimestampSigner] = TimestampSigner) -> str:
    """A confirm path with a token signed here, as the app would, by `signer`."""
    stored = shop.container.use_cases.get_profile()(user_id=user_id)
    tokens = SignedResetTokens(TEST_SECRET, timedelta(hours=1))
    tokens.serializer.signer = signer
    token = tokens.make(ResetClaim(user_id, fingerprint(stored)))
    return f"/api/users/password_reset/confirm/{token}/"


def test_an_expired_link_is_400_as_html_and_as_json(shop: Shop) -> None:
    path = signed_path(shop, shop.register()["id"], _HourAgoSigner)
    assert shop.client.get(path, follow_redirects=True).status_code == 400
    form = shop.client.post(path, data={"new_password": NEW_PASSWORD,
                                        "new_password_confirm": NEW_PASSWORD})
    assert form.status_code == 400 and form.mimetype == "text/html"
    assert_error(shop.client.post(path, json={"new_password": NEW_PASSWORD}), 400, "token")
    assert login(shop.client, PASSWORD).status_code == 200


def test_a_link_signed_just_now_with_the_same_claim_works(shop: Shop) -> None:
    assert shop.client.get(signed_path(shop, shop.register()["id"]),
                           follow_redirects=True).status_code == 200


@pytest.mark.parametrize(("form", "message"), [
    ({"new_password": NEW_PASSWORD, "new_password_confirm": "different-pass"},
     "The two passwords do not match."),
    ({"new_password": "short", "new_password_confirm": "short"}, "too short"),
    ({"new_password": NEW_PASSWORD}, "Missing data for required field."),
])
def test_a_bad_form_shows_the_form_again_with_400_and_keeps_the_link(
        shop: Shop, form: dict[str, str], message: str) -> None:
    shop.register()
    path = request_reset(shop)
    response = shop.client.post(path, data=form)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert message in html and 'name="new_password"' in html
    assert login(shop.client, PASSWORD).status_code == 200
    assert shop.client.get(path, follow_redirects=True).status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({}, "new_password"),
    ({"new_password": 12345678}, "new_password"),
    ({"new_password": "short"}, "new_password"),
    ({"new_password": NEW_PASSWORD, "new_password_confirm": "other-pass"},
     "new_password_confirm"),
    ({"new_password": NEW_PASSWORD, "token": "x"}, "token"),
])
def test_a_bad_json_reset_is_400_and_keeps_the_link(
        shop: Shop, body: dict[str, Any], field: str) -> None:
    shop.register()
    path = request_reset(shop)
    assert_error(shop.client.post(path, json=body), 400, field)
    assert shop.client.get(path, follow_redirects=True).status_code == 200


# --- the OpenAPI document -------------------------------------------------------------

def test_every_users_endpoint_is_in_the_openapi_document(shop: Shop) -> None:
    spec = shop.client.get("/api/openapi.json").get_json()
    paths = spec["paths"]
    expected = {
        "/api/users/register/": {"post"}, "/api/users/token/": {"post"},
        "/api/users/token/refresh/": {"post"}, "/api/users/logout/": {"post"},
        "/api/users/profile/": {"get", "put", "patch"},
        "/api/users/password/change/": {"post"}, "/api/users/password_reset/": {"get", "post"},
        "/api/users/password_reset/confirm/{token}/": {"get", "post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    for path, method in [("/api/users/logout/", "post"), ("/api/users/profile/", "get"),
                         ("/api/users/profile/", "patch"), ("/api/users/password/change/", "post")]:
        assert paths[path][method]["security"] == [{"bearerAuth": []}]
    assert "security" not in paths["/api/users/token/"]["post"]
    reset_body = paths["/api/users/password_reset/"]["post"]["requestBody"]["content"]
    assert {"application/json", "application/x-www-form-urlencoded"} <= set(reset_body)
    profile = spec["components"]["schemas"]["Profile"]["properties"]
    assert all(profile[f].get("readOnly") for f in ("id", "username", "is_staff", "date_joined"))


def test_a_request_for_an_untrusted_host_is_refused_when_trusted_hosts_are_set(
    database_url: str,
) -> None:
    from shopcore.entrypoints.http import create_app

    app = create_app(make_settings(database_url, trusted_hosts=("shop.example",)))
    client = app.test_client()
    evil = client.post("/api/users/password_reset/", json={"email": "a@example.com"},
                       headers={"Host": "evil.example"})
    assert evil.status_code == 400
    assert evil.get_json()["status"] == "Bad Request"
    good = client.post("/api/users/password_reset/", json={"email": "a@example.com"},
                       headers={"Host": "shop.example"})
    assert good.status_code == 202
    shop_of(app).close()


def test_behind_a_proxy_the_throttle_counts_the_forwarded_client_address(
    database_url: str,
) -> None:
    from shopcore.entrypoints.http import create_app

    app = create_app(make_settings(database_url, proxies=1, login_failures_per_address=1))
    client = app.test_client()
    body = {"username": "nobody", "password": "wrong-pass"}
    first = client.post("/api/users/token/", json=body,
                        headers={"X-Forwarded-For": "198.51.100.1"})
    assert first.status_code == 401
    blocked = client.post("/api/users/token/", json=body,
                          headers={"X-Forwarded-For": "198.51.100.1"})
    assert blocked.status_code == 429
    other = client.post("/api/users/token/", json=body,
                        headers={"X-Forwarded-For": "198.51.100.2"})
    assert other.status_code == 401
    shop_of(app).close()
