"""orders by user and status: a checkout counts the caller's pending orders, not all of them

Every checkout counts the caller's pending orders (at most `SHOPCORE_MAX_PENDING_ORDERS`
may hold stock). Through `ix_orders_user_id_id` that read every order the user ever placed
and filtered the pending ones, so a checkout grew dearer with each order in the history:
0.05 ms at 500 orders, linear from there. `(user_id, status, id)` finds the pending ones
alone, and serves `GET /api/orders/?status=` newest first too.

Building it locks the orders table against writes for as long as it takes; on a large one,
build it first without the lock (`CREATE INDEX CONCURRENTLY ix_orders_user_id_status_id ON
orders (user_id, status, id)`) and this migration leaves it as it is.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 03:10:00
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_user_id_status_id", "orders", ["user_id", "status", "id"],
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_orders_user_id_status_id", table_name="orders")
