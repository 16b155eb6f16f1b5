"""The ledger holds: after any run of payments, declines and refunds, it sums as the provider."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopcore.domain.errors import Conflict, PaymentDeclined, ValidationFailed
from shopcore.domain.money import Money
from shopcore.domain.order import Status
from tests.payment_helpers import STAFF, a_shop, an_order, gateway_of, status_of

STEPS = st.lists(st.one_of(
    st.tuples(st.just("pay"), st.sampled_from(["pm_card_visa", "pm_card_chargeDeclined",
                                               "pm_card_chargeDeclinedExpiredCard"])),
    st.tuples(st.just("refund"), st.integers(min_value=-100, max_value=2500)),
    st.tuples(st.just("refund_rest"), st.none()),
), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_after_payments_declines_and_refunds_the_ledger_matches_the_order_and_the_provider(
    steps: list[tuple[str, object]],
) -> None:
    with a_shop() as shop:
        order = an_order(shop)
        assert order.id is not None
        for kind, arg in steps:
            try:
                if kind == "pay":
                    shop.process_payment(user_id=order.user_id, order_id=order.id,
                                         payment_method_id=str(arg))
                elif kind == "refund":
                    shop.refund_order(order_id=order.id, viewer=STAFF,
                                      amount=Decimal(int(arg)) / 100)  # type: ignore[call-overload]
                else:
                    left = shop.get_ledger(order_id=order.id, viewer=STAFF).left
                    shop.refund_order(order_id=order.id, viewer=STAFF, amount=left.amount)
            except (PaymentDeclined, Conflict, ValidationFailed):
                pass

        ledger = shop.get_ledger(order_id=order.id, viewer=STAFF)
        charges = list(gateway_of(shop).charges.values())
        succeeded = [c for c in charges if c.status == "succeeded"]
        provider_paid = sum((c.amount for c in succeeded), Money.zero("USD"))
        provider_refunded = sum((c.refunded for c in charges), Money.zero("USD"))
        assert (ledger.paid, ledger.refunded) == (provider_paid, provider_refunded)
        assert ledger.pending_refunds == Money.zero("USD")
        assert ledger.refunded <= ledger.paid
        assert len(succeeded) <= 1
        status = status_of(shop, order)
        if not succeeded:
            assert status == Status.PENDING
        elif ledger.fully_refunded:
            assert status == Status.REFUNDED
        else:
            assert status == Status.PAID
