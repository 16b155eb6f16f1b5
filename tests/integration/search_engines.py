"""The search engines the contract suite holds to one standard: each joins with one line.

An engine factory takes the test's request (for the fixtures it needs: a database, a
server) and answers a unit of work for the catalog and the engine searching it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shopcore.adapters.memory.search import MemorySearch
from shopcore.adapters.memory.store import MemoryStore
from shopcore.adapters.memory.unit_of_work import MemoryUnitOfWork
from shopcore.ports.search import ProductSearch
from tests.helpers import UowFactory
from tests.integration.opensearch_engine import opensearch_engine
from tests.integration.sql_search_engines import postgres_engine, sqlite_engine

Engine = Callable[[pytest.FixtureRequest], tuple[UowFactory, ProductSearch]]


def memory(request: pytest.FixtureRequest) -> tuple[UowFactory, ProductSearch]:
    store = MemoryStore()
    return (lambda: MemoryUnitOfWork(store)), MemorySearch()


ENGINES: list[Engine] = [memory, sqlite_engine, postgres_engine, opensearch_engine]
