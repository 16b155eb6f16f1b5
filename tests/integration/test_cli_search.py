"""`shopcore search-index --rebuild|--check`, and populate-data indexing what it inserted."""

from __future__ import annotations

from typing import Any

MEMORY = {"SHOPCORE_SEARCH_BACKEND": "memory"}


def test_rebuild_indexes_every_product_of_the_database(shopcore: Any,
                                                       migrated: dict[str, str]) -> None:
    assert shopcore("populate-data", "--users", "0", "--categories", "2",
                    "--products", "30").exit_code == 0
    result = shopcore("search-index", "--rebuild", **MEMORY)
    assert result.exit_code == 0, result.output
    assert "indexed 30 product(s) with the memory engine" in result.output


def test_populate_data_says_how_many_it_indexed(shopcore: Any, migrated: dict[str, str]) -> None:
    result = shopcore("populate-data", "--users", "0", "--categories", "2", "--products", "12")
    assert result.exit_code == 0, result.output
    assert "12 indexed for search" in result.output


def test_check_on_an_empty_catalog_is_clean_and_exits_zero(shopcore: Any,
                                                           migrated: dict[str, str]) -> None:
    result = shopcore("search-index", "--check", **MEMORY)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == ["missing: 0", "stale:   0", "extra:   0"]


def test_check_reports_products_missing_from_the_index_and_exits_non_zero(
    shopcore: Any, migrated: dict[str, str],
) -> None:
    shopcore("populate-data", "--users", "0", "--categories", "1", "--products", "25")
    # An in-memory index starts empty in every process, so this one lacks all 25.
    result = shopcore("search-index", "--check", **MEMORY)
    assert result.exit_code == 1
    assert "missing: 25  (1, 2, 3," in result.output
    assert "and 5 more" in result.output
    assert "search-index --rebuild" in result.output


def test_exactly_one_of_rebuild_and_check_is_asked_for(shopcore: Any,
                                                       migrated: dict[str, str]) -> None:
    assert shopcore("search-index").exit_code == 2
    assert shopcore("search-index", "--rebuild", "--check").exit_code == 2
