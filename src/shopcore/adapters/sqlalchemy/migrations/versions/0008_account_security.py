"""account security: a unique username key (casefold + look-alikes) and tokens_valid_after

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:30:00
"""

from collections import Counter

import sqlalchemy as sa
from alembic import op

from shopcore.domain.usernames import username_key

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.BigInteger()), sa.column("username", sa.String()),
                 sa.column("username_key", sa.String()))


def upgrade() -> None:
    # Plain ALTERs (no batch copy): on SQLite a rebuilt users table would cascade to its
    # referrers. The empty default only lets SQLite add a NOT NULL column; rows get real keys.
    op.add_column("users", sa.Column("username_key", sa.String(480), nullable=False,
                                     server_default=""))
    op.add_column("users", sa.Column("tokens_valid_after", sa.DateTime(timezone=True),
                                     nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(users.c.id, users.c.username)
                              .order_by(users.c.id)).all()
    seen: Counter[str] = Counter()
    for row in rows:
        key = username_key(row.username)
        seen[key] += 1
        # Accounts that already look alike keep working; the older one holds the plain key.
        stored = key if seen[key] == 1 else f"{key}#{row.id}"
        connection.execute(sa.update(users).where(users.c.id == row.id)
                           .values(username_key=stored))
    if connection.dialect.name == "postgresql":
        op.alter_column("users", "username_key", server_default=None)
    op.create_index("uq_users_username_key", "users", ["username_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_users_username_key", table_name="users")
    op.drop_column("users", "tokens_valid_after")
    op.drop_column("users", "username_key")
