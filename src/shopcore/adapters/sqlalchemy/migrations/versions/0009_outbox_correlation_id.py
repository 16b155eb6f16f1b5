"""outbox correlation id: the id of the HTTP request (or event) that caused the event

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("correlation_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("correlation_id")
