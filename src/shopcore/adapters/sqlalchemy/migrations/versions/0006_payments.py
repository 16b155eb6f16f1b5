"""payments: attempts and refunds, one open attempt per order; the order's totals derived

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OPEN_STATUSES = "status IN ('processing', 'requires_action')"
processed = sa.table("processed_events", sa.column("event_id", sa.String()))


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("order_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("payment_method_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("provider_reference", sa.String(length=255), nullable=True),
        sa.Column("decline_code", sa.String(length=100), nullable=True),
        sa.Column("decline_message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"],
                                name=op.f("fk_payments_order_id_orders"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_payments_user_id_users"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("provider_reference", name=op.f("uq_payments_provider_reference")),
    )
    with op.batch_alter_table("payments") as batch_op:
        batch_op.create_index("uq_payments_order_id_attempt", ["order_id", "attempt"],
                              unique=True)
        batch_op.create_index("uq_payments_open_order_id", ["order_id"], unique=True,
                              postgresql_where=sa.text(OPEN_STATUSES),
                              sqlite_where=sa.text(OPEN_STATUSES))
        batch_op.create_index("ix_payments_user_id_id", ["user_id", "id"], unique=False)
        batch_op.create_index("ix_payments_status_updated_at", ["status", "updated_at"],
                              unique=False)
    op.create_table(
        "payment_refunds",
        sa.Column("payment_id", Id, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("provider_reference", sa.String(length=255), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"],
                                name=op.f("fk_payment_refunds_payment_id_payments"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("payment_id", "position", name=op.f("pk_payment_refunds")),
    )
    # No payment ever existed before this revision, so no order was refunded: nothing to carry.
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_column("refunded_cents")
    # Webhook event ids (Stripe's evt_...) are no UUIDs: the consumer table takes them too.
    with op.batch_alter_table("processed_events") as batch_op:
        batch_op.alter_column("event_id", existing_type=sa.String(length=36),
                              type_=sa.String(length=255), existing_nullable=False)


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(sa.delete(processed).where(sa.func.length(processed.c.event_id) > 36))
    with op.batch_alter_table("processed_events") as batch_op:
        batch_op.alter_column("event_id", existing_type=sa.String(length=255),
                              type_=sa.String(length=36), existing_nullable=False)
    with op.batch_alter_table("orders") as batch_op:
        batch_op.add_column(sa.Column("refunded_cents", sa.BigInteger(), nullable=True))
    op.drop_table("payment_refunds")
    with op.batch_alter_table("payments") as batch_op:
        batch_op.drop_index("ix_payments_status_updated_at")
        batch_op.drop_index("ix_payments_user_id_id")
        batch_op.drop_index("uq_payments_open_order_id")
        batch_op.drop_index("uq_payments_order_id_attempt")
    op.drop_table("payments")
