"""Usernames: capped before anything grows them, and unique by how they look."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shopcore import App
from shopcore.domain.errors import AuthenticationFailed, Conflict, ValidationFailed
from shopcore.domain.usernames import username_key

PASSWORD = "s3cret-pass"


@pytest.fixture
def shop() -> Iterator[App]:
    app = App.in_memory(password_hasher="plain")
    yield app
    app.close()


@pytest.mark.parametrize(("first", "second"), [
    ("alice", "ALICE"),
    ("alice", "\u0430lice"),            # Cyrillic a
    ("alice", "\u0410LICE"),            # Cyrillic capital A
    ("paypal", "\u0440\u0430\u0443\u0440\u0430l"),  # Cyrillic r, a, u, r, a
    ("olympus", "\u03bflympus"),        # Greek omicron
    ("bob", "\u0392\u039f\u0392"),      # Greek capital beta, omicron, beta
    ("admin", "\uff41dmin"),            # full-width a (NFKC)
])
def test_a_username_that_looks_like_a_taken_one_is_taken(
        shop: App, first: str, second: str) -> None:
    shop.register_user(username=first, email="first@example.com", password=PASSWORD)
    assert username_key(first) == username_key(second)
    with pytest.raises(Conflict) as taken:
        shop.register_user(username=second, email="second@example.com", password=PASSWORD)
    assert set(taken.value.errors) == {"username"}


def test_usernames_that_only_share_letters_stay_apart() -> None:
    assert len({username_key(n) for n in ("alice", "alicé", "alice2", "bob", "b0b_")}) == 5


@pytest.mark.parametrize("username", ["a" * 151, "\ufdfa" * 9, "\ufdfa" * 100_000])
def test_a_username_over_150_characters_before_or_after_normalization_is_refused(
        shop: App, username: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        shop.register_user(username=username, email="long@example.com", password=PASSWORD)
    assert "username" in refused.value.errors
    with pytest.raises(AuthenticationFailed):
        shop.log_in(username=username, password=PASSWORD, address="10.0.0.1")


def test_a_username_of_150_characters_is_fine(shop: App) -> None:
    user = shop.register_user(username="a" * 150, email="long@example.com", password=PASSWORD)
    assert shop.log_in(username=user.username, password=PASSWORD, address="10.0.0.1").access
