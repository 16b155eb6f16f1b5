"""What every SQLAlchemy repository shares: the unit of work's connection and its tracker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError

from shopcore.domain.errors import Conflict
from shopcore.ports.unit_of_work import Track


class Repository:
    """Runs statements on the unit of work's connection; integrity errors become Conflict."""

    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def _write(self, statement: Any, conflict: str) -> Any:
        try:
            return self.c.execute(statement)
        except IntegrityError as exc:
            raise Conflict(conflict) from exc


class AggregateRepository(Repository):
    """A repository of aggregates: what passes through it is tracked by the unit of work."""

    def __init__(self, connection: Connection, track: Track) -> None:
        super().__init__(connection)
        self.track = track


def slugs_like(c: Connection, column: Any, base: str) -> set[str]:
    escaped = base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = c.execute(select(column).where(or_(column == base,
                                              column.like(f"{escaped}-%", escape="\\"))))
    return {r[0] for r in rows}


def insert_ignore(c: Connection, table: Any, values: dict[str, Any]) -> None:
    """INSERT that does nothing when the row's key is taken, on either database."""
    if c.dialect.name == "postgresql":
        c.execute(pg_insert(table).values(values).on_conflict_do_nothing())
    else:
        c.execute(insert(table).values(values).prefix_with("OR IGNORE"))
