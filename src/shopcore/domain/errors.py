"""Domain errors: what the core raises; the delivery adapters translate them once."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(DomainError):
    """Input breaks a business rule; `errors` maps each field to its messages."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the caller's to see)."""


class Conflict(DomainError):
    """The change clashes with the current state (duplicate, still referenced...)."""


class AuthenticationFailed(DomainError):
    """Credentials or a token were missing, wrong, expired or revoked."""


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""


class Throttled(DomainError):
    """Too many attempts; try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PaymentDeclined(DomainError):
    """The provider refused the charge; `decline_code` says why, as the provider puts it."""

    def __init__(self, message: str, decline_code: str | None = None) -> None:
        super().__init__(message)
        self.decline_code = decline_code


class InvalidPaymentMethod(ValidationFailed):
    """The payment method is not one the provider knows."""


class PaymentProviderError(DomainError):
    """The provider answered with an error the shop cannot act on (a 502)."""


class PaymentProviderUnavailable(DomainError):
    """The provider could not be reached in time (a 503); reconciliation learns the outcome."""


class InvalidSearchText(ValidationFailed):
    """The text to search for is blank or too long; `errors` names the field `text`."""


class SearchUnavailable(DomainError):
    """The search engine could not answer; the database's engine may answer instead."""


class StorageUnavailable(DomainError):
    """The shop's database cannot be reached now (an outage, a restart); nothing was changed."""
