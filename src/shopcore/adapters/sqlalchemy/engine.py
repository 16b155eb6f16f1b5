"""Engines for SQLite (WAL, busy timeout, foreign keys) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

IDLE_PING_SECONDS = 5.0

CONNECT_TIMEOUT_S = 3
POOL_TIMEOUT_S = 5


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5, max_overflow: int = 10,
                idle_ping_seconds: float = IDLE_PING_SECONDS) -> Engine:
    """An engine for `url`; SQLite files get their folder created; pools sized for PostgreSQL.

    On PostgreSQL a request never hangs on an unreachable server: connecting gives up after
    CONNECT_TIMEOUT_S, waiting for a pooled connection after POOL_TIMEOUT_S. A connection is
    pinged when it leaves the pool only if it sat there `idle_ping_seconds` or more: a busy
    worker's warm connections cost no round trip per request (as `pool_pre_ping` would), one
    that died while idle is replaced, and a disconnect seen in use invalidates the pool.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, json_serializer=json_text,
                               json_deserializer=json_value,
                               connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, echo=echo, pool_size=pool_size, max_overflow=max_overflow,
                           pool_recycle=1800, pool_timeout=POOL_TIMEOUT_S,
                           json_serializer=json_text, json_deserializer=json_value,
                           connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
    event.listen(engine, "connect", _utc_session)
    event.listen(engine, "checkin", _checked_in)
    event.listen(engine, "checkout", functools.partial(_ping_if_idle, idle_ping_seconds))
    return engine


def _utc_session(dbapi_connection: Any, _record: Any) -> None:
    """Each new connection's session in TimeZone UTC by name.

    Everything stored is UTC; in a session whose TimeZone is UTC by name, psycopg hands back
    timestamps in `datetime.UTC` as they come, where under any other name (the server's
    default is often `Etc/UTC`) it converts each one to that zone, and the mappers convert it
    back: two conversions for every timestamp read (60 a cart change). A SET rather than a
    startup `options`, which connection poolers such as PgBouncer refuse.
    """
    dbapi_connection.execute("SET TIME ZONE 'UTC'")
    dbapi_connection.commit()


def json_text(value: Any) -> str:
    """JSON columns' text by orjson; what it refuses (huge integers, lone surrogates) by json."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(value)


def json_value(text: str | bytes) -> Any:
    """JSON columns' values by orjson; what it refuses (lone surrogates) by json."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(idle_seconds: float, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    since = record.info.pop("checked_in_at", None)
    if since is None or time.monotonic() - since < idle_seconds:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:  # the pool then tries a fresh connection
        raise DisconnectionError(f"a pooled connection died while idle: {exc}") from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front, so concurrent writers queue on busy_timeout
    # instead of failing with SQLITE_BUSY when a read lock cannot be upgraded.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def engine_resource(url: str, *, echo: bool = False, pool_size: int = 5,
                    max_overflow: int = 10) -> Iterator[Engine]:
    """The engine as a container resource: disposed when the container shuts down."""
    engine = make_engine(url, echo=echo, pool_size=pool_size, max_overflow=max_overflow)
    try:
        yield engine
    finally:
        engine.dispose()
