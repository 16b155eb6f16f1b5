"""Flask's JSON provider on orjson: the same JSON as the standard one, several times faster."""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider
from werkzeug.sansio.response import Response

# Datetimes and dataclasses go through Flask's own `default`, so they read as they always did.
OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | \
    orjson.OPT_PASSTHROUGH_DATACLASS


class FastJSONProvider(DefaultJSONProvider):
    """orjson first; what it refuses (huge integers, lone surrogates) the standard library."""

    def _encode(self, obj: Any) -> bytes | None:
        try:
            return orjson.dumps(obj, default=self.default, option=OPTIONS)
        except TypeError:  # orjson.JSONEncodeError is one
            return None

    def encode(self, obj: Any) -> bytes:
        """`obj` as `response` frames it, without the response (and its trailing newline)."""
        encoded = self._encode(obj)
        if encoded is None:
            return super().dumps(obj, separators=(",", ":")).encode()
        return encoded

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if not kwargs:
            encoded = self._encode(obj)
            if encoded is not None:
                return encoded.decode()
        return super().dumps(obj, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        encoded = self._encode(obj)
        if encoded is None:
            return super().response(obj)
        response: Response = self._app.response_class(encoded + b"\n",  # type: ignore[arg-type]
                                                      mimetype=self.mimetype)
        return response
