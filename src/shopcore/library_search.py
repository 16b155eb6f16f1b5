"""The search use cases of `shopcore.App`, typed, in their own module to keep each one short."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shopcore.application import search, search_index
from shopcore.ports.search import ProductSearch

if TYPE_CHECKING:
    from shopcore.bootstrap import Container
    from shopcore.use_cases import UseCases


class SearchUseCases:
    """Search the catalog and keep its index: each access builds a fresh use case."""

    _use_cases: UseCases
    container: Container

    @property
    def search_products(self) -> search.SearchProducts:
        return self._use_cases.search_products()

    @property
    def rebuild_search_index(self) -> search_index.RebuildSearchIndex:
        return self._use_cases.rebuild_search_index()

    @property
    def check_search_index(self) -> search_index.CheckSearchIndex:
        return self._use_cases.check_search_index()

    @property
    def product_search(self) -> ProductSearch:
        """The engine the settings chose (one per App)."""
        engine: ProductSearch = self.container.adapters.product_search()
        return engine
