"""WAFv2: the rate-based statement's limit and evaluation window.

https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html:
"Valid settings are 60 (1 minute), 120 (2 minutes), 300 (5 minutes), and 600 (10 minutes)" for
the evaluation window, and "The lowest limit setting allowed is 10" (the API reference caps the
limit at 2,000,000,000: https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html).
moto 5.2.1 stores any values. AWS answers ``WAFInvalidParameterException`` (HTTP 400) naming the
field; the message text below follows WAF's "Error reason: …, field: …, parameter: …" shape, its
exact wording for these two fields is not documented.
"""

from __future__ import annotations

from typing import Any

from devstack.validation import json_protocol_error
from devstack.wsgi import AwsRequest, Response

_OPERATIONS = frozenset({"CreateWebACL", "UpdateWebACL", "CreateRuleGroup", "UpdateRuleGroup"})
EVALUATION_WINDOWS = (60, 120, 300, 600)
MIN_LIMIT = 10
MAX_LIMIT = 2_000_000_000


def _rate_statements(node: object) -> list[dict[str, Any]]:
    """Every RateBasedStatement anywhere in the rules (they may sit in a scope-down etc.)."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "RateBasedStatement" and isinstance(value, dict):
                found.append(value)
            found += _rate_statements(value)
    elif isinstance(node, list):
        for item in node:
            found += _rate_statements(item)
    return found


def _refusal(reason: str, field: str, parameter: object) -> Response:
    return json_protocol_error(
        "WAFInvalidParameterException",
        f"Error reason: {reason}, field: {field}, parameter: {parameter}",
    )


def check(request: AwsRequest) -> Response | None:
    """AWS's refusal of a web ACL or rule group with an invalid rate-based rule, or None."""
    if request.target not in _OPERATIONS:
        return None
    for statement in _rate_statements(request.json().get("Rules")):
        limit = statement.get("Limit")
        if not isinstance(limit, int) or not MIN_LIMIT <= limit <= MAX_LIMIT:
            return _refusal("The value is outside the valid range", "RATE_LIMIT", limit)
        window = statement.get("EvaluationWindowSec", 300)
        if window not in EVALUATION_WINDOWS:
            return _refusal(
                "The value is not one of 60, 120, 300, 600", "EVALUATION_WINDOW_SEC", window
            )
    return None
