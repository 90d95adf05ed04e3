"""The stack's two web ACLs, created through the WAFv2 API in moto (the shapes Terraform sends).

Mirrors ``infra/modules/regional_api/waf.tf`` and ``infra/modules/edge/waf.tf``: same rules,
priorities, actions, statements, overrides and redacted fields.
"""

from __future__ import annotations

from typing import Any

ORIGIN_HEADER = "x-origin-verify"
CURRENT = "current-secret-value"
PREVIOUS = "previous-secret-value"


def _visibility(name: str) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}


def _origin_match(value: str) -> dict[str, Any]:
    return {
        "ByteMatchStatement": {
            "SearchString": value.encode(),
            "FieldToMatch": {"SingleHeader": {"Name": ORIGIN_HEADER}},
            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
            "PositionalConstraint": "EXACTLY",
        }
    }


def _managed(name: str, priority: int, group: str, **extra: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "Priority": priority,
        "OverrideAction": {"None": {}},
        "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group, **extra}},
        "VisibilityConfig": _visibility(name),
    }


def regional_rules(values: tuple[str, ...] = (CURRENT, PREVIOUS)) -> list[dict[str, Any]]:
    inner = (
        _origin_match(values[0])
        if len(values) == 1
        else {"OrStatement": {"Statements": [_origin_match(v) for v in values]}}
    )
    return [
        {
            "Name": "allow-health-checks",
            "Priority": 0,
            "Action": {"Allow": {}},
            "Statement": {
                "ByteMatchStatement": {
                    "SearchString": b"/v1/health",
                    "FieldToMatch": {"UriPath": {}},
                    "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                    "PositionalConstraint": "EXACTLY",
                }
            },
            "VisibilityConfig": _visibility("allow-health-checks"),
        },
        {
            "Name": "block-without-origin-header",
            "Priority": 1,
            "Action": {"Block": {}},
            "Statement": {"NotStatement": {"Statement": inner}},
            "VisibilityConfig": _visibility("block-without-origin-header"),
        },
        _managed("aws-known-bad-inputs", 2, "AWSManagedRulesKnownBadInputsRuleSet"),
    ]


def edge_rules(limit: int = 10, window: int = 60) -> list[dict[str, Any]]:
    return [
        {
            "Name": "rate-limit-per-ip",
            "Priority": 0,
            "Action": {"Block": {}},
            "Statement": {
                "RateBasedStatement": {
                    "Limit": limit,
                    "AggregateKeyType": "IP",
                    "EvaluationWindowSec": window,
                }
            },
            "VisibilityConfig": _visibility("rate-limit-per-ip"),
        },
        _managed("aws-common", 1, "AWSManagedRulesCommonRuleSet"),
        _managed("aws-sqli", 2, "AWSManagedRulesSQLiRuleSet"),
        _managed("aws-known-bad-inputs", 3, "AWSManagedRulesKnownBadInputsRuleSet"),
        _managed(
            "aws-anonymous-ip",
            4,
            "AWSManagedRulesAnonymousIpList",
            RuleActionOverrides=[{"Name": "HostingProviderIPList", "ActionToUse": {"Count": {}}}],
        ),
    ]


def create_acl(
    client: Any,
    name: str,
    scope: str,
    rules: list[dict[str, Any]],
    redacted_headers: tuple[str, ...] = (),
    log_group_arn: str | None = None,
) -> str:
    acl = client.create_web_acl(
        Name=name,
        Scope=scope,
        DefaultAction={"Allow": {}},
        Rules=rules,
        VisibilityConfig=_visibility(name),
    )["Summary"]
    if log_group_arn is not None:
        client.put_logging_configuration(
            LoggingConfiguration={
                "ResourceArn": acl["ARN"],
                "LogDestinationConfigs": [log_group_arn],
                "RedactedFields": [{"SingleHeader": {"Name": h}} for h in redacted_headers],
            }
        )
    return str(acl["ARN"])
