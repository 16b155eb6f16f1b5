"""flask-smorest Blueprint whose bad input answers 400, not webargs' 422."""

from __future__ import annotations

import flask_smorest
from webargs.flaskparser import FlaskParser


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """One per area; resources are MethodViews with @arguments in and @response out."""

    ARGUMENTS_PARSER = Parser()
