"""Hot statements: built and compiled once per dialect, then run on the driver's own cursor.

`Connection.execute` of a Core statement costs ~100-250 us of CPU before and after the
database's own work: building the statement, its cache key, an execution context, result
metadata. A `Prepared` statement keeps what matters of that and nothing else: the dialect's
bind and result processing, SQLAlchemy's error wrapping (a lost connection invalidates it,
`DBAPIError` subclasses as usual), the `before_cursor_execute`/`after_cursor_execute` events
(statement counts) and the connection's transaction. PostgreSQL's driver prepares a statement
it sees again, so the server parses and plans it once per connection.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect

Params = Mapping[str, Any]
_CURSOR = "shopcore.prepared.cursor"


def any_of(dialect: str, column: Any, name: str) -> Any:
    """`column IN <the list bound to name>` as one SQL text whatever the list's length.

    An ANY(array) on PostgreSQL, a json_each on SQLite; SQLAlchemy's expanding IN would
    render a new statement text for every length.
    """
    if dialect == "postgresql":
        return column == func.any(bindparam(name, type_=ARRAY(column.type)))
    values: Any = select(literal_column("value")).select_from(
        func.json_each(bindparam(name, type_=JSON)))
    return column.in_(values.scalar_subquery())


class _Plan:
    """One statement compiled for one dialect, with what running it needs."""

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.post_compile_params or compiled.escaped_bind_names:
            raise ValueError("a Prepared statement renders one text with plain bind names "
                             "(no expanding IN: use any_of())")
        self.compiled = compiled
        self.sql: str = compiled.string
        self.positions: Sequence[str] | None = compiled.positiontup
        self.binds: dict[str, Callable[[Any], Any]] = dict(compiled._bind_processors)
        columns = compiled._result_columns or []
        self.keys = [c.keyname for c in columns]
        self.processors = [c.type._cached_result_processor(dialect, None) for c in columns]
        self.row: Any = namedtuple("Row", self.keys, rename=True) if columns else None
        self.processed = any(p is not None for p in self.processors)

    def parameters(self, params: Params) -> Any:
        values = self.compiled.construct_params(params, escape_names=True)
        for name, process in self.binds.items():
            if name in values:
                values[name] = process(values[name])
        if self.positions is not None:
            return tuple(values[name] for name in self.positions)
        return values

    def rows(self, raw: Sequence[Sequence[Any]]) -> list[Any]:
        assert self.row is not None
        make = self.row._make
        if not self.processed:
            return [make(r) for r in raw]
        processors = self.processors
        return [make([v if p is None else p(v) for p, v in zip(processors, r, strict=True)])
                for r in raw]


class Prepared:
    """A Core statement, built by `build(dialect_name)` once per dialect, run cheaply.

    `rows` returns named tuples (attribute access as on SQLAlchemy's rows); `run` returns
    the row count. Statements must render one text for any parameters (see `any_of`).
    """

    def __init__(self, build: Callable[[str], Any]) -> None:
        self.build = build
        self._plans: dict[str, _Plan] = {}

    def plan(self, dialect: Dialect) -> _Plan:
        found = self._plans.get(dialect.name)
        if found is None:
            found = self._plans[dialect.name] = _Plan(self.build(dialect.name), dialect)
        return found

    def rows(self, c: Connection, params: Params | None = None) -> list[Any]:
        """The rows the statement answers (a SELECT, or a write with RETURNING)."""
        plan = self.plan(c.dialect)
        cursor = self._execute(c, plan, plan.parameters(params or {}), False)
        return plan.rows(cursor.fetchall())

    def first(self, c: Connection, params: Params | None = None) -> Any:
        """The first row, or None."""
        found = self.rows(c, params)
        return found[0] if found else None

    def run(self, c: Connection, params: Params | Sequence[Params] | None = None) -> int:
        """Run a write once, or once per mapping of a list (executemany); its row count."""
        plan = self.plan(c.dialect)
        if isinstance(params, list) and len(params) == 1:
            params = params[0]  # the driver's executemany costs a pipeline of its own
        if isinstance(params, list):
            cursor = self._execute(c, plan, [plan.parameters(p) for p in params], True)
        else:
            assert params is None or isinstance(params, Mapping)
            cursor = self._execute(c, plan, plan.parameters(params or {}), False)
        if cursor.description is not None:  # RETURNING rows nobody asked for: a cursor kept
            cursor.fetchall()  # for the next statement must not hold an unfinished one
        return int(cursor.rowcount)

    @staticmethod
    def _execute(c: Connection, plan: _Plan, values: Any, many: bool) -> Any:
        if not c.in_transaction():
            c.begin()
        try:
            cursor = _cursor(c)
            counted = bool(c.dispatch.before_cursor_execute)
            if counted:
                c.dispatch.before_cursor_execute(c, cursor, plan.sql, values, None, many)
            if many:
                cursor.executemany(plan.sql, values)
            else:
                cursor.execute(plan.sql, values)
            if c.dispatch.after_cursor_execute:
                c.dispatch.after_cursor_execute(c, cursor, plan.sql, values, None, many)
        except BaseException as error:
            # Without the cursor, which stays in use: SQLAlchemy would close it.
            c._handle_dbapi_exception(error, plan.sql, values, None, None)  # raises
            raise
        return cursor


def _cursor(c: Connection) -> Any:
    """The driver connection's cursor, made once per connection: a new one costs ~15 us."""
    proxied = c.connection
    dbapi = proxied.dbapi_connection
    kept = proxied.info.get(_CURSOR)
    if kept is None or kept[0] is not dbapi:
        kept = proxied.info[_CURSOR] = (dbapi, dbapi.cursor())  # type: ignore[union-attr]
    return kept[1]
