"""The schema, as SQLAlchemy Core tables; Alembic migrations are written against it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

Id = BigInteger().with_variant(Integer(), "sqlite")

users = Table(
    "users", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(150), nullable=False, unique=True),
    Column("email", String(254), nullable=False),
    Column("email_key", String(762), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("first_name", String(150), nullable=False, server_default=""),
    Column("last_name", String(150), nullable=False, server_default=""),
    Column("is_staff", Boolean, nullable=False, server_default="0"),
    Column("is_active", Boolean, nullable=False, server_default="1"),
    Column("date_joined", DateTime(timezone=True), nullable=False),
    Column("username_key", String(480), nullable=False),
    Column("tokens_valid_after", DateTime(timezone=True), nullable=True),
    Index("uq_users_username_key", "username_key", unique=True),
)

refresh_sessions = Table(
    "refresh_sessions", metadata,
    Column("jti", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("family_id", String(64), nullable=False, index=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False, server_default="0"),
    Column("replaced_by", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

categories = Table(
    "categories", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("name_key", String(300), nullable=False, unique=True),
    Column("slug", String(120), nullable=False, unique=True),
    Column("description", Text, nullable=False, server_default=""),
)

products = Table(
    "products", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("slug", String(300), nullable=False, unique=True),
    Column("description", Text, nullable=False, server_default=""),
    Column("price_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("category_id", Id, ForeignKey("categories.id", ondelete="RESTRICT"), nullable=False),
    Column("stock", Integer, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
    Index("ix_products_category_id_id", "category_id", "id"),
    Index("ix_products_price_cents", "price_cents"),
    Index("ix_products_name", "name"),
    Index("ix_products_created_at", "created_at"),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("topic", String(100), nullable=False),
    Column("key", String(100), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=True),
    Column("correlation_id", String(64), nullable=True),
    Index("uq_outbox_topic_key_sequence", "topic", "key", "sequence", unique=True),
    Index("ix_outbox_unsent", "id", postgresql_where=text("published_at IS NULL"),
          sqlite_where=text("published_at IS NULL")),
    Index("ix_outbox_occurred_at", "occurred_at"),
)

processed_events = Table(
    "processed_events", metadata,
    Column("consumer", String(200), primary_key=True),
    Column("event_id", String(255), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)

carts = Table(
    "carts", metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, nullable=False, server_default="0"),
)

cart_items = Table(
    "cart_items", metadata,
    Column("user_id", Id, ForeignKey("carts.user_id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", Id, primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("added_price_cents", BigInteger, nullable=False),
    Column("added_name", String(255), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index("ix_cart_items_product_id", "product_id"),
)

orders = Table(
    "orders", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="RESTRICT"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_orders_user_id_id", "user_id", "id"),
    Index("ix_orders_user_id_status_id", "user_id", "status", "id"),
    Index("ix_orders_status_created_at", "status", "created_at"),
)

order_items = Table(
    "order_items", metadata,
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("product_id", Id, nullable=False),
    Column("name", String(255), nullable=False),
    Column("unit_price_cents", BigInteger, nullable=False),
    Column("quantity", Integer, nullable=False),
)

order_status_history = Table(
    "order_status_history", metadata,
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("status", String(20), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("user_id", Id, primary_key=True),
    Column("endpoint", String(100), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("replay", JSON, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)

OPEN_STATUSES = "status IN ('processing', 'requires_action')"

payments = Table(
    "payments", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="RESTRICT"), nullable=False),
    Column("user_id", Id, ForeignKey("users.id", ondelete="RESTRICT"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("provider", String(20), nullable=False),
    Column("payment_method_id", String(255), nullable=False),
    Column("status", String(20), nullable=False),
    Column("provider_reference", String(255), nullable=True, unique=True),
    Column("decline_code", String(100), nullable=True),
    Column("decline_message", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("uq_payments_order_id_attempt", "order_id", "attempt", unique=True),
    # One open attempt per order: two racing payments cannot both be in flight.
    Index("uq_payments_open_order_id", "order_id", unique=True,
          postgresql_where=text(OPEN_STATUSES), sqlite_where=text(OPEN_STATUSES)),
    Index("ix_payments_user_id_id", "user_id", "id"),
    Index("ix_payments_status_updated_at", "status", "updated_at"),
)

payment_refunds = Table(
    "payment_refunds", metadata,
    Column("payment_id", Id, ForeignKey("payments.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("amount_cents", BigInteger, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("provider_reference", String(255), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)
