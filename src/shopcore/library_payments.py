"""The payment use cases of `shopcore.App`, typed, in their own module to keep each one short."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shopcore.application import payments, reconcile, refunds, webhooks

if TYPE_CHECKING:
    from shopcore.use_cases import UseCases


class PaymentUseCases:
    """Pay, list, refund, reconcile and take webhooks: each access builds a fresh use case."""

    _use_cases: UseCases

    @property
    def process_payment(self) -> payments.ProcessPayment:
        return self._use_cases.process_payment()

    @property
    def list_payments(self) -> payments.ListPayments:
        return self._use_cases.list_payments()

    @property
    def get_ledger(self) -> payments.GetLedger:
        return self._use_cases.get_ledger()

    @property
    def handle_webhook(self) -> webhooks.HandleWebhook:
        return self._use_cases.handle_webhook()

    @property
    def refund_order(self) -> refunds.RefundOrder:
        return self._use_cases.refund_order()

    @property
    def reconcile_payments(self) -> reconcile.ReconcilePayments:
        return self._use_cases.reconcile_payments()
