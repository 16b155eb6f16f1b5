"""`shopcore payments reconcile`: a line per attempt and a total, against the stored shop."""

from __future__ import annotations

from typing import Any


def test_reconcile_with_nothing_open_says_so(shopcore: Any, migrated: dict[str, str]) -> None:
    result = shopcore("payments", "reconcile", "--older-than", "0m")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "reconciled 0 attempt(s): 0 paid, 0 failed, 0 waiting, 0 unreachable")


def test_a_duration_that_does_not_parse_is_refused(shopcore: Any,
                                                    migrated: dict[str, str]) -> None:
    result = shopcore("payments", "reconcile", "--older-than", "soon")

    assert result.exit_code == 2
    assert "not a duration" in result.output
