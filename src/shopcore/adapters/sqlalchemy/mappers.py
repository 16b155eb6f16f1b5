"""Data mappers between rows and domain entities."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from shopcore.domain.catalog import Category, Product
from shopcore.domain.money import Money
from shopcore.domain.payment import Payment, PaymentStatus, Refund, RefundReason, RefundStatus
from shopcore.domain.user import RefreshSession, User
from shopcore.domain.usernames import username_key


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def user_from_row(row: Any) -> User:
    return User(id=row.id, username=row.username, email=row.email,
                password_hash=row.password_hash, first_name=row.first_name,
                last_name=row.last_name, is_staff=bool(row.is_staff),
                is_active=bool(row.is_active), date_joined=aware(row.date_joined),
                tokens_valid_after=aware(row.tokens_valid_after)
                if row.tokens_valid_after is not None else None)


def user_to_row(user: User) -> dict[str, Any]:
    return {"username": user.username, "username_key": username_key(user.username),
            "email": user.email, "email_key": user.email.casefold(),
            "password_hash": user.password_hash, "first_name": user.first_name,
            "last_name": user.last_name, "is_staff": user.is_staff,
            "is_active": user.is_active, "date_joined": user.date_joined,
            "tokens_valid_after": user.tokens_valid_after}


def session_from_row(row: Any) -> RefreshSession:
    return RefreshSession(jti=row.jti, user_id=row.user_id, family_id=row.family_id,
                          expires_at=aware(row.expires_at), revoked=bool(row.revoked),
                          replaced_by=row.replaced_by, created_at=aware(row.created_at))


def session_to_row(session: RefreshSession) -> dict[str, Any]:
    return {"jti": session.jti, "user_id": session.user_id, "family_id": session.family_id,
            "expires_at": session.expires_at, "revoked": session.revoked,
            "replaced_by": session.replaced_by}


def category_from_row(row: Any) -> Category:
    return Category(id=row.id, name=row.name, slug=row.slug, description=row.description)


def category_to_row(category: Category) -> dict[str, Any]:
    return {"name": category.name, "name_key": category.name.casefold(),
            "slug": category.slug, "description": category.description}


@functools.lru_cache(maxsize=4096)
def money_of(cents: int, currency: str) -> Money:
    """Money from stored cents; Money is immutable, so one object serves every row alike."""
    return Money(from_cents(cents), currency)


def product_from_row(row: Any) -> Product:
    return Product(id=row.id, name=row.name, slug=row.slug, description=row.description,
                   price=money_of(row.price_cents, row.currency),
                   category_id=row.category_id, stock=row.stock,
                   created_at=aware(row.created_at), updated_at=aware(row.updated_at))


def product_to_row(product: Product) -> dict[str, Any]:
    return {"name": product.name, "slug": product.slug, "description": product.description,
            "price_cents": to_cents(product.price.amount), "currency": product.price.currency,
            "category_id": product.category_id, "stock": product.stock,
            "created_at": product.created_at, "updated_at": product.updated_at}


def payment_from_row(row: Any, refunds: list[Refund]) -> Payment:
    return Payment(id=row.id, order_id=row.order_id, user_id=row.user_id, attempt=row.attempt,
                   amount=Money(from_cents(row.amount_cents), row.currency),
                   provider=row.provider, payment_method_id=row.payment_method_id,
                   status=PaymentStatus(row.status), provider_reference=row.provider_reference,
                   decline_code=row.decline_code, decline_message=row.decline_message,
                   created_at=aware(row.created_at), updated_at=aware(row.updated_at),
                   refunds=refunds)


def payment_to_row(payment: Payment) -> dict[str, Any]:
    return {"order_id": payment.order_id, "user_id": payment.user_id,
            "attempt": payment.attempt, "amount_cents": to_cents(payment.amount.amount),
            "currency": payment.amount.currency, "provider": payment.provider,
            "payment_method_id": payment.payment_method_id, "status": payment.status.value,
            "provider_reference": payment.provider_reference,
            "decline_code": payment.decline_code, "decline_message": payment.decline_message,
            "created_at": payment.created_at, "updated_at": payment.updated_at}


def refund_from_row(row: Any, currency: str) -> Refund:
    return Refund(amount=Money(from_cents(row.amount_cents), currency), at=aware(row.at),
                  reason=RefundReason(row.reason), status=RefundStatus(row.status),
                  provider_reference=row.provider_reference)


def refund_to_row(payment_id: int, position: int, refund: Refund) -> dict[str, Any]:
    return {"payment_id": payment_id, "position": position,
            "amount_cents": to_cents(refund.amount.amount), "reason": refund.reason.value,
            "status": refund.status.value, "provider_reference": refund.provider_reference,
            "at": refund.at}
