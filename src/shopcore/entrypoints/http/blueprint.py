"""flask-smorest Blueprint whose bad input answers 400, not webargs' 422."""

from __future__ import annotations

import json
from typing import Any

import flask_smorest
from webargs.flaskparser import FlaskParser, abort


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
