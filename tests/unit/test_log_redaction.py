"""Reset tokens never reach the request logs: werkzeug's (args tuple), gunicorn's (args dict)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from shopcore.entrypoints.http.log_redaction import RedactResetTokens

LINE = "GET /api/users/password_reset/confirm/WzEsImFiYyJd.aw9.Q6A-x_y/ HTTP/1.1"


@pytest.mark.parametrize(("msg", "args"), [
    ('"%s" %s %s', (LINE, "303", "-")),
    ('%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "r": LINE, "s": "303"}),
    (f'127.0.0.1 - - "{LINE}" 303 -', ()),
])
def test_the_token_of_a_reset_path_is_redacted_in_a_request_log_line(msg: str, args: Any) -> None:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, msg, args, None)
    assert RedactResetTokens().filter(record)
    line = record.getMessage()
    assert "WzEsImFiYyJd" not in line
    assert "/api/users/password_reset/confirm/[redacted]/ HTTP/1.1" in line


def test_the_token_free_form_path_is_left_alone() -> None:
    line = '"POST /api/users/password_reset/confirm/ HTTP/1.1" 200 -'
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, line, (), None)
    RedactResetTokens().filter(record)
    assert record.getMessage() == line
