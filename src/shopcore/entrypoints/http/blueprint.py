"""flask-smorest Blueprint whose bad input answers 400 (not webargs' 422), typed for mypy."""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Protocol, TypeVar

import flask_smorest
from webargs.flaskparser import FlaskParser, abort

T = TypeVar("T")


class Parser(FlaskParser):
    """400 for every bad body, including JSON nested too deep or numbers too long to parse."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req: Any) -> Any:
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as exc:
            abort(400, exc=exc, messages={"json": ["Invalid JSON body."]})


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """One per area; resources are MethodViews with @arguments in and @response out."""

    ARGUMENTS_PARSER = Parser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_outage_doc)

    @staticmethod
    def _prepare_outage_doc(doc: dict[str, Any], _info: Any, **_kwargs: Any) -> dict[str, Any]:
        """Any operation answers 503 (in the error shape) while the database is unreachable."""
        doc.setdefault("responses", {}).setdefault("503", HTTPStatus(503).name)
        return doc

    def arguments(self, schema: Any, *args: Any, **kwargs: Any) -> Any:
        """flask-smorest's, with one schema instance: webargs would build one per request."""
        return super().arguments(schema() if isinstance(schema, type) else schema,
                                 *args, **kwargs)

    @staticmethod
    def doc(**kwargs: Any) -> Callable[[T], T]:
        """flask-smorest's, documenting the view without a wrapper that runs each request."""
        return _documenting(flask_smorest.Blueprint.doc(**kwargs))

    def alt_response(self, status_code: int, **kwargs: Any) -> Callable[[T], T]:
        """flask-smorest's, documenting the view without a wrapper that runs each request."""
        return _documenting(super().alt_response(status_code, **kwargs))

    def errors(self, *codes: int) -> Callable[[T], T]:
        """Document the error answers a view gives, by the API's shared error responses."""

        def decorate(view: T) -> T:
            for code in codes:
                view = self.alt_response(code, response=HTTPStatus(code).name)(view)
            return view

        return decorate


def _documenting(decorator: Callable[[Any], Any]) -> Callable[[T], T]:
    """`decorator`'s documentation on the view itself, and no wrapper around it.

    flask-smorest's doc and alt_response wrap a view in a function that only calls it, to
    hold the documentation; the view can hold it itself.
    """

    def decorate(view: T) -> T:
        view._apidoc = decorator(view)._apidoc  # type: ignore[attr-defined]
        return view

    return decorate


class TypedBlueprint(Protocol):
    """The decorators the resources use, typed (flask-smorest ships no hints)."""

    name: str

    def route(self, rule: str, **options: Any) -> Callable[[T], T]: ...
    def arguments(self, schema: Any, **options: Any) -> Callable[[T], T]: ...
    def response(self, status_code: int, schema: Any = None,
                 **options: Any) -> Callable[[T], T]: ...
    def alt_response(self, status_code: int, **options: Any) -> Callable[[T], T]: ...
    def doc(self, **options: Any) -> Callable[[T], T]: ...
    def errors(self, *codes: int) -> Callable[[T], T]: ...


def blueprint(name: str, import_name: str, **options: Any) -> TypedBlueprint:
    """A Blueprint for one area of the API."""
    made: TypedBlueprint = Blueprint(name, import_name, **options)
    return made
