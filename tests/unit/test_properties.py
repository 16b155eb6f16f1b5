"""Properties of the domain's value objects and business rules, checked with Hypothesis."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shopcore.domain.catalog import (
    MAX_CATEGORY_NAME,
    MAX_PRODUCT_NAME,
    Category,
    NameMustBePresentAndFit,
    PriceMustBeAmountInRange,
    Product,
    ProductChanges,
    StockMustBeInRange,
)
from shopcore.domain.errors import NotFound, ValidationFailed
from shopcore.domain.money import MAX_AMOUNT, Money, MoneyError, to_amount
from shopcore.domain.pagination import MAX_PAGE_SIZE, Page, PageRequest, PageSizeTooSmall
from shopcore.domain.rules import TextMustBePlain
from shopcore.domain.text import slugify, unique_slug
from shopcore.domain.user import (
    MAX_NAME,
    MAX_PASSWORD_BYTES,
    MIN_PASSWORD,
    EmailMustBeValid,
    NameMustFit,
    PasswordMustBeStrong,
    User,
    UsernameMustBeValid,
    normalize_email,
    normalize_username,
    person_name_rules,
)

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NOW = datetime(2026, 1, 1, tzinfo=UTC)

cents = st.integers(min_value=-(10**12), max_value=10**12)
amounts = cents.map(lambda c: Decimal(c).scaleb(-2))
prices = st.integers(min_value=0, max_value=int(MAX_AMOUNT * 100)).map(
    lambda c: Decimal(c).scaleb(-2))
currencies = st.sampled_from(["USD", "EUR", "JPY", "GBP"])


def money(currency: str = "USD") -> st.SearchStrategy[Money]:
    return amounts.map(lambda a: Money(a, currency))


# Money


@given(amounts)
def test_to_amount_keeps_an_amount_of_at_most_two_places_exactly(amount: Decimal) -> None:
    result = to_amount(amount)

    assert result == amount
    assert result.as_tuple().exponent == -2


@given(amounts)
def test_to_amount_reads_the_same_amount_from_its_string(amount: Decimal) -> None:
    assert to_amount(str(amount)) == to_amount(amount)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_to_amount_takes_whole_numbers_as_they_are(whole: int) -> None:
    assert to_amount(whole) == Decimal(whole)


@given(amounts, st.integers(min_value=1, max_value=8))
def test_trailing_zeros_beyond_two_places_are_harmless(amount: Decimal, zeros: int) -> None:
    padded = Decimal(f"{amount}{'0' * zeros}")

    assert to_amount(padded) == amount


@given(amounts, st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=6))
def test_a_third_significant_decimal_place_is_refused_never_rounded(
    amount: Decimal, digit: int, extra_places: int
) -> None:
    precise = amount + Decimal(digit).scaleb(-2 - extra_places)

    with pytest.raises(MoneyError):
        to_amount(precise)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "abc", "", "1,50"])
def test_what_is_not_a_finite_number_is_not_an_amount(value: str) -> None:
    with pytest.raises(MoneyError):
        to_amount(value)


def test_an_amount_too_large_to_quantize_is_a_money_error() -> None:
    with pytest.raises(MoneyError):
        to_amount(Decimal("1e30"))


@given(money(), money())
def test_adding_money_is_commutative(a: Money, b: Money) -> None:
    assert a + b == b + a


@given(money(), money(), money())
def test_adding_money_is_associative(a: Money, b: Money, c: Money) -> None:
    assert (a + b) + c == a + (b + c)


@given(money(), money())
def test_subtracting_undoes_adding(a: Money, b: Money) -> None:
    assert (a + b) - b == a


@given(money())
def test_zero_is_the_identity_of_adding(a: Money) -> None:
    assert a + Money.zero(a.currency) == a


@given(money(), st.integers(min_value=0, max_value=50))
def test_multiplying_is_repeated_adding(a: Money, quantity: int) -> None:
    total = Money.zero(a.currency)
    for _ in range(quantity):
        total = total + a

    assert a * quantity == total


@given(money(), money())
def test_money_compares_like_its_amounts(a: Money, b: Money) -> None:
    assert (a < b) == (a.amount < b.amount)
    assert (a <= b) == (a.amount <= b.amount)


@given(money("USD"), money("EUR"))
def test_different_currencies_never_mix(a: Money, b: Money) -> None:
    for combine in (lambda: a + b, lambda: a - b, lambda: a < b, lambda: a <= b):
        with pytest.raises(MoneyError):
            combine()


@given(amounts, currencies)
def test_money_always_holds_two_places(amount: Decimal, currency: str) -> None:
    value = Money(amount, currency)

    assert value.amount.as_tuple().exponent == -2
    assert str(value) == f"{value.amount} {currency}"


@given(st.text(max_size=5).filter(lambda c: not (len(c) == 3 and c.isalpha() and c.isupper())))
def test_a_currency_is_three_capital_letters(currency: str) -> None:
    with pytest.raises(MoneyError):
        Money(Decimal("1.00"), currency)


# Pages


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=10**4))
def test_a_page_request_caps_its_size_and_computes_its_offset(number: int, size: int) -> None:
    request = PageRequest(number=number, size=size)

    assert request.size == min(size, MAX_PAGE_SIZE)
    assert 1 <= request.size <= MAX_PAGE_SIZE
    assert request.offset == (number - 1) * request.size


@given(st.integers(max_value=0))
def test_a_page_number_below_one_is_not_found(number: int) -> None:
    with pytest.raises(NotFound):
        PageRequest(number=number)


@given(st.integers(max_value=0))
def test_a_page_size_below_one_is_invalid(size: int) -> None:
    with pytest.raises(PageSizeTooSmall) as caught:
        PageRequest(size=size)

    assert isinstance(caught.value, ValidationFailed)
    assert "size" in caught.value.errors


@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=1, max_value=150))
def test_every_item_is_on_exactly_one_page(total: int, size: int) -> None:
    first: Page[object] = Page([], total, PageRequest(1, size))
    seen = 0
    for number in range(1, first.pages + 1):
        page: Page[object] = Page([], total, PageRequest(number, size))
        seen += min(page.request.size, total - page.request.offset)
        assert page.has_previous == (number > 1)
        assert page.has_next == (number < first.pages)

    assert seen == total
    with pytest.raises(NotFound):
        Page([], total, PageRequest(first.pages + 1, size))


@given(st.integers(min_value=1, max_value=150))
def test_the_first_page_of_nothing_exists_and_is_alone(size: int) -> None:
    page: Page[object] = Page([], 0, PageRequest(1, size))

    assert (page.pages, page.has_next, page.has_previous) == (1, False, False)


# Slugs


@given(st.text())
def test_a_slug_is_lowercase_ascii_words_joined_by_dashes(text: str) -> None:
    slug = slugify(text)

    assert SLUG.match(slug), slug
    assert len(slug) <= 80


@given(st.text(), st.integers(min_value=4, max_value=120))
def test_a_slug_fits_its_maximum_length(text: str, max_length: int) -> None:
    assert len(slugify(text, max_length)) <= max_length


@given(st.text())
def test_slugifying_a_slug_changes_nothing(text: str) -> None:
    slug = slugify(text)

    assert slugify(slug) == slug


@given(st.from_regex(r"[a-z0-9]{1,19}( [a-z0-9]{1,19}){0,3}", fullmatch=True))
def test_plain_words_keep_their_letters(text: str) -> None:
    assert slugify(text) == text.replace(" ", "-")


@given(st.from_regex(SLUG, fullmatch=True), st.sets(st.text(max_size=30), max_size=20))
def test_a_unique_slug_is_free_and_is_the_base_when_it_can_be(
    base: str, taken: set[str]
) -> None:
    slug = unique_slug(base, taken)

    assert slug not in taken
    assert slug == base or re.fullmatch(re.escape(base) + r"-([2-9]|[1-9]\d+)", slug)
    assert (slug == base) == (base not in taken)


@given(st.from_regex(SLUG, fullmatch=True), st.integers(min_value=0, max_value=30))
def test_a_unique_slug_takes_the_first_free_number(base: str, used: int) -> None:
    taken = {base} | {f"{base}-{n}" for n in range(2, used + 2)}

    assert unique_slug(base, taken) == f"{base}-{used + 2}"


# Users


usernames = st.from_regex(r"[\w.@+-]{3,150}", fullmatch=True)
emails = st.from_regex(r"[a-zA-Z0-9._%+-]{1,20}@[a-zA-Z0-9-]{1,20}\.[a-zA-Z]{2,6}",
                       fullmatch=True)


@given(usernames)
def test_usernames_of_allowed_characters_are_valid(username: str) -> None:
    assert not UsernameMustBeValid("username", username).is_broken()


@given(st.text(max_size=160).filter(lambda u: not re.fullmatch(r"[\w.@+-]{3,150}", u)))
def test_other_usernames_are_invalid(username: str) -> None:
    assert UsernameMustBeValid("username", username).is_broken()


@given(emails)
def test_plain_email_addresses_are_valid(email: str) -> None:
    assert not EmailMustBeValid("email", email).is_broken()


@given(st.text(max_size=40).filter(lambda e: "@" not in e))
def test_an_address_without_an_at_sign_is_invalid(email: str) -> None:
    assert EmailMustBeValid("email", email).is_broken()


@given(emails, st.sampled_from(["", " ", "\t", "  "]))
def test_normalizing_an_email_strips_it_and_lowercases_only_the_domain(
    email: str, space: str
) -> None:
    local, _, domain = email.rpartition("@")
    normalized = normalize_email(f"{space}{email}{space}")

    assert normalized == f"{local}@{domain.lower()}"
    assert normalize_email(normalized) == normalized


@given(st.text())
def test_normalizing_any_text_twice_is_normalizing_it_once(text: str) -> None:
    assert normalize_email(normalize_email(text)) == normalize_email(text)


passwords = st.text(min_size=MIN_PASSWORD, max_size=MAX_PASSWORD_BYTES).filter(
    lambda p: len(p.encode("utf-8")) <= MAX_PASSWORD_BYTES and not p.isdigit())


@given(passwords, usernames)
def test_a_long_enough_varied_password_is_strong(password: str, username: str) -> None:
    assume(password.casefold() != username.casefold())

    assert PasswordMustBeStrong("password", password, username).problem is None


@given(st.text(max_size=MIN_PASSWORD - 1))
def test_a_short_password_is_weak(password: str) -> None:
    assert PasswordMustBeStrong("password", password).is_broken()


@given(st.one_of(
    st.text(min_size=MAX_PASSWORD_BYTES + 1, max_size=200),
    st.text(st.characters(min_codepoint=0x800, exclude_categories=["Cs"]),
            min_size=MAX_PASSWORD_BYTES // 3 + 1, max_size=MAX_PASSWORD_BYTES)))
def test_a_password_over_72_bytes_is_weak(password: str) -> None:
    assert PasswordMustBeStrong("password", password).is_broken()


@given(st.from_regex(r"[0-9]{8,72}", fullmatch=True))
def test_an_all_digit_password_is_weak(password: str) -> None:
    assert "numeric" in (PasswordMustBeStrong("password", password).problem or "")


@given(st.from_regex(r"[a-zA-Z]{8,40}", fullmatch=True))
def test_a_password_equal_to_the_username_in_any_case_is_weak(username: str) -> None:
    assert PasswordMustBeStrong("password", username.swapcase(), username).is_broken()


printable = st.text(st.characters(min_codepoint=32, exclude_characters="\x7f",
                                  exclude_categories=["Cs"]), max_size=MAX_NAME)


def name_is_broken(field: str, name: str) -> bool:
    return any(rule.is_broken() for rule in person_name_rules(field, name))


@given(printable)
def test_a_printable_name_that_fits_is_valid(name: str) -> None:
    assert not name_is_broken("first_name", name)


@given(printable, st.sampled_from([*map(chr, range(32)), "\x7f"]), st.data())
def test_a_name_with_a_control_character_or_too_long_is_invalid(
    name: str, control: str, data: st.DataObject
) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(name)))
    with_control = name[:at] + control + name[at:]

    assert TextMustBePlain("first_name", with_control).is_broken()
    assert name_is_broken("first_name", with_control)
    assert NameMustFit("first_name", name + "x" * (MAX_NAME + 1 - len(name))).is_broken()


@given(printable, st.sampled_from(["\t", "\n", "\r"]))
def test_only_multi_line_text_may_hold_tabs_and_line_breaks(text: str, space: str) -> None:
    assert TextMustBePlain("name", text + space).is_broken()
    assert not TextMustBePlain("description", text + space, multiline=True).is_broken()


@given(st.text())
def test_normalizing_a_username_twice_is_normalizing_it_once(username: str) -> None:
    assert normalize_username(normalize_username(username)) == normalize_username(username)


def _user() -> User:
    return User(username="alice", email="alice@example.com", password_hash="x",
                date_joined=NOW, first_name="Alice", last_name="Liddell", id=1)


@given(st.one_of(emails, st.text(max_size=40)), st.text(max_size=200), st.text(max_size=200))
def test_a_profile_change_applies_whole_or_not_at_all(
    email: str, first_name: str, last_name: str
) -> None:
    user, before = _user(), _user()
    at_fault = {field for field, bad in (
        ("email", EmailMustBeValid("email", normalize_email(email)).is_broken()),
        ("first_name", name_is_broken("first_name", first_name)),
        ("last_name", name_is_broken("last_name", last_name))) if bad}

    if not at_fault:
        user.change_profile(email=email, first_name=first_name, last_name=last_name,
                            current_password="x", verify=lambda given, stored: given == stored)
        assert (user.email, user.first_name, user.last_name) == (
            normalize_email(email), first_name, last_name)
        return
    with pytest.raises(ValidationFailed) as caught:
        user.change_profile(email=email, first_name=first_name, last_name=last_name,
                            current_password="x", verify=lambda given, stored: given == stored)

    assert set(caught.value.errors) == at_fault
    assert user == before


# Catalog rules


@given(st.one_of(st.none(), st.integers(min_value=-(10**6), max_value=10**6)))
def test_a_product_is_in_stock_when_untracked_or_with_units_left(stock: int | None) -> None:
    product = Product(name="Dune", slug="dune", description="", price=Money(Decimal(1), "USD"),
                      category_id=1, stock=stock, created_at=NOW, updated_at=NOW)

    assert product.in_stock == (stock is None or stock > 0)
    assert StockMustBeInRange("stock", stock).is_broken() == (stock is not None and stock < 0)


@given(prices)
def test_every_two_place_price_from_zero_to_the_maximum_is_valid(price: Decimal) -> None:
    assert PriceMustBeAmountInRange("price", price).problem is None


@given(st.integers(min_value=1, max_value=10**12).map(lambda c: Decimal(-c).scaleb(-2)))
def test_a_negative_price_is_invalid(price: Decimal) -> None:
    assert "greater than or equal to 0" in (PriceMustBeAmountInRange("price", price).problem or "")


@given(st.integers(min_value=1, max_value=10**12).map(lambda c: MAX_AMOUNT + Decimal(c)
                                                      .scaleb(-2)))
def test_a_price_above_the_maximum_is_invalid(price: Decimal) -> None:
    assert "less than or equal to" in (PriceMustBeAmountInRange("price", price).problem or "")


@given(st.text(max_size=MAX_PRODUCT_NAME + 20))
def test_a_name_must_have_a_visible_character_and_fit(name: str) -> None:
    broken = NameMustBePresentAndFit("name", name, MAX_PRODUCT_NAME).is_broken()

    assert broken == (not name.strip() or len(name) > MAX_PRODUCT_NAME)


@given(st.text(max_size=MAX_CATEGORY_NAME + 20))
def test_a_category_name_follows_the_same_rule_with_its_own_limit(name: str) -> None:
    plain = not any((ord(c) < 32 and c not in "\t\n\r") or c == "\x7f"
                    or 0xD800 <= ord(c) <= 0xDFFF for c in name)
    valid = bool(name.strip()) and len(name) <= MAX_CATEGORY_NAME and plain
    if valid:
        Category.check(name)
    else:
        with pytest.raises(ValidationFailed) as caught:
            Category.check(name)
        assert list(caught.value.errors) == ["name"]


@given(st.booleans(), st.booleans(), st.booleans())
def test_every_broken_product_rule_is_reported_together(
    bad_name: bool, bad_price: bool, bad_stock: bool
) -> None:
    expected = {f for f, bad in (("name", bad_name), ("price", bad_price),
                                 ("stock", bad_stock)) if bad}
    arguments = {"name": " " if bad_name else "Dune",
                 "price": Decimal("-1") if bad_price else Decimal("1"),
                 "stock": -1 if bad_stock else 1}
    if not expected:
        ProductChanges(**arguments)  # type: ignore[arg-type]
        return
    with pytest.raises(ValidationFailed) as caught:
        ProductChanges(**arguments)  # type: ignore[arg-type]

    assert set(caught.value.errors) == expected
