"""Schemathesis against /api/openapi.json: every operation answers as the document says.

The app runs in-process on SQLite with a small catalog, a customer with a pending order
and a staff user. Each operation gets generated requests, valid and invalid, signed by the
customer or, for staff operations, by staff; every answer must be a documented status and
content type, match its documented schema, never be a 5xx, and errors keep the one shape.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shopcore.entrypoints.http import create_app
from tests.helpers import Shop, make_category, make_product, make_settings, shop_of

# Per operation and mode; raise it for a deeper run (SHOPCORE_FUZZ_EXAMPLES=200).
MAX_EXAMPLES = int(os.environ.get("SHOPCORE_FUZZ_EXAMPLES", "25"))
STAFF_PATHS = ("/status/", "/refund/")
CATALOG = ("/api/categories/", "/api/products/{")


class Fuzzed:
    """The app under test, the headers of its two users and the ids of what it holds."""

    def __init__(self, app: Any, customer: dict[str, str], staff: dict[str, str],
                 ids: dict[str, list[int]]) -> None:
        self.app, self.customer, self.staff, self.ids = app, customer, staff, ids

    def aim(self, case: Any, pick: int) -> None:
        """Point the case's ids (path and body) at things that exist, so calls get past 404."""
        body = case.body if isinstance(case.body, dict) else {}
        for where in (case.path_parameters or {}, body):
            for name in where:
                if name in self.ids:
                    where[name] = self.ids[name][pick % len(self.ids[name])]

    def headers_for(self, method: str, path: str) -> dict[str, str]:
        catalog_write = method != "GET" and (path.startswith(CATALOG) or path == "/api/products/")
        return self.staff if catalog_write or path.endswith(STAFF_PATHS) else self.customer


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    from shopcore.adapters.sqlalchemy.migrate import upgrade

    path: Path = tmp_path_factory.mktemp("fuzz") / "shop.sqlite3"
    upgrade(f"sqlite:///{path}")
    app = create_app(make_settings(f"sqlite:///{path}"))
    app.config["TESTING"] = True
    shop = Shop(app, app.test_client())
    staff, customer = shop.staff(), shop.customer()
    books = make_category(shop.client, staff, "Books")["id"]
    dune = make_product(shop.client, staff, books, "Dune", stock=50)["id"]
    kite = make_product(shop.client, staff, books, "Kite", "8.00")["id"]
    orders = []
    for quantity in (2, 1, 3):
        shop.client.post("/api/cart/add/", json={"product_id": dune, "quantity": quantity},
                         headers=customer)
        orders.append(shop.client.post("/api/orders/create/", headers=customer).json["id"])
    paid = shop.client.post("/api/payments/process/", headers=customer, json={
        "order_id": orders[1], "payment_method_id": "pm_card_visa"})
    assert paid.status_code == 201, paid.json
    shop.client.post("/api/cart/add/", json={"product_id": dune, "quantity": 1},
                     headers=customer)
    ids = {"order_id": orders, "product_id": [dune, kite], "category_id": [books]}
    yield Fuzzed(app, customer, staff, ids)
    shop_of(app).close()


def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx JSON answer is {code, status, message, errors?} with the answer's code."""
    if response.status_code < 400 or "json" not in response.headers.get(
            "Content-Type", [""])[0]:
        return None
    body = response.json()
    assert isinstance(body, dict), body
    assert body.get("code") == response.status_code, body
    assert body.get("status") == HTTPStatus(response.status_code).phrase, body
    assert isinstance(body.get("message"), str) and body["message"], body
    assert set(body) <= {"code", "status", "message", "errors"}, body
    for field, messages in body.get("errors", {}).items():
        assert isinstance(field, str) and messages, body
        assert all(isinstance(m, str) for m in messages), body
    return True


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, error_shape]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def fuzz(operation: Any, mode: GenerationMode, fuzzed: Fuzzed, answers: Counter[int]) -> None:
    """Run `operation` on generated requests of `mode`, counting the answers by status."""

    @given(case=operation.as_strategy(generation_mode=mode), aim=st.integers(0, 5))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any, aim: int) -> None:
        if aim and mode is GenerationMode.POSITIVE:
            fuzzed.aim(case, aim - 1)
        response = case.call(headers=fuzzed.headers_for(case.method, case.path))
        answers[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    run()


def test_every_operation_answers_as_the_openapi_document_says(fuzzed: Fuzzed) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzzed.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: dict[str, str] = {}
    answers: Counter[int] = Counter()
    for operation in operations:
        for mode in MODES:
            try:
                fuzz(operation, mode, fuzzed, answers)
            except Unsatisfiable:
                continue  # nothing to make invalid (no parameters, no body)
            except (AssertionError, BaseExceptionGroup) as exc:  # every operation reported
                failures[f"{operation.label} ({mode.value})"] = str(exc)[:2000]
    print(f"schemathesis: {len(operations)} operations, {answers.total()} requests, "
          f"answers {sorted(answers.items())}")
    assert len(operations) >= 39
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())

