"""Access tokens answer to the account as it stands: revoked, deactivated or demoted in seconds."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from shopcore import App
from shopcore.adapters.clock import FixedClock
from shopcore.domain.errors import AuthenticationFailed, Throttled, ValidationFailed
from shopcore.domain.user import User

PASSWORD = "s3cret-pass"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def shop(clock: FixedClock) -> Iterator[App]:
    app = App.in_memory(password_hasher="plain")
    app.container.core.clock.override(clock)
    yield app
    app.container.core.clock.reset_override()
    app.close()


@pytest.fixture
def alice(shop: App) -> int:
    user = shop.register_user(username="alice", password=PASSWORD, email="alice@example.com")
    assert user.id is not None
    return user.id


def log_in(shop: App) -> tuple[str, str]:
    pair = shop.log_in(username="alice", password=PASSWORD, address="10.0.0.1")
    return pair.access, pair.refresh


def accepted(shop: App, access: str) -> bool:
    try:
        shop.authenticate(access_token=access)
    except AuthenticationFailed:
        return False
    return True


def edit_account(shop: App, user_id: int, **changes: bool) -> None:
    """What an administrator's tool does: change the stored account behind the app's back."""
    with shop.container.adapters.uow() as uow:
        user = uow.users.get(user_id)
        assert isinstance(user, User)
        for name, value in changes.items():
            setattr(user, name, value)
        uow.users.save(user)
        uow.commit()


def test_logging_out_turns_away_the_access_tokens_issued_before_it(
        shop: App, alice: int, clock: FixedClock) -> None:
    access, refresh = log_in(shop)
    assert accepted(shop, access)
    clock.advance(seconds=1)
    shop.log_out(user_id=alice, refresh=refresh)
    assert not accepted(shop, access)
    clock.advance(seconds=1)
    assert accepted(shop, log_in(shop)[0])


def test_changing_the_password_turns_away_the_old_access_tokens(
        shop: App, alice: int, clock: FixedClock) -> None:
    access, _ = log_in(shop)
    assert accepted(shop, access)
    clock.advance(seconds=1)
    shop.change_password(user_id=alice, old_password=PASSWORD, new_password="n3w-pass-word")
    assert not accepted(shop, access)


def test_a_password_reset_turns_away_the_old_access_tokens(
        shop: App, alice: int, clock: FixedClock) -> None:
    access, _ = log_in(shop)
    assert accepted(shop, access)
    shop.request_password_reset(email="alice@example.com", client="10.0.0.1")
    while shop.relay_outbox().published:
        pass
    for envelope in shop.container.adapters.event_publisher().published:
        shop.handle_event(consumer="test", message=envelope.to_message())
    body = shop.container.adapters.mailer().sent[-1].body
    match = re.search(r"/password_reset/confirm/(\S+)/", body)
    assert match is not None
    clock.advance(seconds=1)
    shop.reset_password(token=match.group(1), new_password="n3w-pass-word")
    assert not accepted(shop, access)


def test_reusing_a_rotated_refresh_token_turns_away_the_access_tokens(
        shop: App, alice: int, clock: FixedClock) -> None:
    access, refresh = log_in(shop)
    assert accepted(shop, access)
    rotated = shop.refresh_tokens(refresh=refresh)
    clock.advance(seconds=1)
    with pytest.raises(AuthenticationFailed):
        shop.refresh_tokens(refresh=refresh)
    assert not accepted(shop, access)
    assert not accepted(shop, rotated.access)


def test_a_deactivated_account_is_turned_away_once_its_cached_copy_expires(
        shop: App, alice: int, clock: FixedClock) -> None:
    access, _ = log_in(shop)
    assert accepted(shop, access)
    edit_account(shop, alice, is_active=False)
    assert accepted(shop, access), "the copy of a few seconds spares the database"
    clock.advance(seconds=5)
    assert not accepted(shop, access)


def test_staff_rights_follow_the_account_not_the_token(
        shop: App, alice: int, clock: FixedClock) -> None:
    access, _ = log_in(shop)
    assert shop.authenticate(access_token=access).is_staff is False
    edit_account(shop, alice, is_staff=True)
    clock.advance(seconds=5)
    assert shop.authenticate(access_token=access).is_staff is True
    staff_token, _ = log_in(shop)
    edit_account(shop, alice, is_staff=False)
    clock.advance(seconds=5)
    assert shop.authenticate(access_token=staff_token).is_staff is False


def test_a_token_issued_in_the_same_second_after_a_revocation_still_works(
        shop: App, alice: int, clock: FixedClock) -> None:
    clock.advance(seconds=0.2)
    before, refresh = log_in(shop)
    clock.advance(seconds=0.3)
    shop.log_out(user_id=alice, refresh=refresh)
    clock.advance(seconds=0.2)
    after, _ = log_in(shop)
    assert not accepted(shop, before)
    assert accepted(shop, after)


def test_wrong_old_passwords_are_throttled_like_failed_logins(shop: App, alice: int) -> None:
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            shop.change_password(user_id=alice, old_password="wrong-pass",
                                 new_password="n3w-pass-word", address="10.0.0.9")
    with pytest.raises(Throttled):
        shop.change_password(user_id=alice, old_password=PASSWORD,
                             new_password="n3w-pass-word", address="10.0.0.9")
    with pytest.raises(Throttled):
        shop.log_in(username="alice", password=PASSWORD, address="10.0.0.9")


def test_wrong_current_passwords_on_an_email_change_are_throttled_like_failed_logins(
        shop: App, alice: int) -> None:
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            shop.update_profile(user_id=alice, email="new@example.com",
                                current_password="wrong-pass", address="10.0.0.9")
    with pytest.raises(Throttled):
        shop.update_profile(user_id=alice, email="new@example.com", current_password=PASSWORD,
                            address="10.0.0.9")
    with pytest.raises(Throttled):
        shop.log_in(username="alice", password=PASSWORD, address="10.0.0.9")
    assert shop.get_profile(user_id=alice).email == "alice@example.com"


def test_a_right_current_password_takes_its_guess_back(shop: App, alice: int) -> None:
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            shop.update_profile(user_id=alice, email="new@example.com",
                                current_password="wrong-pass", address="10.0.0.9")
    shop.update_profile(user_id=alice, email="new@example.com", current_password=PASSWORD,
                        address="10.0.0.9")
    with pytest.raises(ValidationFailed):
        shop.update_profile(user_id=alice, email="other@example.com",
                            current_password="wrong-pass", address="10.0.0.9")
    shop.update_profile(user_id=alice, email="other@example.com", current_password=PASSWORD,
                        address="10.0.0.9")
    assert shop.get_profile(user_id=alice).email == "other@example.com"
