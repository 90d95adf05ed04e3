"""WAF log records (the documented fields) with the logging configuration's redactions.

Fields: https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html. A redacted
``SingleHeader`` keeps its name with the value ``REDACTED``; a redacted ``QueryString`` or
``UriPath`` is replaced by ``REDACTED`` (header names match case-insensitively):
https://docs.aws.amazon.com/waf/latest/developerguide/logging-management.html
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from devstack.waf.engine import Decision
from devstack.waf.statements import Inspected

REDACTED = "REDACTED"


def log_record(
    *,
    acl_arn: str,
    source: str,
    decision: Decision,
    request: Inspected,
    client_ip: str,
    redacted_fields: list[Mapping[str, Any]] | None,
    now: float | None = None,
) -> dict[str, Any]:
    redacted_headers = {
        str(f["SingleHeader"]["Name"]).lower() for f in redacted_fields or [] if "SingleHeader" in f
    }
    redact_query = any("QueryString" in f for f in redacted_fields or [])
    redact_path = any("UriPath" in f for f in redacted_fields or [])
    headers = [
        {"name": name, "value": REDACTED if name.lower() in redacted_headers else value}
        for name, value in request.headers
    ]
    return {
        "timestamp": int((time.time() if now is None else now) * 1000),
        "formatVersion": 1,
        "webaclId": acl_arn,
        "terminatingRuleId": decision.terminating_rule_id,
        "terminatingRuleType": decision.terminating_rule_type,
        "action": decision.action,
        "terminatingRuleMatchDetails": [],
        "httpSourceName": source,
        "httpSourceId": "-",
        "ruleGroupList": decision.rule_groups,
        "rateBasedRuleList": decision.rate_based,
        "nonTerminatingMatchingRules": decision.non_terminating,
        "requestHeadersInserted": None,
        "responseCodeSent": 403 if decision.action == "BLOCK" else None,
        "httpRequest": {
            "clientIp": client_ip,
            "country": "-",
            "headers": headers,
            "uri": REDACTED if redact_path else request.uri_path,
            "args": REDACTED if redact_query else request.query_string,
            "httpVersion": "HTTP/1.1",
            "httpMethod": request.method,
            "requestId": uuid.uuid4().hex,
        },
    }
