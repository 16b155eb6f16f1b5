"""SQLite's own change counter, which moves whenever another connection commits."""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading

from sqlalchemy import Engine

log = logging.getLogger(__name__)


class SqliteDataVersion:
    """`PRAGMA data_version` on a connection of its own that never writes.

    It moves after every commit of any other connection, of this process or another one
    (a CLI command, a second server), so an in-process cache keyed by it is never stale.
    "" when the file cannot be read: then nothing is cached.
    """

    def __init__(self, engine: Engine) -> None:
        self.database = engine.url.database or ""
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._opened = itertools.count(1)
        self._generation = 0

    def __call__(self) -> str:
        if self.database in ("", ":memory:"):
            return "0"  # one private database per connection: nobody else can change it
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = sqlite3.connect(self.database, check_same_thread=False,
                                                       isolation_level=None)
                    self._generation = next(self._opened)
                (value,) = self._connection.execute("PRAGMA data_version").fetchone()
            except sqlite3.Error as exc:
                log.warning("catalog cache: cannot read SQLite's data_version: %s", exc)
                self.close()
                return ""
        # A reopened connection counts from the start again: the generation keeps it apart.
        return f"{self._generation}.{value}"

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
