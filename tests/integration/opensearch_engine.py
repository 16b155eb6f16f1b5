"""The OpenSearch engine for the search contract suite, on the server SHOPCORE_OPENSEARCH_URL names.

No OpenSearch server can run on these machines, so without that variable the suite skips it,
saying why, also under CI: the one skip the search issue allows.
"""

from __future__ import annotations

import os
import shutil
import uuid

import pytest

from shopcore.ports.search import ProductSearch
from tests.helpers import UowFactory

NO_SERVER = "SHOPCORE_OPENSEARCH_URL is not set: no OpenSearch server can run on these machines"


def opensearch_engine(request: pytest.FixtureRequest) -> tuple[UowFactory, ProductSearch]:
    """A fresh index prefix on the server, beside a clean SQLite database for the catalog."""
    url = os.environ.get("SHOPCORE_OPENSEARCH_URL")
    if not url:
        pytest.skip(NO_SERVER)
    from shopcore.adapters.opensearch.search import OpenSearchSearch, opensearch_client
    from shopcore.adapters.sqlalchemy.engine import make_engine
    from shopcore.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork

    client = opensearch_client(url, os.environ.get("SHOPCORE_OPENSEARCH_USER"),
                               os.environ.get("SHOPCORE_OPENSEARCH_PASSWORD"), 10.0)
    prefix = f"shopcore-test-{uuid.uuid4().hex[:10]}"
    path = request.getfixturevalue("tmp_path") / "search.sqlite3"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    engine = make_engine(f"sqlite:///{path}")

    def tear_down() -> None:
        client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
        client.close()
        engine.dispose()

    request.addfinalizer(tear_down)
    return (lambda: SqlUnitOfWork(engine)), OpenSearchSearch(client, index_prefix=prefix)
