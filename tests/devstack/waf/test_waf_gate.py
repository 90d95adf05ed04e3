"""The WAF gate over the stack's real web ACL configurations (created through the WAFv2 API)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from acls import CURRENT, ORIGIN_HEADER, PREVIOUS, create_acl, edge_rules, regional_rules
from conftest import FakeClock
from moto.core.models import DEFAULT_ACCOUNT_ID

from devstack.waf import WafGate, WafRequest
from devstack.waf.moto_source import MotoWebAcls

UA = ("User-Agent", "pytest")


def _request(
    arn: str,
    path: str,
    *,
    scope: str = "REGIONAL",
    headers: tuple[tuple[str, str], ...] = (UA,),
    query: str = "",
    body: bytes = b"",
    method: str = "GET",
    ip: str = "127.0.0.2",
) -> WafRequest:
    return WafRequest(
        scope=scope,  # type: ignore[arg-type]
        web_acl_arn=arn,
        method=method,
        uri_path=path,
        query_string=query,
        headers=headers,
        body=body,
        client_ip=ip,
    )


@pytest.fixture
def gate(aws: None, clock: FakeClock) -> WafGate:
    return WafGate(MotoWebAcls(DEFAULT_ACCOUNT_ID), clock=clock)


@pytest.fixture
def regional(wafv2: Any) -> str:
    return create_acl(wafv2, "api-us-east-1", "REGIONAL", regional_rules())


@pytest.fixture
def edge(wafv2: Any) -> str:
    return create_acl(wafv2, "edge", "CLOUDFRONT", edge_rules(limit=10, window=60))


# -- regional web ACL: only CloudFront (the origin-verify header) may call, except /v1/health ----
def test_direct_call_without_the_origin_header_is_blocked(gate: WafGate, regional: str) -> None:
    block = gate.inspect(_request(regional, "/v1/profiles/me"))
    assert block is not None
    assert block.status == 403
    assert block.terminating_rule == "block-without-origin-header"


def test_health_is_allowed_without_the_header_by_the_higher_priority_rule(
    gate: WafGate, regional: str
) -> None:
    assert gate.inspect(_request(regional, "/v1/health")) is None
    # EXACTLY: another path that merely starts with it is not the health check.
    assert gate.inspect(_request(regional, "/v1/health/x")) is not None
    # No text transformation: the match is case-sensitive.
    assert gate.inspect(_request(regional, "/v1/HEALTH")) is not None


@pytest.mark.parametrize("value", [CURRENT, PREVIOUS])
def test_either_accepted_origin_value_passes(gate: WafGate, regional: str, value: str) -> None:
    headers = (UA, ("X-Origin-Verify", value))  # header names match case-insensitively
    assert gate.inspect(_request(regional, "/v1/profiles/me", headers=headers)) is None


def test_a_wrong_origin_value_is_blocked(gate: WafGate, regional: str) -> None:
    headers = (UA, (ORIGIN_HEADER, CURRENT + "x"))
    assert gate.inspect(_request(regional, "/v1/profiles/me", headers=headers)) is not None


def test_known_bad_inputs_block_even_with_the_origin_header(gate: WafGate, regional: str) -> None:
    headers = (UA, (ORIGIN_HEADER, CURRENT), ("X-Probe", "${jndi:ldap://evil/a}"))
    block = gate.inspect(_request(regional, "/v1/profiles/me", headers=headers))
    assert block is not None
    assert block.terminating_rule == "aws-known-bad-inputs"


def test_a_count_rule_before_a_block_rule_lets_evaluation_continue(
    gate: WafGate, wafv2: Any
) -> None:
    rules = regional_rules()
    rules[0] = {**rules[0], "Action": {"Count": {}}}  # health is only counted now
    arn = create_acl(wafv2, "counting", "REGIONAL", rules)
    block = gate.inspect(_request(arn, "/v1/health"))
    assert block is not None
    assert block.terminating_rule == "block-without-origin-header"


def test_an_unknown_web_acl_allows(gate: WafGate) -> None:
    arn = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/none/0000"
    assert gate.inspect(_request(arn, "/v1/profiles/me")) is None


def test_the_stage_association_is_found(gate: WafGate, wafv2: Any, regional: str) -> None:
    stage_arn = "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/v1"
    assert gate.web_acl_for_resource("us-east-1", stage_arn) is None
    wafv2.associate_web_acl(WebACLArn=regional, ResourceArn=stage_arn)
    assert gate.web_acl_for_resource("us-east-1", stage_arn) == regional


# -- edge web ACL: rate limit per client IP ------------------------------------------------------
def test_rate_limit_blocks_over_the_limit_per_ip_and_recovers_after_the_window(
    gate: WafGate, edge: str, clock: FakeClock
) -> None:
    for _ in range(10):
        assert gate.inspect(_request(edge, "/v1/health", scope="CLOUDFRONT")) is None
        clock.now += 1
    block = gate.inspect(_request(edge, "/v1/health", scope="CLOUDFRONT"))
    assert block is not None
    assert block.terminating_rule == "rate-limit-per-ip"
    # Another client is not affected.
    assert gate.inspect(_request(edge, "/v1/health", scope="CLOUDFRONT", ip="127.0.0.3")) is None
    # Still over the limit 30 s later; after a full quiet window the IP is allowed again.
    clock.now += 30
    assert gate.inspect(_request(edge, "/v1/health", scope="CLOUDFRONT")) is not None
    clock.now += 61
    assert gate.inspect(_request(edge, "/v1/health", scope="CLOUDFRONT")) is None


def test_cloudfront_blocks_answer_with_cloudfronts_403_page(gate: WafGate, edge: str) -> None:
    block = gate.inspect(
        _request(edge, "/v1/profiles/me", scope="CLOUDFRONT", query="q=<script>alert(1)</script>")
    )
    assert block is not None
    assert block.status == 403
    assert ("Server", "CloudFront") in block.headers
    assert b"Request blocked." in block.body


# -- managed rule groups (approximated with libinjection) ----------------------------------------
@pytest.mark.parametrize(
    ("query", "body", "rule"),
    [
        ("id=1%27%20OR%20%271%27%3D%271", b"", "aws-sqli"),
        ("", b'{"note": "x\' OR 1=1 --"}', "aws-sqli"),
        ("q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", b"", "aws-common"),
        ("", b'{"note": "<img src=x onerror=alert(1)>"}', "aws-common"),
    ],
)
def test_sqli_and_xss_probes_are_blocked_at_the_edge(
    gate: WafGate, edge: str, query: str, body: bytes, rule: str
) -> None:
    block = gate.inspect(
        _request(
            edge, "/v1/transactions", scope="CLOUDFRONT", query=query, body=body, method="POST"
        )
    )
    assert block is not None
    assert block.terminating_rule == rule


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("limit=10&cursor=eyJwayI6IlVTRVIjYWJjIn0", b""),
        ("", b'{"amount": "12.30", "currency": "EUR", "description": "Coffee & cake, O\'Brien"}'),
        ("", b'{"display_name": "Ada Lovelace", "email": "ada@example.com"}'),
    ],
)
def test_ordinary_api_traffic_passes_the_edge(
    gate: WafGate, edge: str, query: str, body: bytes
) -> None:
    request = _request(edge, "/v1/transactions", scope="CLOUDFRONT", query=query, body=body)
    assert gate.inspect(request) is None


def test_core_rule_set_blocks_a_missing_user_agent_and_oversized_bodies(
    gate: WafGate, edge: str
) -> None:
    no_agent = _request(edge, "/v1/health", scope="CLOUDFRONT", headers=())
    assert gate.inspect(no_agent) is not None
    big = _request(edge, "/v1/profiles", scope="CLOUDFRONT", body=b"a" * 8193, method="POST")
    assert gate.inspect(big) is not None
    assert (
        gate.inspect(_request(edge, "/v1/profiles", scope="CLOUDFRONT", body=b"a" * 8192)) is None
    )


def test_a_rule_action_override_to_count_lets_the_request_through(
    gate: WafGate, wafv2: Any
) -> None:
    rules = edge_rules()
    rules[2]["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"] = [
        {"Name": "SQLi_QUERYARGUMENTS", "ActionToUse": {"Count": {}}}
    ]
    arn = create_acl(wafv2, "override", "CLOUDFRONT", rules)
    request = _request(arn, "/v1/x", scope="CLOUDFRONT", query="id=1%27%20OR%20%271%27%3D%271")
    assert gate.inspect(request) is None


def test_a_group_override_action_count_does_not_terminate(gate: WafGate, wafv2: Any) -> None:
    rules = edge_rules()
    rules[2] = {**rules[2], "OverrideAction": {"Count": {}}}
    arn = create_acl(wafv2, "group-count", "CLOUDFRONT", rules)
    request = _request(arn, "/v1/x", scope="CLOUDFRONT", query="id=1%27%20OR%20%271%27%3D%271")
    assert gate.inspect(request) is None


# -- logs ---------------------------------------------------------------------------------------
def test_logs_go_to_the_configured_group_with_the_configured_redactions(
    gate: WafGate, wafv2: Any, logs: Any
) -> None:
    logs.create_log_group(logGroupName="aws-waf-logs-meridian-us-east-1")
    group_arn = logs.describe_log_groups()["logGroups"][0]["arn"]
    arn = create_acl(
        wafv2,
        "logged",
        "REGIONAL",
        regional_rules(),
        redacted_headers=(ORIGIN_HEADER, "authorization", "x-api-key"),
        log_group_arn=group_arn,
    )
    secret_headers = (UA, ("X-Origin-Verify", CURRENT), ("Authorization", "Bearer tok3n"))
    assert gate.inspect(_request(arn, "/v1/profiles/me", headers=secret_headers)) is None
    assert gate.inspect(_request(arn, "/v1/profiles/me")) is not None
    events = logs.filter_log_events(logGroupName="aws-waf-logs-meridian-us-east-1")["events"]
    records = [json.loads(e["message"]) for e in events]
    assert [r["action"] for r in records] == ["ALLOW", "BLOCK"]
    assert records[1]["terminatingRuleId"] == "block-without-origin-header"
    headers = {h["name"]: h["value"] for h in records[0]["httpRequest"]["headers"]}
    assert headers["X-Origin-Verify"] == "REDACTED"
    assert headers["Authorization"] == "REDACTED"
    assert headers["User-Agent"] == "pytest"
    raw = "".join(e["message"] for e in events)
    assert CURRENT not in raw
    assert "tok3n" not in raw
