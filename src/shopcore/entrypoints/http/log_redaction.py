"""Keep reset tokens out of the request logs this process writes (werkzeug's, gunicorn's)."""

from __future__ import annotations

import logging
import re
from typing import Any

TOKEN_IN_PATH = re.compile(r"(/password_reset/confirm/)[^/\s?\"]+/")
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")


def _redact(value: Any) -> Any:
    return TOKEN_IN_PATH.sub(r"\1[redacted]/", value) if isinstance(value, str) else value


class RedactResetTokens(logging.Filter):
    """Replaces the token of a reset link's path in a log record by `[redacted]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact(arg) for key, arg in record.args.items()}
        return True


REDACTION = RedactResetTokens()


def redact_reset_tokens_in_request_logs() -> None:
    """Once per process is enough; adding it again changes nothing."""
    for name in REQUEST_LOGGERS:
        logging.getLogger(name).addFilter(REDACTION)
