"""Where the simulator keeps its intents: in memory, or a SQLite file that processes share.

A charge looks up one intent by order and attempt and the intents due to complete, through
indexes: its cost does not grow with the intents already kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from shopcore.domain.errors import PaymentProviderUnavailable

Record = dict[str, Any]
"""An intent as kept: {"intent": Stripe's PaymentIntent JSON, "complete_at": epoch or None}."""


class Intents(Protocol):
    """The simulator's state inside one transaction; records read are changed in place."""

    def get(self, reference: str) -> Record | None: ...
    def put(self, reference: str, record: Record) -> None: ...
    def find(self, order_id: int, attempt: int) -> Record | None: ...
    def due(self, now: float) -> list[Record]:
        """Records whose `complete_at` has come."""
        ...
    def references(self) -> list[str]:
        """Every reference, oldest first."""
        ...
    def refund(self, key: str) -> Record | None: ...
    def put_refund(self, key: str, refund: Record) -> None: ...


class IntentStore(Protocol):
    """The simulator's state, changed only inside `transaction()`, one caller at a time."""

    def transaction(self) -> contextlib.AbstractContextManager[Intents]: ...


def _order_key(record: Record) -> tuple[str, str]:
    metadata = record["intent"]["metadata"]
    return str(metadata.get("order_id")), str(metadata.get("attempt"))


class _MemoryState:
    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.by_order: dict[tuple[str, str], str] = {}
        self.refunds: dict[str, Record] = {}

    def get(self, reference: str) -> Record | None:
        return self.records.get(reference)

    def put(self, reference: str, record: Record) -> None:
        self.records[reference] = record
        self.by_order.setdefault(_order_key(record), reference)

    def find(self, order_id: int, attempt: int) -> Record | None:
        reference = self.by_order.get((str(order_id), str(attempt)))
        return None if reference is None else self.records[reference]

    def due(self, now: float) -> list[Record]:
        return [r for r in self.records.values()
                if r.get("complete_at") is not None and r["complete_at"] <= now]

    def references(self) -> list[str]:
        return list(self.records)

    def refund(self, key: str) -> Record | None:
        return self.refunds.get(key)

    def put_refund(self, key: str, refund: Record) -> None:
        self.refunds[key] = refund


class MemoryIntents:
    """State held by this process alone."""

    def __init__(self) -> None:
        self._state = _MemoryState()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Intents]:
        with self._lock:
            yield self._state


SCHEMA = """
CREATE TABLE IF NOT EXISTS intents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, reference TEXT NOT NULL UNIQUE,
    order_id TEXT NOT NULL, attempt TEXT NOT NULL, complete_at REAL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_intents_order ON intents (order_id, attempt, seq);
CREATE INDEX IF NOT EXISTS ix_intents_due ON intents (complete_at) WHERE complete_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS refunds (key TEXT PRIMARY KEY, body TEXT NOT NULL);
"""
# Through the partial index of the few intents waiting: left to choose, SQLite walks every
# intent in `seq` order to skip a sort, and each charge paid for all the intents kept.
DUE = ("SELECT reference, body FROM intents INDEXED BY ix_intents_due WHERE complete_at <= ? "
       "ORDER BY seq")


class _FileState:
    """Rows read once per transaction, written back (all those read) when it ends."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.read: dict[str, Record] = {}
        self.refunds: dict[str, Record] = {}

    def _record(self, reference: str, body: str) -> Record:
        if reference not in self.read:
            self.read[reference] = json.loads(body)
        return self.read[reference]

    def get(self, reference: str) -> Record | None:
        if reference in self.read:
            return self.read[reference]
        row = self.db.execute("SELECT body FROM intents WHERE reference = ?",
                              (reference,)).fetchone()
        return None if row is None else self._record(reference, row[0])

    def put(self, reference: str, record: Record) -> None:
        self.read[reference] = record

    def find(self, order_id: int, attempt: int) -> Record | None:
        wanted = (str(order_id), str(attempt))
        fresh = [r for r in self.read.values() if _order_key(r) == wanted]
        row = self.db.execute("SELECT reference, body FROM intents WHERE order_id = ? AND "
                              "attempt = ? ORDER BY seq LIMIT 1", wanted).fetchone()
        if row is not None:
            return self._record(row[0], row[1])
        return fresh[0] if fresh else None

    def due(self, now: float) -> list[Record]:
        rows = self.db.execute(DUE, (now,)).fetchall()
        found = [self._record(reference, body) for reference, body in rows]
        return found + [r for r in self.read.values() if r not in found
                        and r.get("complete_at") is not None and r["complete_at"] <= now]

    def references(self) -> list[str]:
        stored = [r[0] for r in self.db.execute("SELECT reference FROM intents ORDER BY seq")]
        return stored + [r for r in self.read if r not in set(stored)]

    def refund(self, key: str) -> Record | None:
        if key not in self.refunds:
            row = self.db.execute("SELECT body FROM refunds WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            self.refunds[key] = json.loads(row[0])
        return self.refunds[key]

    def put_refund(self, key: str, refund: Record) -> None:
        self.refunds[key] = refund

    def write(self) -> None:
        self.db.executemany(
            "INSERT INTO intents (reference, order_id, attempt, complete_at, body) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (reference) DO UPDATE SET "
            "complete_at = excluded.complete_at, body = excluded.body",
            [(reference, *_order_key(record), record.get("complete_at"), json.dumps(record))
             for reference, record in self.read.items()])
        self.db.executemany(
            "INSERT INTO refunds (key, body) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
            "body = excluded.body",
            [(key, json.dumps(refund)) for key, refund in self.refunds.items()])


class FileIntents:
    """State in a SQLite file, each transaction `BEGIN IMMEDIATE` (one writer at a time).

    Gunicorn workers and `payments reconcile` share it; a transaction that fails leaves the
    file as it was. A file that cannot be opened or written makes the provider unavailable,
    as Stripe's outage would.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and process: a forked worker opens its own.
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == os.getpid():
            db: sqlite3.Connection = held[1]
            return db
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        _set_up(db)
        self._local.held = (os.getpid(), db)
        return db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Intents]:
        try:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
        except (OSError, sqlite3.Error) as exc:
            raise PaymentProviderUnavailable(f"The simulator's store is unusable: {exc}") from exc
        try:
            state = _FileState(db)
            yield state
            state.write()
            db.execute("COMMIT")
        except BaseException as exc:
            db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise PaymentProviderUnavailable(
                    f"The simulator's store is unusable: {exc}") from exc
            raise


def _set_up(db: sqlite3.Connection, attempts: int = 200) -> None:
    """WAL and the tables. Processes opening a new file together can be told "locked" at
    once (SQLite answers BUSY without waiting where waiting could deadlock): try again."""
    for attempt in range(attempts):
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.01)
