"""Logging for every process: readable text by default, one JSON object a line on request.

Each record gets the request id of the work in progress (the correlation id context
variable, set per HTTP request and per consumed event), so every line of one request can
be found; the request's closing line adds its route, status and duration.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from shopcore.ports.events import correlation_id

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
REQUEST_FIELDS = ("route", "method", "status", "duration")
QUIET = {"kafka": logging.WARNING, "werkzeug": logging.INFO}


class RequestIdFilter(logging.Filter):
    """Stamps `request_id` ('-' outside a request) on every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, and the request's."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or correlation_id.get(),
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(log_format: str = "text", level: int | str = logging.INFO) -> None:
    """One stderr handler on the root logger, in `log_format` ('text' or 'json'), idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "shopcore", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.shopcore = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(formatter(log_format))
    root.addHandler(handler)
    root.setLevel(level)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(quiet)
