"""Verdicts on one answer of the load run: expected, allowed under load, or a violation.

Kept apart from the locustfile (which imports Locust, whose gevent monkey patching must come
first) so the rules are unit-tested on their own (tests/load/test_classify.py).

- expected: the statuses the scenario expects for that request;
- allowed: 429 (API Gateway throttling, usage plans) or 503 with ``Retry-After`` (a dependency
  briefly unavailable, the app's NOT_YET_REPLICATED): the client retries;
- violation: any other 5xx, no answer at all (status 0: timeout or connection error), an
  unexpected 4xx, and ``503 REGION_NOT_WRITABLE`` in any case (writes go to the active region
  through the edge, so the write fence must never answer).
"""

from __future__ import annotations

ALLOWED_UNDER_LOAD = frozenset({429, 503})


def error_code(body: object) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("code", ""))
    return ""


def classify(status: int, expected: frozenset[int], body: object, retry_after: str | None) -> str:
    """The verdict: ``ok``, ``allowed`` (a refusal under load the client retries) or
    ``violation``."""
    if status in expected:
        return "ok"
    if error_code(body) == "REGION_NOT_WRITABLE":
        return "violation"  # writes go to the active region: this must never happen
    if status in ALLOWED_UNDER_LOAD and retry_after:
        return "allowed"
    if status == 429:
        return "allowed"  # throttling (stage, usage plan): allowed with or without Retry-After
    return "violation"
