"""A hand-written stand-in for the few opensearch-py client methods the engine calls."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from opensearchpy.exceptions import NotFoundError, TransportError


class FakeIndices:
    """The `indices` namespace: indices and aliases kept as names, every call recorded."""

    def __init__(self, calls: list[tuple[str, Any]]) -> None:
        self.calls, self.aliases = calls, {}

    def create(self, *, index: str, body: dict[str, Any]) -> None:
        self.calls.append(("create", (index, body)))
        for alias in body.get("aliases", {}):
            self.aliases.setdefault(alias, []).append(index)

    def get_alias(self, *, name: str) -> dict[str, Any]:
        if not self.aliases.get(name):
            raise NotFoundError(404, "alias_missing", {})
        return {index: {"aliases": {name: {}}} for index in self.aliases[name]}

    def update_aliases(self, *, body: dict[str, Any]) -> None:
        self.calls.append(("update_aliases", body))
        for (kind, target), in (action.items() for action in body["actions"]):
            behind = self.aliases.setdefault(target["alias"], [])
            (behind.append if kind == "add" else behind.remove)(target["index"])

    def refresh(self, *, index: str) -> None:
        self.calls.append(("refresh", index))

    def delete(self, *, index: str, **params: Any) -> None:
        self.calls.append(("delete", index))


class FakeOpenSearch:
    """The client: bulk answers item by item, search answers the next canned response."""

    def __init__(self, *responses: dict[str, Any], fails: Exception | None = None) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.indices = FakeIndices(self.calls)
        self.responses, self.fails = list(responses), fails
        # The bulk helper serialises the actions through the client's own serializer.
        dumps = lambda data: data if isinstance(data, str) else json.dumps(data)  # noqa: E731
        self.transport = SimpleNamespace(serializer=SimpleNamespace(dumps=dumps))

    def bulk(self, *, body: str, **params: Any) -> dict[str, Any]:
        if self.fails:
            raise self.fails
        lines, actions = [json.loads(line) for line in body.splitlines()], []
        while lines:
            (op, meta), = lines.pop(0).items()
            actions.append((op, meta, lines.pop(0) if op == "index" else None))
        self.calls.append(("bulk", (actions, params)))
        status = {"index": 201, "delete": 404}
        return {"errors": False, "items": [{op: {"_id": meta["_id"], "status": status[op]}}
                                           for op, meta, _ in actions]}

    def search(self, *, index: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.fails:
            raise self.fails
        self.calls.append(("search", (index, body)))
        return self.responses.pop(0)

    def ping(self, **params: Any) -> bool:
        if self.fails and not isinstance(self.fails, TransportError):
            raise self.fails  # the real ping answers False on a TransportError
        return self.fails is None

    def of(self, kind: str) -> list[Any]:
        return [what for name, what in self.calls if name == kind]
