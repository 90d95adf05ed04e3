"""Which answers fail a load run (load/outcomes.py)."""

from __future__ import annotations

import pytest

from load.outcomes import classify

OK = frozenset({200, 201})


@pytest.mark.parametrize(
    ("status", "body", "retry_after", "verdict"),
    [
        (201, {}, None, "ok"),
        (429, {"error": {"code": "THROTTLED"}}, None, "allowed"),
        (503, {"error": {"code": "SERVICE_UNAVAILABLE"}}, "1", "allowed"),
        (503, {"error": {"code": "SERVICE_UNAVAILABLE"}}, None, "violation"),
        (503, {"error": {"code": "REGION_NOT_WRITABLE"}}, "5", "violation"),
        (500, {"error": {"code": "INTERNAL_ERROR"}}, None, "violation"),
        (502, None, None, "violation"),
        (504, None, "1", "violation"),
        (0, None, None, "violation"),  # no answer
        (401, {"error": {"code": "UNAUTHORIZED"}}, None, "violation"),  # unexpected 4xx
    ],
)
def test_classify(status: int, body: object, retry_after: str | None, verdict: str) -> None:
    assert classify(status, OK, body, retry_after) == verdict
