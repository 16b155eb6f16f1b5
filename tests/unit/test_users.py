"""The users' use cases on in-memory adapters: accounts, sessions, password change and reset."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from shopcore import App
from shopcore.adapters.clock import FixedClock
from shopcore.domain.errors import (
    AuthenticationFailed,
    Conflict,
    NotFound,
    Throttled,
    ValidationFailed,
)
from shopcore.domain.user import User
from shopcore.ports.mail import Message
from shopcore.ports.security import TokenKind

PASSWORD = "s3cret-pass"
LINK = re.compile(r"https://shop\.test/api/users/password_reset/confirm/(\S+)/")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def shop(clock: FixedClock) -> Iterator[App]:
    app = App.in_memory(password_hasher="plain", public_url="https://shop.test/")
    app.container.core.clock.override(clock)
    yield app
    app.container.core.clock.reset_override()
    app.close()


def register(shop: App, username: str = "alice", email: str | None = None,
             password: str = PASSWORD) -> User:
    user: User = shop.register_user(username=username, password=password,
                                    email=email or f"{username}@example.com")
    return user


def delivered(shop: App) -> list[Message]:
    """Relay the outbox and hand each event to the handlers, as `consume-events` does."""
    while shop.relay_outbox().published:
        pass
    for envelope in shop.container.adapters.event_publisher().published:
        shop.handle_event(consumer="test", message=envelope.to_message())
    sent: list[Message] = shop.container.adapters.mailer().sent
    return sent


def mailed_token(shop: App) -> str:
    body = delivered(shop)[-1].body
    match = LINK.search(body)
    assert match is not None, body
    return match.group(1)


def reset(shop: App, email: str = "alice@example.com", client: str = "10.0.0.1") -> None:
    shop.request_password_reset(email=email, client=client)


def user_count(shop: App) -> int:
    with shop.container.adapters.uow() as uow:
        return int(uow.users.count())


# --- register and profile ---------------------------------------------------------------

def test_registering_creates_a_customer_with_a_hashed_password_and_the_domain_lowercased(
        shop: App, clock: FixedClock) -> None:
    user = register(shop, email="  Alice@EXAMPLE.Com ")
    assert user.id is not None
    assert (user.email, user.is_staff, user.date_joined) == ("Alice@example.com", False, clock.at)
    assert user.password_hash != PASSWORD
    assert shop.get_profile(user_id=user.id) == user


def test_usernames_are_unique_and_emails_unique_ignoring_case(shop: App) -> None:
    register(shop, "alice", email="alice@example.com")
    with pytest.raises(Conflict) as taken_name:
        register(shop, "alice", email="other@example.com")
    with pytest.raises(Conflict) as taken_email:
        register(shop, "bob", email="ALICE@example.COM")
    assert set(taken_name.value.errors) == {"username"}
    assert set(taken_email.value.errors) == {"email"}
    assert user_count(shop) == 1


@pytest.mark.parametrize(("username", "password"), [
    ("alice", "short"), ("alice", "1234567890"), ("alicealice", "AliceAlice"),
    ("alice", "ü" * 37),
])
def test_a_weak_password_is_refused_and_nothing_is_stored(
        shop: App, username: str, password: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        register(shop, username, password=password)
    assert set(refused.value.errors) == {"password"}
    assert user_count(shop) == 0


def test_every_broken_rule_of_a_registration_is_reported_at_once(shop: App) -> None:
    with pytest.raises(ValidationFailed) as refused:
        shop.register_user(username="a b", email="nope", password="1")
    assert set(refused.value.errors) == {"username", "email", "password"}


def test_updating_the_profile_changes_only_what_is_given(shop: App) -> None:
    user = register(shop)
    assert user.id is not None
    shop.update_profile(user_id=user.id, first_name="Alice", last_name="Liddell")
    changed = shop.update_profile(user_id=user.id, email="new@EXAMPLE.org",
                                  current_password=PASSWORD)
    assert (changed.email, changed.first_name, changed.last_name, changed.username) == (
        "new@example.org", "Alice", "Liddell", "alice")
    assert shop.get_profile(user_id=user.id) == changed


def test_a_profile_cannot_take_another_users_email(shop: App) -> None:
    register(shop, "bob")
    alice = register(shop, "alice")
    assert alice.id is not None
    with pytest.raises(Conflict):
        shop.update_profile(user_id=alice.id, email="Bob@example.com", current_password=PASSWORD)
    assert shop.get_profile(user_id=alice.id).email == "alice@example.com"


def test_an_invalid_profile_change_changes_nothing(shop: App) -> None:
    user = register(shop)
    assert user.id is not None
    with pytest.raises(ValidationFailed) as refused:
        shop.update_profile(user_id=user.id, email="nope", first_name="x" * 151)
    assert set(refused.value.errors) == {"email", "first_name"}
    assert shop.get_profile(user_id=user.id) == user


def test_an_unknown_user_has_no_profile(shop: App) -> None:
    with pytest.raises(NotFound):
        shop.get_profile(user_id=404)


# --- log in, refresh, log out -----------------------------------------------------------

def test_logging_in_gives_tokens_of_the_right_kinds(shop: App) -> None:
    user = register(shop)
    pair = shop.log_in(username="alice", password=PASSWORD, address="10.0.0.1")
    tokens = shop.container.adapters.tokens()
    assert tokens.verify(pair.access, TokenKind.ACCESS).user_id == user.id
    assert tokens.verify(pair.refresh, TokenKind.REFRESH).user_id == user.id
    with pytest.raises(AuthenticationFailed):
        tokens.verify(pair.access, TokenKind.REFRESH)


def test_an_unknown_user_and_a_wrong_password_fail_alike(shop: App) -> None:
    register(shop)
    with pytest.raises(AuthenticationFailed) as wrong:
        shop.log_in(username="alice", password="wrong-pass", address="10.0.0.1")
    with pytest.raises(AuthenticationFailed) as unknown:
        shop.log_in(username="nobody", password=PASSWORD, address="10.0.0.1")
    assert (wrong.value.message, wrong.value.errors) == (unknown.value.message,
                                                         unknown.value.errors)


def test_five_failures_from_one_address_block_the_sixth_attempt(shop: App) -> None:
    register(shop)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            shop.log_in(username="alice", password="wrong-pass", address="10.0.0.1")
    with pytest.raises(Throttled) as blocked:
        shop.log_in(username="alice", password=PASSWORD, address="10.0.0.1")
    assert blocked.value.retry_after > 0
    assert shop.log_in(username="alice", password=PASSWORD, address="10.0.0.2").access


def test_failures_from_many_addresses_block_them_but_not_the_owner_from_a_new_one() -> None:
    with App.in_memory(password_hasher="plain", login_failures_per_user=3) as shop:
        register(shop)
        for n in range(3):
            with pytest.raises(AuthenticationFailed):
                shop.log_in(username="alice", password="wrong-pass", address=f"10.0.0.{n}")
        with pytest.raises(Throttled):
            shop.log_in(username="alice", password=PASSWORD, address="10.0.0.1")
        assert shop.log_in(username="alice", password=PASSWORD, address="10.9.9.9").access


def test_refreshing_rotates_and_the_old_token_then_fails(shop: App) -> None:
    register(shop)
    first = shop.log_in(username="alice", password=PASSWORD, address="a")
    second = shop.refresh_tokens(refresh=first.refresh)
    assert second.refresh != first.refresh
    with pytest.raises(AuthenticationFailed):
        shop.refresh_tokens(refresh=first.refresh)


def test_reusing_a_rotated_token_revokes_its_family_but_not_other_sessions(shop: App) -> None:
    register(shop)
    stolen = shop.log_in(username="alice", password=PASSWORD, address="a")
    other = shop.log_in(username="alice", password=PASSWORD, address="a")
    rotated = shop.refresh_tokens(refresh=stolen.refresh)
    with pytest.raises(AuthenticationFailed):
        shop.refresh_tokens(refresh=stolen.refresh)
    with pytest.raises(AuthenticationFailed):
        shop.refresh_tokens(refresh=rotated.refresh)
    assert shop.refresh_tokens(refresh=other.refresh).access


def test_an_access_token_is_never_a_refresh_token(shop: App) -> None:
    register(shop)
    pair = shop.log_in(username="alice", password=PASSWORD, address="a")
    with pytest.raises(AuthenticationFailed):
        shop.refresh_tokens(refresh=pair.access)


def test_a_refresh_token_expires_after_seven_days(shop: App, clock: FixedClock) -> None:
    register(shop)
    pair = shop.log_in(username="alice", password=PASSWORD, address="a")
    clock.advance(days=6, hours=23)
    fresh = shop.refresh_tokens(refresh=pair.refresh)
    clock.advance(days=7, seconds=1)
    with pytest.raises(AuthenticationFailed):
        shop.refresh_tokens(refresh=fresh.refresh)


def test_an_access_token_expires_after_fifteen_minutes(shop: App, clock: FixedClock) -> None:
    register(shop)
    pair = shop.log_in(username="alice", password=PASSWORD, address="a")
    tokens = shop.container.adapters.tokens()
    clock.advance(minutes=14, seconds=59)
    assert tokens.verify(pair.access, TokenKind.ACCESS)
    clock.advance(seconds=1)
    with pytest.raises(AuthenticationFailed):
        tokens.verify(pair.access, TokenKind.ACCESS)


def test_logging_out_revokes_that_token_only(shop: App) -> None:
    user = register(shop)
    assert user.id is not None
    pair = shop.log_in(username="alice", password=PASSWORD, address="a")
    other = shop.log_in(username="alice", password=PASSWORD, address="a")
    shop.log_out(user_id=user.id, refresh=pair.refresh)
    with pytest.raises(AuthenticationFailed):
        shop.refresh_tokens(refresh=pair.refresh)
    assert shop.refresh_tokens(refresh=other.refresh).access


def test_nobody_logs_out_another_users_session(shop: App) -> None:
    alice, _ = register(shop, "alice"), register(shop, "bob")
    assert alice.id is not None
    bobs = shop.log_in(username="bob", password=PASSWORD, address="a")
    with pytest.raises(AuthenticationFailed):
        shop.log_out(user_id=alice.id, refresh=bobs.refresh)
    assert shop.refresh_tokens(refresh=bobs.refresh).access


# --- password change and reset ----------------------------------------------------------

def test_changing_the_password_revokes_every_refresh_token(shop: App) -> None:
    user = register(shop)
    assert user.id is not None
    pair = shop.log_in(username="alice", password=PASSWORD, address="a")
    shop.change_password(user_id=user.id, old_password=PASSWORD, new_password="n3w-pass-word")
    with pytest.raises(AuthenticationFailed):
        shop.refresh_tokens(refresh=pair.refresh)
    with pytest.raises(AuthenticationFailed):
        shop.log_in(username="alice", password=PASSWORD, address="a")
    assert shop.log_in(username="alice", password="n3w-pass-word", address="a").access


@pytest.mark.parametrize(("old", "new", "field"), [
    ("wrong-pass", "n3w-pass-word", "old_password"),
    (PASSWORD, "short", "new_password"),
    (PASSWORD, "1234567890", "new_password"),
])
def test_a_bad_password_change_keeps_the_old_password(
        shop: App, old: str, new: str, field: str) -> None:
    user = register(shop)
    assert user.id is not None
    with pytest.raises(ValidationFailed) as refused:
        shop.change_password(user_id=user.id, old_password=old, new_password=new)
    assert set(refused.value.errors) == {field}
    assert shop.log_in(username="alice", password=PASSWORD, address="a").access


def test_a_reset_request_only_records_an_event_whose_handler_mails_the_link(
        shop: App) -> None:
    user = register(shop)
    shop.request_password_reset(email="ALICE@example.com", client="10.0.0.1")
    assert shop.container.adapters.mailer().sent == []
    while shop.relay_outbox().published:
        pass
    event = shop.container.adapters.event_publisher().published[-1]
    assert (event.type, event.topic, event.key) == (
        "password_reset.requested", "shopcore.users", str(user.id))
    assert set(event.payload) == {"user_id", "username", "email", "fingerprint"}
    assert [m.to for m in delivered(shop)] == ["alice@example.com"]
    token = mailed_token(shop)
    assert token not in str(event.payload)
    shop.check_reset_token(token=token)


def test_a_reset_for_an_unknown_email_records_nothing_and_says_nothing(shop: App) -> None:
    register(shop)
    assert shop.request_password_reset(email="eve@example.com", client="10.0.0.1") is None
    assert shop.outbox_status().unsent == 1  # alice's registration only
    assert delivered(shop) == []


def test_a_reset_request_delivered_after_a_links_lifetime_mails_nothing(
        shop: App, clock: FixedClock) -> None:
    register(shop)
    reset(shop)
    clock.advance(minutes=61)
    assert delivered(shop) == []


def test_reset_requests_are_limited_per_address_and_per_client(shop: App) -> None:
    register(shop)
    for n in range(5):
        reset(shop, client=f"10.0.0.{n}")
    with pytest.raises(Throttled):
        reset(shop, client="10.0.0.99")
    for n in range(20):
        reset(shop, email=f"user{n}@example.com", client="10.9.9.9")
    with pytest.raises(Throttled) as throttled:
        reset(shop, email="someone@example.com", client="10.9.9.9")
    assert throttled.value.retry_after > 0
    reset(shop, email="someone@example.com", client="10.9.9.8")
    assert len(delivered(shop)) == 5


def test_a_reset_link_sets_the_password_once_and_revokes_sessions(shop: App) -> None:
    register(shop)
    pair = shop.log_in(username="alice", password=PASSWORD, address="a")
    reset(shop)
    token = mailed_token(shop)
    shop.reset_password(token=token, new_password="n3w-pass-word")
    assert shop.log_in(username="alice", password="n3w-pass-word", address="a").access
    with pytest.raises(AuthenticationFailed):
        shop.refresh_tokens(refresh=pair.refresh)
    with pytest.raises(ValidationFailed) as spent:
        shop.reset_password(token=token, new_password="an0ther-pass")
    assert set(spent.value.errors) == {"token"}
    with pytest.raises(ValidationFailed):
        shop.check_reset_token(token=token)


def test_a_weak_new_password_leaves_the_reset_link_usable(shop: App) -> None:
    register(shop)
    reset(shop)
    token = mailed_token(shop)
    with pytest.raises(ValidationFailed) as refused:
        shop.reset_password(token=token, new_password="1234567890")
    assert set(refused.value.errors) == {"new_password"}
    shop.check_reset_token(token=token)


def test_the_email_changes_only_with_the_current_password(shop: App) -> None:
    user = register(shop)
    assert user.id is not None
    for given, message in [(None, "Enter your current password"), ("wrong-pass", "wrong")]:
        with pytest.raises(ValidationFailed) as refused:
            shop.update_profile(user_id=user.id, email="mallory@example.com",
                                current_password=given)
        assert set(refused.value.errors) == {"current_password"}
        assert message in refused.value.errors["current_password"][0]
    assert shop.get_profile(user_id=user.id).email == "alice@example.com"
    same = shop.update_profile(user_id=user.id, email="alice@EXAMPLE.com", first_name="Al")
    assert (same.email, same.first_name) == ("alice@example.com", "Al")


def test_an_email_change_tells_the_old_address(shop: App) -> None:
    user = register(shop)
    assert user.id is not None
    delivered(shop)
    shop.update_profile(user_id=user.id, email="new@example.org", current_password=PASSWORD)
    notice = delivered(shop)[-1]
    assert notice.to == "alice@example.com"
    assert "new@example.org" in notice.body


def test_an_email_change_notice_delivered_days_later_is_not_sent(
        shop: App, clock: FixedClock) -> None:
    user = register(shop)
    assert user.id is not None
    delivered(shop)
    shop.update_profile(user_id=user.id, email="new@example.org", current_password=PASSWORD)
    clock.advance(days=2)
    assert delivered(shop) == []


def test_a_reset_link_issued_before_an_email_change_stops_working(shop: App) -> None:
    user = register(shop)
    assert user.id is not None
    reset(shop)
    token = mailed_token(shop)
    shop.update_profile(user_id=user.id, email="new@example.org", current_password=PASSWORD)
    with pytest.raises(ValidationFailed) as spent:
        shop.reset_password(token=token, new_password="n3w-pass-word")
    assert set(spent.value.errors) == {"token"}


def test_a_link_is_traded_for_a_form_token_that_sets_the_password_once(shop: App) -> None:
    register(shop)
    reset(shop)
    link_token = mailed_token(shop)
    form_token = shop.trade_reset_token(token=link_token)
    assert form_token != link_token
    with pytest.raises(ValidationFailed):
        shop.check_reset_form(token=link_token)
    with pytest.raises(ValidationFailed):
        shop.check_reset_token(token=form_token)
    shop.reset_password_by_form(token=form_token, new_password="n3w-pass-word")
    for check in (shop.check_reset_form, shop.check_reset_token):
        with pytest.raises(ValidationFailed):
            check(token=form_token if check is shop.check_reset_form else link_token)
    assert shop.log_in(username="alice", password="n3w-pass-word", address="a").access


def test_changing_the_password_spends_pending_reset_links(shop: App) -> None:
    user = register(shop)
    assert user.id is not None
    reset(shop)
    shop.change_password(user_id=user.id, old_password=PASSWORD, new_password="n3w-pass-word")
    with pytest.raises(ValidationFailed):
        shop.check_reset_token(token=mailed_token(shop))


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
def test_a_forged_reset_token_is_refused(shop: App, token: str) -> None:
    register(shop)
    with pytest.raises(ValidationFailed) as refused:
        shop.reset_password(token=token, new_password="n3w-pass-word")
    assert set(refused.value.errors) == {"token"}


# --- known bugs outside the HTTP adapter (the HTTP schemas already guard against them) ----

def test_a_password_with_a_lone_surrogate_is_a_validation_error(shop: App) -> None:
    with pytest.raises(ValidationFailed):
        register(shop, password="pass\ud800word")


def test_an_email_with_a_nul_character_is_invalid(shop: App) -> None:
    with pytest.raises(ValidationFailed):
        register(shop, email="al\x00ice@example.com")


def test_a_username_equal_to_a_taken_one_after_nfkc_normalization_is_taken(shop: App) -> None:
    register(shop, "alice")
    with pytest.raises(Conflict):
        register(shop, "\uff41\uff4c\uff49\uff43\uff45", email="other@example.com")
