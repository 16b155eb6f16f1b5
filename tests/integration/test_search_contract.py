"""The ProductSearch contract, held against every engine in search_engines.ENGINES alike."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta
from decimal import Decimal

import pytest

from shopcore.domain.money import Money
from shopcore.ports.search import SearchQuery
from tests.integration.search_catalog import LAMPS, PRODUCTS, Catalog, stored_catalog
from tests.integration.search_engines import ENGINES, Engine


@pytest.fixture(params=ENGINES, ids=lambda engine: engine.__name__)
def catalog(request: pytest.FixtureRequest) -> Catalog:
    engine: Engine = request.param
    new_uow, search = engine(request)
    return stored_catalog(new_uow, search)


@pytest.mark.parametrize("name", ["Laptop Pro 15", "Gaming laptop", "Laptop stand",
                                  "Mechanical keyboard", "Desk lamp 7", "USB-C hub"])
def test_the_exact_name_ranks_first(catalog: Catalog, name: str) -> None:
    assert catalog.found(name)[0] == catalog.ids[name]


@pytest.mark.parametrize(("kind", "typo"), [
    ("insertion", "keybooard"), ("deletion", "keyboad"), ("substitution", "keybosrd"),
    ("transposition", "keybaord")])
def test_a_one_letter_typo_of_each_kind_still_finds_the_product(
    catalog: Catalog, kind: str, typo: str,
) -> None:
    assert catalog.ids["Mechanical keyboard"] in catalog.found(typo)


def test_a_transposed_laptop_still_finds_every_laptop(catalog: Catalog) -> None:
    laptops = {catalog.ids[n] for n in ("Laptop Pro 15", "Gaming laptop", "Laptop stand")}
    assert laptops <= set(catalog.found("Lapotp"))


@pytest.mark.parametrize(("prefix", "name"), [
    ("mec", "Mechanical keyboard"), ("headph", "Noise cancelling headphones"),
    ("espre", "Café espresso machine"), ("blue", "Bluetooth speaker")])
def test_a_prefix_of_three_letters_or_more_finds_the_product(
    catalog: Catalog, prefix: str, name: str,
) -> None:
    assert catalog.ids[name] in catalog.found(prefix)


@pytest.mark.parametrize(("words", "name"), [
    ("aluminium laptop", "Laptop stand"), ("wireless headphones", "Noise cancelling headphones"),
    ("gaming laptop", "Gaming laptop"), ("notebook ports", "USB-C hub")])
def test_several_words_rank_the_product_having_all_of_them_first(
    catalog: Catalog, words: str, name: str,
) -> None:
    assert catalog.found(words)[0] == catalog.ids[name]


@pytest.mark.parametrize(("one", "other"), [
    ("cafe", "CAFÉ"), ("Crème", "creme"), ("ESPRESSO", "espresso"), ("Keyboard", "kEyBoArD")])
def test_accents_and_case_do_not_matter(catalog: Catalog, one: str, other: str) -> None:
    assert catalog.found(one) == catalog.found(other) != []


FILTERS = list(itertools.product(
    (None, "Computers", "Accessories"), (None, Decimal("40")), (None, Decimal("1200")),
    (None, True, False)))


@pytest.mark.parametrize("text", ["laptop", "notebook", "lamp"])
def test_each_filter_and_every_combination_keeps_exactly_the_matches_that_pass(
    catalog: Catalog, text: str,
) -> None:
    products = {p.id: p for p in catalog.products()}
    unfiltered = catalog.found(text)
    assert unfiltered
    for category, low, high, in_stock in FILTERS:
        query = SearchQuery(text, category_id=catalog.categories[category] if category else None,
                            min_price=low, max_price=high, in_stock=in_stock)
        expected = {i for i in unfiltered
                    if (category is None or products[i].category_id == query.category_id)
                    and (low is None or products[i].price.amount >= low)
                    and (high is None or products[i].price.amount <= high)
                    and (in_stock is None or products[i].in_stock == in_stock)}
        found = [hit.product_id for hit in catalog.hits(query)]
        assert (set(found), len(found)) == (expected, len(expected)), query


def test_pages_are_stable_and_hold_every_match_exactly_once(catalog: Catalog) -> None:
    def page(number: int) -> list[int]:
        result = catalog.search.search(SearchQuery("lamp", page=number, size=7))
        assert result.total == LAMPS
        return [hit.product_id for hit in result.hits]

    pages = [page(n) for n in range(1, 5)]
    assert [len(p) for p in pages] == [7, 7, 7, 2]
    every = [i for p in pages for i in p]
    assert len(set(every)) == LAMPS == len(every)
    assert pages == [page(n) for n in range(1, 5)]
    assert catalog.search.search(SearchQuery("lamp", page=5, size=7)).hits == []


def test_hits_come_best_first_ties_by_id(catalog: Catalog) -> None:
    hits = catalog.hits(SearchQuery("laptop"))
    assert hits == sorted(hits, key=lambda hit: (-hit.score, hit.product_id))


@pytest.mark.parametrize("text", ["lamp", "laptop", "notebook", "a"])
def test_facets_count_every_match_not_only_the_page(catalog: Catalog, text: str) -> None:
    result = catalog.search.search(SearchQuery(text, size=2))
    assert sum(f.count for f in result.categories) == result.total
    assert sum(f.count for f in result.price_ranges) == result.total
    names = catalog.names
    assert all(names[f.category_id] == f.name for f in result.categories)
    assert all(f.max is None or f.min < f.max for f in result.price_ranges)


def test_the_price_facets_use_the_shared_buckets(catalog: Catalog) -> None:
    result = catalog.search.search(SearchQuery("laptop"))
    ranges = {(f.min, f.max): f.count for f in result.price_ranges}
    assert ranges == {(Decimal("1000"), None): 2, (Decimal("25"), Decimal("50")): 1}  # no empty


def test_an_updated_price_shows_at_once(catalog: Catalog) -> None:
    catalog.change("Laptop stand", price=Money(Decimal("19.00"), "USD"))
    cheap = catalog.hits(SearchQuery("stand", max_price=Decimal("20")))
    assert [hit.product_id for hit in cheap] == [catalog.ids["Laptop stand"]]


def test_a_new_name_shows_at_once_and_the_old_one_no_longer_finds_it(catalog: Catalog) -> None:
    catalog.change("Coffee grinder", name="Pepper mill")
    assert catalog.found("pepper")[0] == catalog.ids["Coffee grinder"]
    assert catalog.ids["Coffee grinder"] not in catalog.found("grinder")


def test_a_product_out_of_stock_shows_at_once(catalog: Catalog) -> None:
    catalog.change("Laptop Pro 15", stock=0)
    pro = catalog.ids["Laptop Pro 15"]
    assert pro not in [h.product_id for h in catalog.hits(SearchQuery("laptop", in_stock=True))]
    assert pro in [h.product_id for h in catalog.hits(SearchQuery("laptop", in_stock=False))]


def test_a_deleted_product_is_gone_at_once(catalog: Catalog) -> None:
    catalog.delete("Mechanical keyboard")
    assert catalog.ids["Mechanical keyboard"] not in catalog.found("keyboard")
    catalog.search.remove([catalog.ids["Mechanical keyboard"], 10**9])


ODD = ["' OR 1=1 --", '"', '""', "*", "lap*", "NEAR(", "NEAR(laptop stand)", "-", "-laptop",
       "laptop -stand", 'laptop"', "AND", "OR NOT", "(((", ")", ":", "^", "~", "\\", "%", "_",
       "laptop'); DROP TABLE products; --", "{}", "[]", "&&||", "🙂", "日本語のノート",
       "e\u0301", "\u200b", "ü" * 200, "x" * 200, "Ǆ", "ﬁ", "\u202eevil"]


@pytest.mark.parametrize("text", ODD)
def test_odd_queries_answer_sanely(catalog: Catalog, text: str) -> None:
    result = catalog.search.search(SearchQuery(text, size=5))
    assert 0 <= result.total < len(PRODUCTS)
    assert len(result.hits) <= 5
    assert {hit.product_id for hit in result.hits} <= set(catalog.ids.values())


def test_a_rebuild_replaces_the_index_and_drift_names_what_differs(catalog: Catalog) -> None:
    products = catalog.products()
    assert catalog.search.drift(products).clean
    # A product the index has never seen (an engine fed by the catalog's own table cannot
    # lose a stored one), one it holds in an older state, and one the catalog no longer has.
    unseen = dataclasses.replace(products[0], id=max(p.id or 0 for p in products) + 100,
                                 name="Unseen gadget", description="Never indexed")
    stale = catalog.change("Coffee grinder", name="Pepper mill")
    stale.name, stale.updated_at = "Salt mill", stale.updated_at + timedelta(days=1)
    drift = catalog.search.drift([stale if p.id == stale.id else p for p in products
                                  if p.id != catalog.ids["USB-C hub"]] + [unseen])
    assert (list(drift.missing), list(drift.stale), list(drift.extra)) == (
        [unseen.id], [catalog.ids["Coffee grinder"]], [catalog.ids["USB-C hub"]])
    assert catalog.search.rebuild(catalog.products(), catalog.names) == len(PRODUCTS)
    assert catalog.search.drift(catalog.products()).clean
