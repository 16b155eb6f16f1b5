"""The repository and unit-of-work contract, held against memory, SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shopcore.domain.catalog import Category, Product, ProductQuery
from shopcore.domain.errors import Conflict
from shopcore.domain.money import Money
from shopcore.domain.pagination import PageRequest
from shopcore.domain.user import RefreshSession, User
from tests.helpers import UowFactory

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def a_user(name: str = "ada", email: str | None = None) -> User:
    return User(username=name, email=email or f"{name}@Example.com", password_hash="h",
                date_joined=NOW)


def a_product(category_id: int, name: str, price: str, stock: int | None = 5,
              minutes: int = 0) -> Product:
    at = NOW + timedelta(minutes=minutes)
    return Product(name=name, slug=name.lower().replace(" ", "-"), description="",
                   price=Money(Decimal(price), "USD"), category_id=category_id, stock=stock,
                   created_at=at, updated_at=at)


def seed_catalog(new_uow: UowFactory) -> tuple[int, int]:
    with new_uow() as uow:
        books, games = Category("Books", "books"), Category("Games", "games")
        uow.categories.add(books)
        uow.categories.add(games)
        assert books.id and games.id
        uow.products.add_many([
            a_product(books.id, "Alpha", "10.00", stock=0, minutes=3),
            a_product(books.id, "Bravo", "20.00", stock=None, minutes=1),
            a_product(games.id, "Charlie", "30.00", stock=7, minutes=2),
            a_product(games.id, "Delta", "20.00", stock=1, minutes=0),
        ])
        uow.commit()
    return books.id, games.id


def names(new_uow: UowFactory, query: ProductQuery, page: PageRequest | None = None) -> list[str]:
    with new_uow() as uow:
        items, _ = uow.products.list(query, page or PageRequest())
    return [p.name for p in items]


def test_a_committed_user_can_be_read_back_by_id_username_and_email_ignoring_case(
    new_uow: UowFactory,
) -> None:
    with new_uow() as uow:
        user = a_user()
        uow.users.add(user)
        uow.commit()
    with new_uow() as uow:
        assert user.id is not None
        assert uow.users.get(user.id) == user
        assert uow.users.by_username("ada") == user
        assert uow.users.by_email("ADA@example.COM") == user
        assert uow.users.get(user.id + 1000) is None
        assert uow.users.count() == 1


def test_rolls_back_uncommitted_work_by_default(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.users.add(a_user())
    with new_uow() as uow:
        assert uow.users.by_username("ada") is None


def test_rolls_back_work_when_the_use_case_raises(new_uow: UowFactory) -> None:
    with pytest.raises(RuntimeError), new_uow() as uow:
        uow.users.add(a_user())
        raise RuntimeError("boom")
    with new_uow() as uow:
        assert uow.users.count() == 0


def test_a_second_user_with_the_same_email_in_other_case_is_a_conflict(
    new_uow: UowFactory,
) -> None:
    with new_uow() as uow:
        uow.users.add(a_user("ada", "ada@example.com"))
        uow.commit()
    with pytest.raises(Conflict), new_uow() as uow:
        uow.users.add(a_user("bob", "ADA@EXAMPLE.com"))


def test_saving_a_user_persists_changed_fields(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        user = a_user()
        uow.users.add(user)
        uow.commit()
    with new_uow() as uow:
        assert user.id is not None
        loaded = uow.users.get(user.id)
        assert loaded is not None
        loaded.change_profile(first_name="Ada", last_name="Lovelace", email="ada@lovelace.org",
                              current_password=loaded.password_hash,
                              verify=lambda given, stored: given == stored)
        uow.users.save(loaded)
        uow.commit()
    with new_uow() as uow:
        again = uow.users.get(user.id)
        assert again is not None
        assert (again.first_name, again.last_name, again.email) == (
            "Ada", "Lovelace", "ada@lovelace.org")


def test_refresh_sessions_are_revoked_by_family_and_by_user(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        user = a_user()
        uow.users.add(user)
        assert user.id is not None
        for jti, family in (("a", "f1"), ("b", "f1"), ("c", "f2")):
            uow.refresh_sessions.add(RefreshSession(jti, user.id, family, NOW + timedelta(days=1)))
        uow.commit()
    with new_uow() as uow:
        uow.refresh_sessions.revoke_family("f1")
        uow.commit()
    with new_uow() as uow:
        revoked = {j: uow.refresh_sessions.get(j).revoked for j in "abc"}  # type: ignore[union-attr]
        assert revoked == {"a": True, "b": True, "c": False}
        uow.refresh_sessions.revoke_user(user.id)
        uow.commit()
    with new_uow() as uow:
        session = uow.refresh_sessions.get("c")
        assert session is not None and session.revoked
        assert session.expires_at == NOW + timedelta(days=1)


def test_categories_are_listed_by_id_a_page_at_a_time_with_the_total(
    new_uow: UowFactory,
) -> None:
    with new_uow() as uow:
        for n in range(5):
            uow.categories.add(Category(f"Cat {n}", f"cat-{n}"))
        uow.commit()
    with new_uow() as uow:
        items, total = uow.categories.list(PageRequest(number=2, size=2))
        assert total == 5
        assert [c.name for c in items] == ["Cat 2", "Cat 3"]
        assert uow.categories.by_name("CAT 4") is not None
        assert uow.categories.slugs_like("cat") == {f"cat-{n}" for n in range(5)}
        assert uow.categories.slugs_like("cat-1") == {"cat-1"}


def test_a_category_name_is_unique_ignoring_case(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.categories.add(Category("Books", "books"))
        uow.commit()
    with pytest.raises(Conflict), new_uow() as uow:
        uow.categories.add(Category("BOOKS", "books-2"))


def test_a_category_that_still_holds_products_cannot_be_deleted(new_uow: UowFactory) -> None:
    books_id, _ = seed_catalog(new_uow)
    with pytest.raises(Conflict), new_uow() as uow:
        category = uow.categories.get(books_id)
        assert category is not None
        uow.categories.delete(category)


def test_products_keep_their_price_stock_and_times_exactly(new_uow: UowFactory) -> None:
    books_id, _ = seed_catalog(new_uow)
    with new_uow() as uow:
        product = a_product(books_id, "Exact", "99999999.99", stock=None, minutes=7)
        uow.products.add(product)
        uow.commit()
    with new_uow() as uow:
        assert product.id is not None
        loaded = uow.products.get(product.id)
        assert loaded == product
        assert loaded is not None and loaded.price.amount == Decimal("99999999.99")
        assert loaded.created_at.tzinfo is not None


def test_products_filter_by_category_inclusive_price_bounds_and_stock(
    new_uow: UowFactory,
) -> None:
    books_id, games_id = seed_catalog(new_uow)
    assert names(new_uow, ProductQuery(category_id=games_id)) == ["Charlie", "Delta"]
    assert names(new_uow, ProductQuery(min_price=Decimal("20"), max_price=Decimal("20.00"))) == [
        "Bravo", "Delta"]
    assert names(new_uow, ProductQuery(in_stock=True)) == ["Bravo", "Charlie", "Delta"]
    assert names(new_uow, ProductQuery(in_stock=False)) == ["Alpha"]
    assert names(new_uow, ProductQuery(category_id=books_id, in_stock=True)) == ["Bravo"]


@pytest.mark.parametrize(("ordering", "expected"), [
    ("price", ["Alpha", "Bravo", "Delta", "Charlie"]),
    ("-price", ["Charlie", "Delta", "Bravo", "Alpha"]),
    ("name", ["Alpha", "Bravo", "Charlie", "Delta"]),
    ("-name", ["Delta", "Charlie", "Bravo", "Alpha"]),
    ("created_at", ["Delta", "Bravo", "Charlie", "Alpha"]),
    ("-created_at", ["Alpha", "Charlie", "Bravo", "Delta"]),
    (None, ["Alpha", "Bravo", "Charlie", "Delta"]),
])
def test_products_are_ordered_as_asked_with_ties_broken_by_id(
    new_uow: UowFactory, ordering: str | None, expected: list[str]
) -> None:
    seed_catalog(new_uow)
    assert names(new_uow, ProductQuery(ordering=ordering)) == expected


def test_products_are_paged_and_counted_per_category(new_uow: UowFactory) -> None:
    books_id, games_id = seed_catalog(new_uow)
    with new_uow() as uow:
        items, total = uow.products.list(ProductQuery(), PageRequest(number=2, size=3))
        assert total == 4
        assert [p.name for p in items] == ["Delta"]
        assert uow.products.count_by_category([books_id, games_id, 999]) == {
            books_id: 2, games_id: 2}
        assert uow.products.count_by_category([]) == {}
        assert uow.products.count() == 4


def test_product_slugs_like_a_base_are_found_for_unique_slugs(new_uow: UowFactory) -> None:
    books_id, _ = seed_catalog(new_uow)
    with new_uow() as uow:
        uow.products.add(a_product(books_id, "Alpha 2", "1.00"))
        product = a_product(books_id, "Alphabet", "1.00")
        uow.products.add(product)
        uow.commit()
    with new_uow() as uow:
        assert uow.products.slugs_like("alpha") == {"alpha", "alpha-2"}
        assert product.id is not None
        loaded = uow.products.get(product.id)
        assert loaded is not None
        uow.products.delete(loaded)
        uow.commit()
    with new_uow() as uow:
        assert uow.products.get(product.id) is None


def test_a_refresh_session_rotates_once_and_a_second_rotation_loses(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        user = a_user()
        uow.users.add(user)
        assert user.id is not None
        uow.refresh_sessions.add(RefreshSession("old", user.id, "f", NOW + timedelta(days=1)))
        uow.commit()
    with new_uow() as uow:
        assert uow.refresh_sessions.rotate("old", "new-1") is True
        uow.commit()
    with new_uow() as uow:
        assert uow.refresh_sessions.rotate("old", "new-2") is False
        assert uow.refresh_sessions.rotate("missing", "new-3") is False
        session = uow.refresh_sessions.get("old")
        assert session is not None and session.replaced_by == "new-1"
