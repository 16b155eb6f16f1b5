"""Stripe's test PaymentMethod ids and what Stripe's test mode answers for each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decline:
    """A decline as Stripe words it: the error code, the decline code and the message."""

    code: str
    decline_code: str
    message: str


SUCCEEDS = frozenset({"pm_card_visa", "pm_card_mastercard", "pm_card_amex"})
DECLINES = {
    "pm_card_chargeDeclined": Decline(
        "card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": Decline(
        "card_declined", "insufficient_funds", "Your card has insufficient funds."),
    "pm_card_chargeDeclinedExpiredCard": Decline(
        "expired_card", "expired_card", "Your card has expired."),
    "pm_card_chargeDeclinedIncorrectCvc": Decline(
        "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
}
NEEDS_ACTION = frozenset({"pm_card_authenticationRequired"})
AUTHENTICATION_FAILED = Decline(
    "payment_intent_authentication_failure", "payment_intent_authentication_failure",
    "The provided PaymentMethod has failed authentication. You can provide payment_method_data"
    " or a new PaymentMethod to attempt to fulfill this PaymentIntent again.")


def is_known(payment_method_id: str) -> bool:
    """Whether Stripe's test mode knows this PaymentMethod id."""
    return (payment_method_id in SUCCEEDS or payment_method_id in DECLINES
            or payment_method_id in NEEDS_ACTION)
