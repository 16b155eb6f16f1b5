"""The database's readiness probe."""

from __future__ import annotations

from sqlalchemy import Engine, text


class DatabaseProbe:
    """'up' when the database answers `SELECT 1`; raises when it does not."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def check(self) -> str:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "up"
