"""The demo-data use cases of `shopcore.App`, typed, in their own module to keep each one short."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shopcore.application import demo_data

if TYPE_CHECKING:
    from shopcore.use_cases import UseCases


class DemoDataUseCases:
    """Count and seed the demo catalog and accounts: each access builds a fresh use case."""

    _use_cases: UseCases

    @property
    def count_products(self) -> demo_data.CountProducts:
        return self._use_cases.count_products()

    @property
    def add_demo_users(self) -> demo_data.AddDemoUsers:
        return self._use_cases.add_demo_users()

    @property
    def add_demo_categories(self) -> demo_data.AddDemoCategories:
        return self._use_cases.add_demo_categories()

    @property
    def add_demo_products(self) -> demo_data.AddDemoProducts:
        return self._use_cases.add_demo_products()
