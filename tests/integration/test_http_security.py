"""Issue 10 over HTTP: headers, capped usernames, look-alikes, revocation, the signing key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shopcore.domain.user import User
from shopcore.settings import SettingsError
from tests.helpers import (
    NO_FIELD,
    Headers,
    Shop,
    assert_error,
    make_category,
    make_product,
    make_settings,
    shop_of,
)

PASSWORD = "s3cret-pass"




def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def edit_account(shop: Shop, username: str, **changes: bool) -> None:
    """What an administrator's tool does: change the stored account behind the app's back."""
    with shop.container.adapters.uow() as uow:
        user = uow.users.by_username(username)
        assert isinstance(user, User)
        for name, value in changes.items():
            setattr(user, name, value)
        uow.users.save(user)
        uow.commit()


# --- headers ----------------------------------------------------------------------------

def test_every_answer_says_nosniff_and_plain_http_gets_no_hsts(client: Any) -> None:
    answers = [client.get("/api/products/"), client.get("/api/nowhere/"),
               client.delete("/api/products/"), client.get("/api/users/profile/"),
               client.post("/api/users/token/", data="x", content_type="text/plain"),
               client.get("/api/openapi.json"), client.get("/healthz")]
    for answer in answers:
        assert answer.headers["X-Content-Type-Options"] == "nosniff", answer.status
        assert "Strict-Transport-Security" not in answer.headers


def test_an_answer_over_tls_carries_hsts(client: Any) -> None:
    for path in ("/api/products/", "/api/nowhere/"):
        answer = client.get(path, base_url="https://shop.example")
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_behind_a_trusted_proxy_a_forwarded_https_gets_hsts_and_untrusted_gets_none(
        make_shop: Callable[..., Shop]) -> None:
    proxied = make_shop(proxies=1).client.get("/api/products/",
                                              headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in proxied.headers
    direct = make_shop().client.get("/api/products/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in direct.headers


# --- usernames --------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["a" * 151, "\ufdfa" * 9, "x" * 100_000])
def test_an_overlong_username_is_400_on_register_and_on_login(shop: Shop, username: str) -> None:
    register = shop.client.post("/api/users/register/", json={
        "username": username, "email": "long@example.com", "password": PASSWORD})
    assert_error(register, 400, "username")
    token = shop.client.post("/api/users/token/", json={"username": username,
                                                        "password": PASSWORD})
    assert_error(token, 400, "username")


def test_a_username_that_looks_like_a_taken_one_is_409(shop: Shop) -> None:
    shop.register("alice")
    for lookalike in ("\u0430lice", "ALICE", "\u0391LICE"):
        answer = shop.client.post("/api/users/register/", json={
            "username": lookalike, "email": "mallory@example.com", "password": PASSWORD})
        assert_error(answer, 409, "username")


# --- revocation -------------------------------------------------------------------------

def test_after_logout_the_old_access_token_is_401(shop: Shop) -> None:
    shop.register()
    pair = shop.login()
    assert shop.client.get("/api/users/profile/", headers=bearer(pair["access"])).status_code \
        == 200
    answer = shop.client.post("/api/users/logout/", json={"refresh": pair["refresh"]},
                              headers=bearer(pair["access"]))
    assert answer.status_code == 204
    assert_error(shop.client.get("/api/users/profile/", headers=bearer(pair["access"])), 401)
    fresh = shop.login()
    assert shop.client.get("/api/users/profile/", headers=bearer(fresh["access"])).status_code \
        == 200


def test_after_a_password_change_the_old_access_token_is_401(shop: Shop) -> None:
    shop.register()
    access = shop.login()["access"]
    answer = shop.client.post("/api/users/password/change/", headers=bearer(access), json={
        "old_password": PASSWORD, "new_password": "n3w-secret-pass"})
    assert answer.status_code == 204
    assert_error(shop.client.get("/api/cart/", headers=bearer(access)), 401)


def test_after_a_reused_refresh_token_the_access_tokens_are_401(shop: Shop) -> None:
    shop.register()
    pair = shop.login()
    rotated = shop.client.post("/api/users/token/refresh/", json={"refresh": pair["refresh"]})
    assert rotated.status_code == 200
    reused = shop.client.post("/api/users/token/refresh/", json={"refresh": pair["refresh"]})
    assert_error(reused, 401)
    for access in (pair["access"], rotated.get_json()["access"]):
        assert_error(shop.client.get("/api/cart/", headers=bearer(access)), 401)


def test_a_demoted_admins_token_no_longer_writes_the_catalog(
        make_shop: Callable[..., Shop]) -> None:
    shop = make_shop(account_cache_seconds=0)
    staff = shop.staff("boss")
    make_category(shop.client, staff, "Books")
    edit_account(shop, "boss", is_staff=False)
    answer = shop.client.post("/api/categories/", json={"name": "Toys"}, headers=staff)
    assert_error(answer, 403)


def test_a_deactivated_users_token_no_longer_reads_the_cart(
        make_shop: Callable[..., Shop]) -> None:
    shop = make_shop(account_cache_seconds=0)
    alice = shop.customer("alice")
    assert shop.client.get("/api/cart/", headers=alice).status_code == 200
    edit_account(shop, "alice", is_active=False)
    assert_error(shop.client.get("/api/cart/", headers=alice), 401)


def test_the_sixth_wrong_old_password_is_429(shop: Shop) -> None:
    shop.register()
    access = shop.login()["access"]
    body = {"old_password": "wrong-password", "new_password": "n3w-secret-pass"}
    for _ in range(5):
        answer = shop.client.post("/api/users/password/change/", headers=bearer(access),
                                  json=body)
        assert_error(answer, 400, "old_password")
    blocked = shop.client.post("/api/users/password/change/", headers=bearer(access), json={
        "old_password": PASSWORD, "new_password": "n3w-secret-pass"})
    assert_error(blocked, 429)
    assert int(blocked.headers["Retry-After"]) > 0


def test_the_sixth_wrong_current_password_on_an_email_change_is_429(shop: Shop) -> None:
    shop.register()
    access = shop.login()["access"]
    body = {"email": "new@example.com", "current_password": "wrong-password"}
    for method in ("patch", "put", "patch", "put", "patch"):
        answer = getattr(shop.client, method)("/api/users/profile/", headers=bearer(access),
                                              json=body)
        assert_error(answer, 400, "current_password")
    blocked = shop.client.patch("/api/users/profile/", headers=bearer(access), json={
        "email": "new@example.com", "current_password": PASSWORD})
    assert_error(blocked, 429)
    assert int(blocked.headers["Retry-After"]) > 0


# --- the signing key in production ------------------------------------------------------

@pytest.fixture
def production_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name, value in {"SHOPCORE_ENV": "Production", "SHOPCORE_VAR_DIR": str(tmp_path / "var"),
                        "SHOPCORE_DATABASE_URL": "memory://", "SHOPCORE_REDIS_URL": "",
                        "SHOPCORE_PUBLIC_URL": "https://shop.example.com",
                        "SHOPCORE_SMTP_URL": "smtp://mail.example.com"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SHOPCORE_SECRET_KEY", raising=False)
    return tmp_path / "var"


def test_in_production_the_web_app_refuses_to_start_without_a_secret_key(
        production_env: Path) -> None:
    from shopcore.entrypoints.http import create_app

    with pytest.raises(SettingsError, match="SHOPCORE_SECRET_KEY"):
        create_app()
    assert not (production_env / "secret_key").exists()
    with pytest.raises(SettingsError, match="SHOPCORE_SECRET_KEY"):
        create_app(make_settings(environment="production", secret_key="", database_url="memory://",
                                 public_url="https://shop.example.com", mailer="memory"))


def test_in_production_a_short_or_generated_key_is_refused_and_a_real_one_serves(
        production_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shopcore.entrypoints.http import create_app
    from shopcore.settings import Settings

    monkeypatch.setenv("SHOPCORE_SECRET_KEY", "too-short")
    with pytest.raises(SettingsError, match="SHOPCORE_SECRET_KEY"):
        create_app()
    generated = Settings.from_env({"SHOPCORE_VAR_DIR": str(production_env)}, dotenv=None)
    monkeypatch.setenv("SHOPCORE_SECRET_KEY", generated.secret_key)
    with pytest.raises(SettingsError, match="SHOPCORE_SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SHOPCORE_SECRET_KEY", "a-real-production-key-" + "0123456789" * 3)
    app = create_app()
    assert app.test_client().get("/api/products/").status_code == 200
    shop_of(app).close()


# --- pending orders ---------------------------------------------------------------------

def test_one_account_holds_at_most_the_pending_cap_of_orders(
        make_shop: Callable[..., Shop]) -> None:
    shop = make_shop(max_pending_orders=2)
    staff = shop.staff()
    books = make_category(shop.client, staff, "Books")["id"]
    product = make_product(shop.client, staff, books, "Dune", "12.50", stock=100)["id"]
    alice = shop.customer("alice")

    def checkout() -> Any:
        added = shop.client.post("/api/cart/add/", json={"product_id": product, "quantity": 1},
                                 headers=alice)
        assert added.status_code == 200
        return shop.client.post("/api/orders/create/", headers=alice)

    first, second = checkout(), checkout()
    assert (first.status_code, second.status_code) == (201, 201)
    refused = checkout()
    assert_error(refused, 409, NO_FIELD)
    assert "unpaid orders" in refused.get_json()["message"]
    assert shop.client.get(f"/api/products/{product}/").get_json()["stock"] == 98
    cancelled = shop.client.post(f"/api/orders/{first.get_json()['id']}/cancel/", headers=alice)
    assert cancelled.status_code == 200
    assert shop.client.post("/api/orders/create/", headers=alice).status_code == 201
