"""The OpenSearch engine: an alias over a versioned index, rebuilt beside it and swapped.

Writes go through the bulk helper with `refresh="wait_for"`: a call returns once its
change is visible to searches, so an edit shows at once without forcing a refresh per
request. A rebuild loads a new index `<prefix>-<UTC timestamp>`, moves the alias in one
`update_aliases` call (searches never see a missing or half-built index) and then drops the
old one. Connection errors, timeouts and an overloaded cluster raise `SearchUnavailable`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as TransportUnreachable
from opensearchpy.exceptions import NotFoundError, TransportError
from opensearchpy.helpers import BulkIndexError

from shopcore.adapters.opensearch.documents import INDEX_BODY, document_of, fingerprint
from shopcore.adapters.opensearch.queries import (
    SCAN_PAGE,
    fingerprints_of,
    result_of,
    scan_body,
    search_body,
)
from shopcore.domain.catalog import Product
from shopcore.domain.errors import SearchUnavailable
from shopcore.ports.search import Drift, SearchQuery, SearchResult

CHECK_SECONDS = 2.0
REFRESH = "wait_for"


def opensearch_client(url: str, user: str | None = None, password: str | None = None,
                      timeout: float = 5.0) -> OpenSearch:
    """A client for `OpenSearchSearch`: one attempt per call (the fallback engine retries)."""
    auth = (user, password or "") if user else None
    return OpenSearch(hosts=[url], http_auth=auth, timeout=timeout, max_retries=0,
                      retry_on_timeout=False)


@contextlib.contextmanager
def _answers() -> Iterator[None]:
    """OpenSearch's failures to answer as `SearchUnavailable`; a bad request stays a bug."""
    try:
        yield
    except TransportUnreachable as exc:
        raise SearchUnavailable(f"OpenSearch could not be reached in time: {exc}") from exc
    except BulkIndexError as exc:
        raise SearchUnavailable(f"OpenSearch refused {len(exc.errors)} documents.") from exc
    except TransportError as exc:
        if isinstance(exc.status_code, int) and (exc.status_code == 429
                                                 or exc.status_code >= 500):
            raise SearchUnavailable(f"OpenSearch answered {exc.status_code}.") from exc
        raise


class OpenSearchSearch:
    """Product search on OpenSearch, behind the alias `index_prefix`."""

    name = "opensearch"
    follows_catalog = False

    def __init__(self, client: OpenSearch, index_prefix: str = "shopcore-products") -> None:
        self.client, self.alias = client, index_prefix
        self._ready = False

    def index(self, products: Iterable[Product], category_names: dict[int, str]) -> None:
        with _answers():
            self._ensure_index()
            self._bulk(self.alias, self._index_actions(products, category_names, self.alias),
                       refresh=REFRESH)

    def remove(self, product_ids: Iterable[int]) -> None:
        actions = [{"_op_type": "delete", "_index": self.alias, "_id": str(product_id)}
                   for product_id in product_ids]
        with _answers():
            self._ensure_index()
            self._bulk(self.alias, actions, refresh=REFRESH, ignore_status=(404,))

    def search(self, query: SearchQuery) -> SearchResult:
        with _answers():
            self._ensure_index()
            return result_of(self.client.search(index=self.alias, body=search_body(query)))

    def rebuild(self, products: Iterable[Product], category_names: dict[int, str]) -> int:
        with _answers():
            old = self._indices_behind_alias()
            new = self._versioned_name(old)
            self.client.indices.create(index=new, body=INDEX_BODY)
            try:
                loaded = self._bulk(new, self._index_actions(products, category_names, new))
                self.client.indices.refresh(index=new)
                self.client.indices.update_aliases(body={"actions": swap_actions(
                    self.alias, old, new)})
            except Exception:
                with contextlib.suppress(TransportError):
                    self.client.indices.delete(index=new, ignore_unavailable=True)
                raise
            if old:
                self.client.indices.delete(index=",".join(old), ignore_unavailable=True)
            self._ready = True
            return loaded

    def drift(self, products: Iterable[Product]) -> Drift:
        expected = {p.id: fingerprint(p) for p in products if p.id is not None}
        with _answers():
            self._ensure_index()
            indexed = dict(self._scan())
        return Drift(
            missing=sorted(set(expected) - set(indexed)),
            stale=sorted(i for i in set(expected) & set(indexed) if expected[i] != indexed[i]),
            extra=sorted(set(indexed) - set(expected)))

    def check(self) -> str:
        try:
            return "up" if self.client.ping(request_timeout=CHECK_SECONDS) else "down"
        except Exception:  # readiness answers, whatever the client throws
            return "down"

    def _index_actions(self, products: Iterable[Product], category_names: dict[int, str],
                       index: str) -> Iterator[dict[str, Any]]:
        for product in products:
            yield {"_op_type": "index", "_index": index, "_id": str(product.id),
                   "_source": document_of(product, category_names.get(product.category_id, ""))}

    def _bulk(self, index: str, actions: Iterable[dict[str, Any]], **options: Any) -> int:
        done, _ = helpers.bulk(self.client, actions, index=index, max_retries=0, **options)
        return int(done)

    def _scan(self) -> Iterator[tuple[int, str]]:
        after: int | None = None
        while True:
            page = fingerprints_of(self.client.search(index=self.alias, body=scan_body(after)))
            yield from page
            if len(page) < SCAN_PAGE:
                return
            after = page[-1][0]

    def _indices_behind_alias(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    def _versioned_name(self, taken: list[str]) -> str:
        name = f"{self.alias}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
        return name if name not in taken else f"{name}-{len(taken)}"

    def _ensure_index(self) -> None:
        """The first write or search on an empty server creates the index behind the alias."""
        if self._ready:
            return
        if not self._indices_behind_alias():
            body = {**INDEX_BODY, "aliases": {self.alias: {}}}
            self.client.indices.create(index=self._versioned_name([]), body=body)
        self._ready = True


def swap_actions(alias: str, old: Iterable[str], new: str) -> list[dict[str, Any]]:
    """Move `alias` from the `old` indices to `new` in one atomic `update_aliases` call."""
    return [*({"remove": {"index": index, "alias": alias}} for index in old),
            {"add": {"index": new, "alias": alias}}]
