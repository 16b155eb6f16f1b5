"""Which database errors are an outage (retry later), not a bug, and their domain error."""

from __future__ import annotations

from sqlalchemy import exc as sql

from shopcore.domain.errors import StorageUnavailable

DATABASE_DOWN = "The database is unreachable; try again shortly."
# SQLSTATE classes of a lost or refused connection: 08 (connection exception), 57P
# (administrator or crash shutdown, cannot connect now).
OUTAGE_SQLSTATES = ("08", "57P")


def is_outage(error: BaseException) -> bool:
    """A lost or refused connection, or no pooled connection free in time."""
    if isinstance(error, sql.TimeoutError):
        return True
    if not isinstance(error, sql.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, sql.OperationalError | sql.InterfaceError):
        return False
    # psycopg gives every server error a SQLSTATE; None means the client could not connect.
    # SQLite's errors have none and are never an outage (a missing table is a bug).
    state = getattr(error.orig, "sqlstate", "")
    return state is None or str(state).startswith(OUTAGE_SQLSTATES)


def unavailable(error: BaseException) -> StorageUnavailable:
    """The domain error an outage is raised as (the driver's text stays in the chain)."""
    return StorageUnavailable(DATABASE_DOWN)
