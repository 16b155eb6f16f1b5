"""Where the simulator keeps its intents: in memory, or a JSON file that processes share."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from shopcore.domain.errors import PaymentProviderUnavailable

State = dict[str, Any]


def empty_state() -> State:
    return {"intents": {}, "refunds": {}}


class IntentStore(Protocol):
    """The simulator's state, changed only inside `transaction()`, one caller at a time."""

    def transaction(self) -> contextlib.AbstractContextManager[State]: ...


class MemoryIntents:
    """State held by this process alone."""

    def __init__(self) -> None:
        self._state = empty_state()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[State]:
        with self._lock:
            yield self._state


class FileIntents:
    """State in a JSON file, guarded by an exclusive lock on `<path>.lock`.

    Gunicorn workers and `payments reconcile` share it; a change is written to a temporary
    file and renamed into place, so a crash mid-write never leaves half a file. A file that
    cannot be read or written makes the provider unavailable, as Stripe's outage would.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[State]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(self.path.with_name(self.path.name + ".lock"), "a")  # noqa: SIM115
        except OSError as exc:
            raise PaymentProviderUnavailable(f"The simulator's store is unusable: {exc}") from exc
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = self._read()
            yield state
            self._write(state)

    def _read(self) -> State:
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return empty_state()
        except OSError as exc:
            raise PaymentProviderUnavailable(f"The simulator's store is unusable: {exc}") from exc
        try:
            state: State = json.loads(text) if text.strip() else empty_state()
        except ValueError as exc:
            raise PaymentProviderUnavailable(f"The simulator's store is unreadable: {exc}") from exc
        return state

    def _write(self, state: State) -> None:
        try:
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name)
            with os.fdopen(handle, "w") as out:
                json.dump(state, out)
            os.replace(temporary, self.path)
        except OSError as exc:
            raise PaymentProviderUnavailable(f"The simulator's store is unusable: {exc}") from exc
