"""Payments over HTTP: pay, declines, 3-D Secure, idempotent retries, races, refunds, webhooks."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import pytest

from shopcore.adapters.memory.gateway import MemoryGateway
from shopcore.domain.errors import PaymentProviderError
from shopcore.settings import Settings
from tests.helpers import NO_FIELD, Headers, Shop, assert_error, make_settings
from tests.payment_helpers import WEBHOOK_SECRET, event, signed

PAYMENT_FIELDS = {"id", "order_id", "amount", "currency", "status", "provider",
                  "provider_reference", "created_at"}
WEBHOOK = "/api/payments/webhook/"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, payment_provider="memory",
                         stripe_webhook_secret=WEBHOOK_SECRET)


def gateway(shop: Shop) -> MemoryGateway:
    found: MemoryGateway = shop.container.adapters.payment_gateway()
    return found


def place(client: Any, headers: Headers, product: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/cart/add/", json={"product_id": product["id"], "quantity": 2},
                           headers=headers)
    assert response.status_code == 200, response.get_json()
    created = client.post("/api/orders/create/", headers=headers)
    assert created.status_code == 201, created.get_json()
    return created.get_json()  # type: ignore[no-any-return]


def pay(client: Any, headers: Headers, order_id: int, method: str = "pm_card_visa",
        key: str | None = None) -> Any:
    extra = {"Idempotency-Key": key} if key else {}
    return client.post("/api/payments/process/", headers={**headers, **extra},
                       json={"order_id": order_id, "payment_method_id": method})


def status(client: Any, headers: Headers, order_id: int) -> str:
    return client.get(f"/api/orders/{order_id}/", headers=headers).get_json()["status"]  # type: ignore[no-any-return]


def deliver(client: Any, body: dict[str, Any], at: int | None = None) -> Any:
    payload, signature = signed(body, at=at)
    return client.post(WEBHOOK, data=payload, content_type="application/json",
                       headers={"Stripe-Signature": signature})


@pytest.mark.both_databases
def test_paying_an_order_answers_201_and_the_order_is_paid(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    order = place(client, alice, dune)

    response = pay(client, alice, order["id"])

    body = response.get_json()
    assert response.status_code == 201, body
    assert set(body) == PAYMENT_FIELDS
    assert (body["order_id"], body["amount"], body["currency"], body["status"],
            body["provider"]) == (order["id"], "25.00", "USD", "succeeded", "memory")
    assert body["provider_reference"].startswith("pi_")
    assert status(client, alice, order["id"]) == "paid"
    assert_error(pay(client, alice, order["id"]), 409)


def test_a_declined_card_is_402_with_the_reason_and_the_order_stays_payable(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    order = place(client, alice, dune)

    body = assert_error(pay(client, alice, order["id"], "pm_card_chargeDeclinedInsufficientFunds"),
                        402, "payment_method_id")

    assert "insufficient funds" in body["message"]
    assert "insufficient_funds" in body["errors"]["payment_method_id"][0]
    assert status(client, alice, order["id"]) == "pending"
    assert pay(client, alice, order["id"]).status_code == 201


def test_another_users_order_is_404_and_bad_bodies_are_400(
    client: Any, alice: Headers, bob: Headers, dune: dict[str, Any]
) -> None:
    order = place(client, alice, dune)
    assert_error(pay(client, bob, order["id"]), 404)
    assert_error(pay(client, alice, order["id"], "pm_card_bogus"), 400, "payment_method_id")
    for bad in ({"order_id": "1", "payment_method_id": "pm_card_visa"},
                {"order_id": order["id"]}, {"order_id": order["id"],
                                            "payment_method_id": "pm_card_visa", "amount": 1}):
        assert_error(client.post("/api/payments/process/", json=bad, headers=alice), 400)
    assert_error(client.post("/api/payments/process/", json={}), 401)


def test_requires_action_answers_the_client_secret_and_the_order_waits_for_the_webhook(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    order = place(client, alice, dune)

    body = pay(client, alice, order["id"], "pm_card_authenticationRequired").get_json()

    assert body["status"] == "requires_action" and body["next_action"]["client_secret"]
    assert status(client, alice, order["id"]) == "pending"
    charge = gateway(shop).settle_action(body["provider_reference"])
    assert deliver(client, event("payment_intent.succeeded", charge, "evt_1")).status_code == 200
    assert status(client, alice, order["id"]) == "paid"


def test_the_same_key_replays_the_first_answer_a_402_included(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    order = place(client, alice, dune)
    first = pay(client, alice, order["id"], "pm_card_chargeDeclined", key="k1")
    again = pay(client, alice, order["id"], "pm_card_chargeDeclined", key="k1")

    assert (first.status_code, again.status_code) == (402, 402)
    assert first.get_json() == again.get_json()
    assert_error(pay(client, alice, order["id"], "pm_card_visa", key="k1"), 409)
    assert gateway(shop).calls["charge"] == 1


def test_payments_list_the_callers_own_attempts_newest_first(
    client: Any, alice: Headers, bob: Headers, dune: dict[str, Any]
) -> None:
    order = place(client, alice, dune)
    pay(client, alice, order["id"], "pm_card_chargeDeclined")
    pay(client, alice, order["id"])

    body = client.get("/api/payments/?page_size=1", headers=alice).get_json()

    assert body["count"] == 2 and body["next"] and body["previous"] is None
    assert [p["status"] for p in body["results"]] == ["succeeded"]
    assert client.get("/api/payments/", headers=bob).get_json()["count"] == 0
    assert_error(client.get("/api/payments/"), 401)


@pytest.mark.both_databases
def test_payments_racing_for_one_order_charge_once(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    order = place(client, alice, dune)
    barrier, codes = threading.Barrier(4), []

    def racer() -> None:
        local = shop.app.test_client()
        barrier.wait()
        codes.append(pay(local, alice, order["id"]).status_code)

    threads = [threading.Thread(target=racer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert set(codes) <= {201, 409} and 201 in codes
    assert len(gateway(shop).charges) == 1
    assert status(client, alice, order["id"]) == "paid"


# Refunds and cancels


def test_staff_refund_part_then_the_rest_and_the_order_becomes_refunded(
    client: Any, staff: Headers, alice: Headers, dune: dict[str, Any]
) -> None:
    order = place(client, alice, dune)
    pay(client, alice, order["id"])
    url = f"/api/orders/{order['id']}/refund/"

    assert client.post(url, json={"amount": "10.00"}, headers=staff).get_json()[
        "status"] == "paid"
    assert_error(client.post(url, json={"amount": "15.01"}, headers=staff), 409)
    for bad in ("0", "-1.00", "x"):
        assert_error(client.post(url, json={"amount": bad}, headers=staff), 400, "amount")
    assert_error(client.post(url, json={"amount": "1.00"}, headers=alice), 403)
    assert client.post(url, json={"amount": "15.00"}, headers=staff).get_json()[
        "status"] == "refunded"


def test_a_paid_order_cancelled_is_refunded_first_and_a_failed_refund_leaves_it_paid(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    order = place(client, alice, dune)
    pay(client, alice, order["id"])
    gateway(shop).raise_next("refund", PaymentProviderError("card network down"))
    url = f"/api/orders/{order['id']}/cancel/"

    body = assert_error(client.post(url, headers=alice), 502, NO_FIELD)

    assert "card network down" in body["message"]
    assert status(client, alice, order["id"]) == "paid"
    assert client.post(url, headers=alice).get_json()["status"] == "cancelled"
    [charge] = gateway(shop).charges.values()
    assert charge.refunded.amount == Decimal("25.00")


# Webhooks


def paid_by_webhook_first(shop: Shop, client: Any, alice: Headers,
                          dune: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    order = place(client, alice, dune)
    body = pay(client, alice, order["id"], "pm_card_authenticationRequired").get_json()
    return order, gateway(shop).settle_action(body["provider_reference"])


@pytest.mark.both_databases
def test_a_webhook_delivered_twice_is_applied_once(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    order, charge = paid_by_webhook_first(shop, client, alice, dune)
    succeeded = event("payment_intent.succeeded", charge, "evt_dup")

    first, second = deliver(client, succeeded), deliver(client, succeeded)

    assert (first.get_json()["outcome"], second.get_json()["outcome"]) == (
        "applied", "duplicate")
    assert status(client, alice, order["id"]) == "paid"
    history = client.get(f"/api/orders/{order['id']}/", headers=alice).get_json()[
        "status_history"]
    assert [h["status"] for h in history] == ["pending", "paid"]


@pytest.mark.both_databases
def test_webhooks_out_of_order_never_move_a_payment_or_its_order_backwards(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    order, charge = paid_by_webhook_first(shop, client, alice, dune)
    refunded = gateway(shop).refund_at_provider(charge.reference, charge.amount)

    assert deliver(client, event("charge.refunded", refunded, "evt_3")).status_code == 200
    assert deliver(client, event("payment_intent.succeeded", charge, "evt_1")).status_code == 200
    assert deliver(client, event("payment_intent.payment_failed", charge, "evt_2")
                   ).status_code == 200

    assert status(client, alice, order["id"]) == "refunded"
    [payment] = client.get("/api/payments/", headers=alice).get_json()["results"]
    assert payment["status"] == "succeeded"


@pytest.mark.both_databases
def test_a_late_event_freshly_signed_is_applied_but_a_stale_signature_is_refused(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    order, charge = paid_by_webhook_first(shop, client, alice, dune)
    succeeded = event("payment_intent.succeeded", charge, "evt_late")

    assert_error(deliver(client, succeeded, at=int(time.time()) - 3600), 400)
    assert status(client, alice, order["id"]) == "pending"
    assert deliver(client, succeeded).get_json()["outcome"] == "applied"
    assert status(client, alice, order["id"]) == "paid"


def test_a_missing_or_bad_signature_is_400_and_changes_nothing(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    order, charge = paid_by_webhook_first(shop, client, alice, dune)
    payload, _ = signed(event("payment_intent.succeeded", charge, "evt_1"))
    _, forged = signed(event("payment_intent.succeeded", charge, "evt_1"), secret="whsec_other")

    assert_error(client.post(WEBHOOK, data=payload, content_type="application/json"), 400)
    assert_error(client.post(WEBHOOK, data=payload, content_type="application/json",
                             headers={"Stripe-Signature": forged}), 400)
    assert status(client, alice, order["id"]) == "pending"
    assert deliver(client, event("payment_intent.succeeded", charge, "evt_1")).get_json()[
        "outcome"] == "applied"


def test_unknown_event_types_and_unknown_payments_are_200_and_ignored(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    _, charge = paid_by_webhook_first(shop, client, alice, dune)
    other = event("payment_intent.succeeded", charge, "evt_x")
    other["data"]["object"].update(id="pi_elsewhere", metadata={})

    assert deliver(client, event("customer.created", charge, "evt_c")).get_json()[
        "outcome"] == "ignored"
    assert deliver(client, other).get_json()["outcome"] == "ignored"


def test_without_a_webhook_secret_every_webhook_is_400(
    tmp_path: Any, sqlite_template: Any
) -> None:
    from shopcore.entrypoints.http import create_app
    from tests.helpers import shop_of

    app = create_app(make_settings(payment_provider="memory"))
    try:
        body = {"id": "evt_1", "type": "customer.created", "data": {"object": {}}}
        response = deliver(app.test_client(), body)
        assert_error(response, 400, NO_FIELD)
        assert "STRIPE_WEBHOOK_SECRET" in response.get_json()["message"]
    finally:
        shop_of(app).close()


def test_every_payment_endpoint_is_in_the_openapi_document(client: Any) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {"get"} <= set(paths["/api/payments/"])
    assert {"post"} <= set(paths["/api/payments/process/"])
    assert {"post"} <= set(paths[WEBHOOK])
    assert {"post"} <= set(paths["/api/orders/{order_id}/refund/"])
    assert "402" in paths["/api/payments/process/"]["post"]["responses"]
    assert "security" not in paths[WEBHOOK]["post"]
