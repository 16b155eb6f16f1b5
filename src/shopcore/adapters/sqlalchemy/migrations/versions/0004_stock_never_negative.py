"""stock never negative: the database refuses it too

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 02:20:00
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products") as batch_op:
        batch_op.create_check_constraint("stock_not_negative", "stock IS NULL OR stock >= 0")


def downgrade() -> None:
    with op.batch_alter_table("products") as batch_op:
        batch_op.drop_constraint("stock_not_negative", type_="check")
