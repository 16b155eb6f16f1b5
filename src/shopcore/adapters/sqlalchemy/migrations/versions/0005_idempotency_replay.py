"""idempotency replay: one opaque JSON replay instead of an HTTP status and body

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:00:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Every stored answer so far came from the HTTP checkout, whose replay is {status, body}.
keys = sa.table(
    "idempotency_keys",
    sa.column("user_id", sa.BigInteger()), sa.column("endpoint", sa.String()),
    sa.column("key", sa.String()), sa.column("status", sa.Integer()),
    sa.column("body", sa.JSON()), sa.column("replay", sa.JSON()),
)


def _same_key(row: Any) -> sa.ColumnElement[bool]:
    return sa.and_(keys.c.user_id == row.user_id, keys.c.endpoint == row.endpoint,
                   keys.c.key == row.key)


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch_op:
        batch_op.add_column(sa.Column("replay", sa.JSON(), nullable=True))
    connection = op.get_bind()
    finished = connection.execute(sa.select(keys.c.user_id, keys.c.endpoint, keys.c.key,
                                            keys.c.status, keys.c.body)
                                  .where(keys.c.status.is_not(None))).all()
    for row in finished:
        connection.execute(sa.update(keys).where(_same_key(row))
                           .values(replay={"status": row.status, "body": row.body}))
    with op.batch_alter_table("idempotency_keys") as batch_op:
        batch_op.drop_column("body")
        batch_op.drop_column("status")


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch_op:
        batch_op.add_column(sa.Column("status", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("body", sa.JSON(), nullable=True))
    connection = op.get_bind()
    finished = connection.execute(sa.select(keys.c.user_id, keys.c.endpoint, keys.c.key,
                                            keys.c.replay)
                                  .where(keys.c.replay.is_not(None))).all()
    for row in finished:
        replay = row.replay
        if isinstance(replay, dict) and isinstance(replay.get("status"), int):
            connection.execute(sa.update(keys).where(_same_key(row))
                               .values(status=replay["status"], body=replay.get("body")))
        else:
            # The old columns hold only HTTP answers; freeing the key is what a crash does.
            connection.execute(sa.delete(keys).where(_same_key(row)))
    with op.batch_alter_table("idempotency_keys") as batch_op:
        batch_op.drop_column("replay")
