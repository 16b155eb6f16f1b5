"""Checkout and orders over HTTP; `both_databases` where storage or concurrency shows."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from shopcore.domain.order import Actor, Status
from tests.helpers import NO_FIELD, Headers, Shop, assert_error, make_product, shop_of

ORDER_FIELDS = {"id", "status", "items", "total", "currency", "created_at", "status_history",
                "allowed_transitions"}
STATUSES = [status.value for status in Status]
# The contract's table (API.md), written out rather than read from the domain.
STAFF_MOVES = {("pending", "cancelled"), ("paid", "shipped"), ("paid", "cancelled"),
               ("shipped", "delivered")}
OWNER_MOVES = {("pending", "cancelled"), ("paid", "cancelled")}
# How the test puts an order in each status without the payment flow (not built yet).
ARRANGE: dict[str, list[tuple[Status, Actor]]] = {
    "pending": [],
    "paid": [(Status.PAID, Actor.PAYMENT)],
    "shipped": [(Status.PAID, Actor.PAYMENT), (Status.SHIPPED, Actor.STAFF)],
    "delivered": [(Status.PAID, Actor.PAYMENT), (Status.SHIPPED, Actor.STAFF),
                  (Status.DELIVERED, Actor.STAFF)],
    "cancelled": [(Status.CANCELLED, Actor.SYSTEM)],
    "refunded": [(Status.PAID, Actor.PAYMENT), (Status.REFUNDED, Actor.PAYMENT)],
}


def fill(client: Any, headers: Headers, product_id: int, quantity: int) -> None:
    response = client.post("/api/cart/add/", json={"product_id": product_id,
                                                   "quantity": quantity}, headers=headers)
    assert response.status_code == 200, response.get_json()


def checkout(client: Any, headers: Headers, key: str | None = None, **kwargs: Any) -> Any:
    extra = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/orders/create/", headers={**headers, **extra}, **kwargs)


def place(client: Any, headers: Headers, product_id: int, quantity: int = 2) -> dict[str, Any]:
    """An order of `quantity` units of one product."""
    fill(client, headers, product_id, quantity)
    response = checkout(client, headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def stock(client: Any, product_id: int) -> int | None:
    return client.get(f"/api/products/{product_id}/").get_json()["stock"]  # type: ignore[no-any-return]


def cart_lines(client: Any, headers: Headers) -> list[tuple[int, int]]:
    body = client.get("/api/cart/", headers=headers).get_json()
    return [(item["product_id"], item["quantity"]) for item in body["items"]]


def order(client: Any, headers: Headers, order_id: int) -> dict[str, Any]:
    response = client.get(f"/api/orders/{order_id}/", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def order_count(client: Any, headers: Headers) -> int:
    return client.get("/api/orders/", headers=headers).get_json()["count"]  # type: ignore[no-any-return]


def arrange(shop: Shop, order_id: int, status: str) -> None:
    """Move the order to `status` through the repository, as payments and staff would."""
    uow = shop.container.adapters.uow()
    now = shop.container.core.clock().now()
    with uow:
        found = uow.orders.get(order_id, for_update=True)
        for target, actor in ARRANGE[status]:
            found.move_to(target, actor, actor.value, now, "arranged by the test")
        uow.orders.save(found)
        uow.commit()


def change_status(client: Any, headers: Headers, order_id: int, status: Any,
                  **extra: Any) -> Any:
    return client.post(f"/api/orders/{order_id}/status/", json={"status": status, **extra},
                       headers=headers)


# Checkout


@pytest.mark.both_databases
def test_checkout_answers_201_with_the_pending_order(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any], emma: dict[str, Any]
) -> None:
    alice_id = client.get("/api/users/profile/", headers=alice).get_json()["id"]
    fill(client, alice, dune["id"], 2)
    fill(client, alice, emma["id"], 3)

    response = checkout(client, alice)

    body = response.get_json()
    assert response.status_code == 201
    assert set(body) == ORDER_FIELDS
    assert body["status"] == "pending"
    assert body["items"] == [
        {"product_id": dune["id"], "name": "Dune", "unit_price": "12.50", "quantity": 2,
         "line_total": "25.00"},
        {"product_id": emma["id"], "name": "Emma", "unit_price": "3.00", "quantity": 3,
         "line_total": "9.00"}]
    assert (body["total"], body["currency"]) == ("34.00", "USD")
    created_at = datetime.fromisoformat(body["created_at"])
    assert created_at.utcoffset() is not None
    [placed] = body["status_history"]
    assert placed == {"status": "pending", "at": body["created_at"],
                      "actor": f"user:{alice_id}", "note": "order placed"}
    assert body["allowed_transitions"] == ["cancelled"]
    assert order(client, alice, body["id"]) == body


@pytest.mark.both_databases
def test_checkout_reserves_tracked_stock_and_empties_the_cart(
    client: Any, alice: Headers, dune: dict[str, Any], emma: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 2)
    fill(client, alice, emma["id"], 40)

    assert checkout(client, alice).status_code == 201

    assert stock(client, dune["id"]) == 3
    assert stock(client, emma["id"]) is None
    assert cart_lines(client, alice) == []


def test_untracked_stock_is_never_reserved_nor_released(
    client: Any, alice: Headers, emma: dict[str, Any]
) -> None:
    placed = place(client, alice, emma["id"], 500)
    assert stock(client, emma["id"]) is None

    client.post(f"/api/orders/{placed['id']}/cancel/", headers=alice)

    assert stock(client, emma["id"]) is None
    assert client.get(f"/api/products/{emma['id']}/").get_json()["in_stock"] is True


def test_an_order_keeps_the_price_and_name_it_was_placed_at(
    client: Any, staff: Headers, alice: Headers, dune: dict[str, Any]
) -> None:
    placed = place(client, alice, dune["id"], 1)

    client.patch(f"/api/products/{dune['id']}/", json={"price": "99.00", "name": "Dune II"},
                 headers=staff)

    fetched = order(client, alice, placed["id"])
    assert fetched["items"][0]["unit_price"] == "12.50"
    assert fetched["items"][0]["name"] == "Dune"
    assert fetched["total"] == "12.50"


def test_checkout_of_an_empty_cart_is_400_and_places_nothing(
    client: Any, alice: Headers
) -> None:
    assert_error(checkout(client, alice), 400, NO_FIELD)
    assert order_count(client, alice) == 0


@pytest.mark.both_databases
def test_short_stock_is_409_naming_each_short_product_and_changes_nothing(
    client: Any, staff: Headers, alice: Headers, books: int, dune: dict[str, Any],
    emma: dict[str, Any]
) -> None:
    kite = make_product(client, staff, books, "Kite", "8.00", stock=4)
    fill(client, alice, dune["id"], 3)
    fill(client, alice, emma["id"], 1)
    fill(client, alice, kite["id"], 4)
    client.patch(f"/api/products/{dune['id']}/", json={"stock": 2}, headers=staff)
    client.patch(f"/api/products/{kite['id']}/", json={"stock": 1}, headers=staff)

    body = assert_error(checkout(client, alice), 409, "items")

    [dune_short, kite_short] = body["errors"]["items"]
    assert "Dune" in dune_short
    assert "Kite" in kite_short
    assert "Dune" in body["message"]
    assert "Kite" in body["message"]
    assert (stock(client, dune["id"]), stock(client, kite["id"])) == (2, 1)
    assert cart_lines(client, alice) == [(dune["id"], 3), (emma["id"], 1), (kite["id"], 4)]
    assert order_count(client, alice) == 0


@pytest.mark.both_databases
def test_a_product_deleted_since_it_was_added_is_409_and_nothing_is_reserved(
    client: Any, staff: Headers, alice: Headers, books: int, dune: dict[str, Any]
) -> None:
    kite = make_product(client, staff, books, "Kite", "8.00", stock=4)
    fill(client, alice, dune["id"], 2)
    fill(client, alice, kite["id"], 1)
    client.delete(f"/api/products/{kite['id']}/", headers=staff)

    body = assert_error(checkout(client, alice), 409, "items")

    assert any("Kite" in message for message in body["errors"]["items"])
    assert stock(client, dune["id"]) == 5
    assert order_count(client, alice) == 0


@pytest.mark.parametrize("kwargs", [
    {}, {"json": {}}, {"data": b"", "content_type": "application/json"},
    {"data": b" { } ", "content_type": "application/json"},
])
def test_checkout_takes_no_body_or_an_empty_object(
    client: Any, alice: Headers, dune: dict[str, Any], kwargs: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 1)

    assert checkout(client, alice, **kwargs).status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    ({"items": []}, "items"), ({"product_id": 1}, "product_id"), ([], NO_FIELD),
    ("x", NO_FIELD), (None, NO_FIELD), (1, NO_FIELD),
])
def test_checkout_with_a_body_is_400_and_places_nothing(
    client: Any, alice: Headers, dune: dict[str, Any], body: Any, field: str
) -> None:
    fill(client, alice, dune["id"], 1)

    response = checkout(client, alice, data=json.dumps(body), content_type="application/json")

    assert_error(response, 400, field)
    assert order_count(client, alice) == 0
    assert cart_lines(client, alice) == [(dune["id"], 1)]
    assert stock(client, dune["id"]) == 5


def test_a_checkout_too_large_to_read_is_413_and_does_not_spend_its_key(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 1)

    assert_error(checkout(client, alice, "k-1", json={"x": "y" * 1_100_000}), 413)
    assert order_count(client, alice) == 0
    assert checkout(client, alice, "k-1").status_code == 201


def test_checkout_is_401_for_anonymous(client: Any) -> None:
    assert_error(client.post("/api/orders/create/"), 401)
    assert_error(client.post("/api/orders/create/", json={"bogus": 1}), 401)


# Idempotency-Key


@pytest.mark.both_databases
def test_the_same_key_replays_the_same_order_and_places_one(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 2)

    first = checkout(client, alice, "checkout-1")
    fill(client, alice, dune["id"], 1)
    again = checkout(client, alice, "checkout-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert order_count(client, alice) == 1
    assert stock(client, dune["id"]) == 3
    assert cart_lines(client, alice) == [(dune["id"], 1)]


def test_no_body_and_an_empty_object_are_the_same_body(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 2)

    first = checkout(client, alice, "checkout-1")
    again = checkout(client, alice, "checkout-1", json={})

    assert again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]


def test_a_new_key_or_no_key_is_a_new_checkout(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 1)
    first = checkout(client, alice, "checkout-1")
    fill(client, alice, dune["id"], 1)
    second = checkout(client, alice, "checkout-2")

    assert second.status_code == 201
    assert second.get_json()["id"] != first.get_json()["id"]
    assert_error(checkout(client, alice), 400, NO_FIELD)
    assert order_count(client, alice) == 2


def test_a_key_belongs_to_one_user(
    client: Any, alice: Headers, bob: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 1)
    fill(client, bob, dune["id"], 2)

    mine = checkout(client, alice, "same-key").get_json()
    theirs = checkout(client, bob, "same-key").get_json()

    assert theirs["id"] != mine["id"]
    assert theirs["items"][0]["quantity"] == 2
    assert (order_count(client, alice), order_count(client, bob)) == (1, 1)


@pytest.mark.both_databases
def test_a_refused_checkout_is_replayed_as_it_was_answered(
    client: Any, staff: Headers, alice: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 3)
    client.patch(f"/api/products/{dune['id']}/", json={"stock": 1}, headers=staff)
    refused = checkout(client, alice, "checkout-1")
    client.patch(f"/api/products/{dune['id']}/", json={"stock": 10}, headers=staff)

    replayed = checkout(client, alice, "checkout-1")

    assert_error(refused, 409, "items")
    assert_error(replayed, 409, "items")
    assert replayed.get_json() == refused.get_json()
    assert order_count(client, alice) == 0
    assert checkout(client, alice, "checkout-2").status_code == 201
    assert stock(client, dune["id"]) == 7


def test_an_empty_cart_answer_is_replayed_too(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    first = checkout(client, alice, "checkout-1")
    fill(client, alice, dune["id"], 1)

    assert_error(first, 400, NO_FIELD)
    assert checkout(client, alice, "checkout-1").get_json() == first.get_json()
    assert order_count(client, alice) == 0


def test_a_key_first_used_with_another_body_is_409(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    # The endpoint only takes an empty body, so the other body arrives through the core.
    alice_id = client.get("/api/users/profile/", headers=alice).get_json()["id"]
    shop_of(shop.app).idempotently(
        user_id=alice_id, endpoint="orders.create", key="checkout-1", body={"other": 1},
        action=lambda: {"status": 201, "body": {"id": 0}})
    fill(client, alice, dune["id"], 1)

    body = assert_error(checkout(client, alice, "checkout-1"), 409)

    assert "another request body" in body["message"]
    assert order_count(client, alice) == 0
    assert cart_lines(client, alice) == [(dune["id"], 1)]


@pytest.mark.both_databases
def test_a_key_whose_first_request_is_still_running_is_409(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    from shopcore.application.idempotency import fingerprint

    alice_id = client.get("/api/users/profile/", headers=alice).get_json()["id"]
    uow = shop.container.adapters.uow()
    with uow:
        uow.idempotency.claim(alice_id, "orders.create", "checkout-1", fingerprint({}),
                              shop.container.core.clock().now())
        uow.commit()
    fill(client, alice, dune["id"], 1)

    body = assert_error(checkout(client, alice, "checkout-1"), 409)

    assert "still being processed" in body["message"]
    assert order_count(client, alice) == 0


@pytest.mark.parametrize("key", ["", "k" * 256])
def test_an_idempotency_key_outside_1_to_255_characters_is_400(
    client: Any, alice: Headers, dune: dict[str, Any], key: str
) -> None:
    fill(client, alice, dune["id"], 1)

    assert_error(checkout(client, alice, key), 400, "Idempotency-Key")
    assert order_count(client, alice) == 0


@pytest.mark.both_databases
def test_an_idempotency_key_of_255_characters_is_kept(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 1)
    key = "k" * 255

    first = checkout(client, alice, key)

    assert first.status_code == 201
    assert checkout(client, alice, key).get_json() == first.get_json()


# Listing orders


@pytest.mark.both_databases
def test_orders_are_listed_newest_first_and_only_the_callers(
    client: Any, staff: Headers, alice: Headers, bob: Headers, dune: dict[str, Any],
    emma: dict[str, Any]
) -> None:
    first = place(client, alice, dune["id"], 1)
    place(client, bob, emma["id"], 1)
    second = place(client, alice, emma["id"], 2)

    body = client.get("/api/orders/", headers=alice).get_json()

    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert [o["id"] for o in body["results"]] == [second["id"], first["id"]]
    assert body["results"][0] == order(client, alice, second["id"])
    assert client.get("/api/orders/", headers=staff).get_json()["count"] == 0


def test_orders_filter_by_status(
    client: Any, alice: Headers, dune: dict[str, Any], emma: dict[str, Any]
) -> None:
    kept = place(client, alice, dune["id"], 1)
    cancelled = place(client, alice, emma["id"], 1)
    client.post(f"/api/orders/{cancelled['id']}/cancel/", headers=alice)

    def ids(status: str) -> list[int]:
        response = client.get(f"/api/orders/?status={status}", headers=alice)
        assert response.status_code == 200
        return [o["id"] for o in response.get_json()["results"]]

    assert ids("pending") == [kept["id"]]
    assert ids("cancelled") == [cancelled["id"]]
    assert ids("paid") == []


@pytest.mark.parametrize("status", ["bogus", "", "PENDING", "1"])
def test_an_unknown_status_filter_is_400(client: Any, alice: Headers, status: str) -> None:
    assert_error(client.get(f"/api/orders/?status={status}", headers=alice), 400, "status")


def test_orders_paginate_with_links(client: Any, alice: Headers, emma: dict[str, Any]) -> None:
    placed = [place(client, alice, emma["id"], 1)["id"] for _ in range(3)]

    first = client.get("/api/orders/?page_size=2", headers=alice).get_json()
    second = client.get(first["next"], headers=alice).get_json()

    assert [o["id"] for o in first["results"]] == placed[:0:-1]
    assert [o["id"] for o in second["results"]] == [placed[0]]
    assert parse_qs(urlsplit(first["next"]).query) == {"page_size": ["2"], "page": ["2"]}
    assert second["next"] is None
    assert_error(client.get("/api/orders/?page=3&page_size=2", headers=alice), 404)
    assert_error(client.get("/api/orders/?page_size=abc", headers=alice), 400, "page_size")


def test_listing_orders_is_401_for_anonymous(client: Any) -> None:
    assert_error(client.get("/api/orders/"), 401)


# One order


def test_the_owner_reads_an_order_with_its_tracking(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    placed = place(client, alice, dune["id"])
    client.post(f"/api/orders/{placed['id']}/cancel/", headers=alice)

    fetched = order(client, alice, placed["id"])

    assert [(h["status"], h["note"]) for h in fetched["status_history"]] == [
        ("pending", "order placed"), ("cancelled", "cancelled")]
    assert all(datetime.fromisoformat(h["at"]).utcoffset() is not None
               for h in fetched["status_history"])
    assert fetched["status_history"][0]["at"] <= fetched["status_history"][1]["at"]


def test_another_users_order_answers_404_like_one_that_does_not_exist(
    client: Any, alice: Headers, bob: Headers, dune: dict[str, Any]
) -> None:
    placed = place(client, alice, dune["id"])

    theirs = client.get(f"/api/orders/{placed['id']}/", headers=bob)
    missing = client.get("/api/orders/999/", headers=bob)

    assert_error(theirs, 404)
    assert theirs.get_json() == missing.get_json()


def test_staff_read_any_order_with_their_own_transitions(
    shop: Shop, client: Any, staff: Headers, alice: Headers, dune: dict[str, Any]
) -> None:
    placed = place(client, alice, dune["id"])
    arrange(shop, placed["id"], "paid")

    as_staff = order(client, staff, placed["id"])
    as_owner = order(client, alice, placed["id"])

    assert as_staff["status"] == "paid"
    assert as_staff["allowed_transitions"] == ["shipped", "cancelled"]
    assert as_owner["allowed_transitions"] == ["cancelled"]
    assert {k: v for k, v in as_staff.items() if k != "allowed_transitions"} == {
        k: v for k, v in as_owner.items() if k != "allowed_transitions"}


@pytest.mark.parametrize("status", STATUSES)
def test_allowed_transitions_follow_the_table_for_owner_and_staff(
    shop: Shop, client: Any, staff: Headers, alice: Headers, dune: dict[str, Any],
    status: str
) -> None:
    placed = place(client, alice, dune["id"])
    arrange(shop, placed["id"], status)

    assert set(order(client, staff, placed["id"])["allowed_transitions"]) == {
        to for frm, to in STAFF_MOVES if frm == status}
    assert set(order(client, alice, placed["id"])["allowed_transitions"]) == {
        to for frm, to in OWNER_MOVES if frm == status}


@pytest.mark.parametrize("path", ["/api/orders/-1/", "/api/orders/abc/", "/api/orders/0/",
                                  "/api/orders/99999999999999999999/"])
def test_an_order_id_that_is_not_a_known_positive_integer_is_404(
    client: Any, alice: Headers, path: str
) -> None:
    assert_error(client.get(path, headers=alice), 404)


def test_reading_an_order_is_401_for_anonymous(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    placed = place(client, alice, dune["id"])

    assert_error(client.get(f"/api/orders/{placed['id']}/"), 401)


# Cancelling


@pytest.mark.both_databases
def test_the_owner_cancels_a_pending_order_and_its_stock_goes_back(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    alice_id = client.get("/api/users/profile/", headers=alice).get_json()["id"]
    placed = place(client, alice, dune["id"], 2)
    assert stock(client, dune["id"]) == 3

    response = client.post(f"/api/orders/{placed['id']}/cancel/", headers=alice)

    body = response.get_json()
    assert response.status_code == 200
    assert body["status"] == "cancelled"
    assert body["allowed_transitions"] == []
    assert body["status_history"][-1]["actor"] == f"user:{alice_id}"
    assert stock(client, dune["id"]) == 5
    assert order(client, alice, placed["id"]) == body


def test_staff_cancel_a_customers_order(
    client: Any, staff: Headers, alice: Headers, dune: dict[str, Any]
) -> None:
    placed = place(client, alice, dune["id"], 2)

    response = client.post(f"/api/orders/{placed['id']}/cancel/", json={}, headers=staff)

    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    assert response.get_json()["status_history"][-1]["actor"].startswith("staff:")
    assert stock(client, dune["id"]) == 5


@pytest.mark.parametrize("status", STATUSES)
def test_the_owner_cancels_only_pending_and_paid_orders(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any], status: str
) -> None:
    placed = place(client, alice, dune["id"], 2)
    arrange(shop, placed["id"], status)

    response = client.post(f"/api/orders/{placed['id']}/cancel/", headers=alice)

    if (status, "cancelled") in OWNER_MOVES:
        assert response.status_code == 200
        assert response.get_json()["status"] == "cancelled"
        assert stock(client, dune["id"]) == 5
    else:
        assert_error(response, 409)
        assert order(client, alice, placed["id"])["status"] == status
        assert stock(client, dune["id"]) == 3


@pytest.mark.parametrize("status", STATUSES)
def test_staff_cancel_only_pending_and_paid_orders(
    shop: Shop, client: Any, staff: Headers, alice: Headers, dune: dict[str, Any], status: str
) -> None:
    placed = place(client, alice, dune["id"], 2)
    arrange(shop, placed["id"], status)

    response = client.post(f"/api/orders/{placed['id']}/cancel/", headers=staff)

    if (status, "cancelled") in STAFF_MOVES:
        assert response.status_code == 200
        assert stock(client, dune["id"]) == 5
    else:
        assert_error(response, 409)
        assert order(client, alice, placed["id"])["status"] == status


def test_another_users_order_cannot_be_cancelled_and_answers_404(
    client: Any, alice: Headers, bob: Headers, dune: dict[str, Any]
) -> None:
    placed = place(client, alice, dune["id"], 2)

    assert_error(client.post(f"/api/orders/{placed['id']}/cancel/", headers=bob), 404)
    assert order(client, alice, placed["id"])["status"] == "pending"
    assert stock(client, dune["id"]) == 3


@pytest.mark.both_databases
def test_cancelling_twice_is_409_and_releases_stock_once(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    placed = place(client, alice, dune["id"], 2)
    client.post(f"/api/orders/{placed['id']}/cancel/", headers=alice)

    assert_error(client.post(f"/api/orders/{placed['id']}/cancel/", headers=alice), 409)
    assert stock(client, dune["id"]) == 5


@pytest.mark.parametrize("body", [{"note": "changed my mind"}, [], "x"])
def test_cancel_with_a_body_is_400_and_cancels_nothing(
    client: Any, alice: Headers, dune: dict[str, Any], body: Any
) -> None:
    placed = place(client, alice, dune["id"], 2)

    response = client.post(f"/api/orders/{placed['id']}/cancel/", data=json.dumps(body),
                           content_type="application/json", headers=alice)

    assert_error(response, 400)
    assert order(client, alice, placed["id"])["status"] == "pending"


def test_cancel_is_401_for_anonymous_and_404_for_an_unknown_order(
    client: Any, alice: Headers
) -> None:
    assert_error(client.post("/api/orders/1/cancel/"), 401)
    assert_error(client.post("/api/orders/999/cancel/", headers=alice), 404)


# Staff status changes: the whole table


@pytest.mark.parametrize("target", STATUSES)
@pytest.mark.parametrize("current", STATUSES)
def test_staff_move_orders_only_along_the_table(
    shop: Shop, client: Any, staff: Headers, alice: Headers, dune: dict[str, Any],
    current: str, target: str
) -> None:
    placed = place(client, alice, dune["id"], 2)
    arrange(shop, placed["id"], current)
    before = order(client, staff, placed["id"])
    stock_before = stock(client, dune["id"])

    response = change_status(client, staff, placed["id"], target, note="by the book")

    if (current, target) in STAFF_MOVES:
        body = response.get_json()
        assert response.status_code == 200, body
        assert body["status"] == target
        last = body["status_history"][-1]
        assert (last["status"], last["note"]) == (target, "by the book")
        assert last["actor"].startswith("staff:")
        assert len(body["status_history"]) == len(before["status_history"]) + 1
        released = 2 if target == "cancelled" else 0
        assert stock(client, dune["id"]) == stock_before + released
        assert order(client, staff, placed["id"]) == body
    else:
        assert_error(response, 409, "status")
        assert order(client, staff, placed["id"]) == before
        assert stock(client, dune["id"]) == stock_before


@pytest.mark.both_databases
def test_an_order_goes_from_paid_to_delivered_through_the_api(
    shop: Shop, client: Any, staff: Headers, alice: Headers, dune: dict[str, Any]
) -> None:
    placed = place(client, alice, dune["id"], 1)
    arrange(shop, placed["id"], "paid")

    shipped = change_status(client, staff, placed["id"], "shipped", note="DHL 123")
    delivered = change_status(client, staff, placed["id"], "delivered")

    assert (shipped.status_code, delivered.status_code) == (200, 200)
    history = order(client, alice, placed["id"])["status_history"]
    assert [(h["status"], h["note"]) for h in history] == [
        ("pending", "order placed"), ("paid", "arranged by the test"), ("shipped", "DHL 123"),
        ("delivered", "")]
    assert stock(client, dune["id"]) == 4


def test_a_customer_changing_a_status_is_403_even_on_their_own_order(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    placed = place(client, alice, dune["id"], 2)

    assert_error(change_status(client, alice, placed["id"], "cancelled"), 403)
    assert_error(change_status(client, alice, 999, "cancelled"), 403)
    assert_error(change_status(client, alice, placed["id"], "bogus"), 403)
    assert order(client, alice, placed["id"])["status"] == "pending"


def test_a_status_change_is_401_for_anonymous(client: Any) -> None:
    assert_error(change_status(client, {}, 1, "cancelled"), 401)


def test_staff_changing_an_unknown_order_is_404(client: Any, staff: Headers) -> None:
    assert_error(change_status(client, staff, 999, "cancelled"), 404)


@pytest.mark.parametrize(("body", "field"), [
    ({"status": "bogus"}, "status"),
    ({"status": ""}, "status"),
    ({"status": "PAID"}, "status"),
    ({"status": 1}, "status"),
    ({"status": None}, "status"),
    ({}, "status"),
    ({"status": "cancelled", "note": 5}, "note"),
    ({"status": "cancelled", "note": None}, "note"),
    ({"status": "cancelled", "note": "x" * 1001}, "note"),
    ({"status": "cancelled", "note": "a\x00b"}, "note"),
    ({"status": "cancelled", "actor": "payment"}, "actor"),
    (["cancelled"], NO_FIELD),
])
def test_bad_status_changes_are_400_and_change_nothing(
    client: Any, staff: Headers, alice: Headers, dune: dict[str, Any], body: Any, field: str
) -> None:
    placed = place(client, alice, dune["id"], 2)

    response = client.post(f"/api/orders/{placed['id']}/status/", json=body, headers=staff)

    assert_error(response, 400, field)
    assert order(client, alice, placed["id"])["status"] == "pending"
    assert stock(client, dune["id"]) == 3


# Documentation


def test_every_order_endpoint_is_in_the_openapi_document(client: Any) -> None:
    spec = client.get("/api/openapi.json").get_json()
    paths = spec["paths"]
    expected = {"/api/orders/": {"get"}, "/api/orders/create/": {"post"},
                "/api/orders/{order_id}/": {"get"}, "/api/orders/{order_id}/cancel/": {"post"},
                "/api/orders/{order_id}/status/": {"post"}}

    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
        for method in methods:
            assert paths[path][method]["security"] == [{"bearerAuth": []}], (path, method)
    create = paths["/api/orders/create/"]["post"]
    [key] = [p for p in create["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["in"] == "header"
    assert key["required"] is False
    assert (key["schema"]["minLength"], key["schema"]["maxLength"]) == (1, 255)
    assert "201" in create["responses"]
    assert create["requestBody"]["required"] is False
    listed = {p["name"] for p in paths["/api/orders/"]["get"]["parameters"]}
    assert {"status", "page", "page_size"} <= listed
    order_schema = spec["components"]["schemas"]["Order"]
    assert set(order_schema["properties"]) == ORDER_FIELDS
    history = spec["components"]["schemas"]["StatusChange"]
    assert set(history["properties"]) == {"status", "at", "actor", "note"}
