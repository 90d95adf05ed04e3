"""Suite: the two web ACLs as a client meets them, on AWS and on the devstack.

- REGIONAL (on each stage): a direct regional call without CloudFront's origin-verify header is
  refused with 403 (API Gateway's WAF_FILTERED gateway response, here in the API's error shape),
  except ``/v1/health`` (Route 53 health checks send no custom header); with the header it passes
  (``infra/modules/regional_api/waf.tf``).
- CLOUDFRONT (at the edge): a classic SQL-injection probe and an XSS probe are blocked with
  CloudFront's 403 page (AWS managed rule groups SQLi and Common; the devstack approximates them
  with libinjection: devstack/waf/managed.py).
- the rate-based rule: a burst over the limit from one client IP is blocked, other IPs are not, and
  the IP recovers once a quiet window has passed
  (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html).
  The burst comes from a loopback address of its own (127.0.0.x, contract D), so no other test
  shares the blocked IP; devstack only (a real client cannot choose its source address).
"""

from __future__ import annotations

import concurrent.futures
import random
from typing import Any

import pytest
import requests
from e2e_support import aws
from e2e_support.api import Api, expect_status, poll
from e2e_support.source_address import SourceAddressAdapter
from e2e_support.target import Target
from urllib3.util import SKIP_HEADER

SQLI_PROBE = "1' OR '1'='1"
XSS_PROBE = "<script>alert(document.cookie)</script>"
# Bounded: the longest burst this suite sends, and the window it is willing to wait for.
MAX_BURST = 5000
MAX_WINDOW_SECONDS = 120


@pytest.fixture
def no_origin_header(api_primary: Api) -> Api:
    """The primary region's API called directly, WITHOUT the origin-verify header."""
    return Api(api_primary.base_url, api_primary.region, via="regional")


def _assert_waf_filtered(response: requests.Response) -> None:
    expect_status(response, 403)
    error = response.json()["error"]
    assert error["code"] == "FORBIDDEN", response.text
    assert error["request_id"], response.text


def test_a_direct_call_without_the_origin_header_is_refused(no_origin_header: Api) -> None:
    _assert_waf_filtered(no_origin_header.get("/profiles/me"))
    _assert_waf_filtered(no_origin_header.post("/transactions", json_body={"amount": "1.00"}))


def test_health_answers_without_the_origin_header(no_origin_header: Api) -> None:
    expect_status(no_origin_header.get("/health"), 200)


def test_with_the_origin_header_the_api_itself_answers(api_primary: Api) -> None:
    expect_status(api_primary.get("/health"), 200)
    # Past the WAF: the gateway's own answer to a missing token (401), not WAF's 403.
    expect_status(api_primary.get("/profiles/me"), 401)


def _expect_edge_block(response: requests.Response) -> None:
    expect_status(response, 403)
    # CloudFront's own answer (the devstack's listener also names itself in the same header).
    assert "CloudFront" in response.headers.get("Server", ""), dict(response.headers)
    assert "Request blocked" in response.text, response.text


@pytest.fixture
def edge(api: Api) -> Api:
    if api.via != "edge":
        pytest.skip("the edge cases need the API through the edge (E2E_VIA=edge)")
    return api


def test_a_sql_injection_probe_is_blocked_at_the_edge(edge: Api) -> None:
    _expect_edge_block(edge.get("/transactions", params={"cursor": SQLI_PROBE}))
    _expect_edge_block(
        edge.post("/profiles", json_body={"display_name": f"x{SQLI_PROBE} --"}, token="x")
    )


def test_an_xss_probe_is_blocked_at_the_edge(edge: Api) -> None:
    _expect_edge_block(edge.get("/transactions", params={"cursor": XSS_PROBE}))
    _expect_edge_block(edge.post("/profiles", json_body={"display_name": XSS_PROBE}, token="x"))


def test_ordinary_requests_pass_the_edge(edge: Api) -> None:
    expect_status(edge.get("/health"), 200)
    expect_status(edge.get("/transactions", params={"limit": "5"}), 401)


# -- rate limit per client IP ---------------------------------------------------------------------
def _session_from(source_ip: str) -> requests.Session:
    session = requests.Session()
    adapter = SourceAddressAdapter(source_ip, pool_connections=4, pool_maxsize=8)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _rate_rule(target: Target) -> dict[str, Any]:
    """The edge web ACL's rate-based statement, read through the WAFv2 API (as on AWS)."""
    cloudfront = aws.client(target, "cloudfront", "us-east-1")
    distribution_id = (
        target.distribution_id
        or (cloudfront.list_distributions()["DistributionList"]["Items"][0]["Id"])
    )
    arn = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]["WebACLId"]
    name, acl_id = arn.split("/")[-2:]
    wafv2 = aws.client(target, "wafv2", "us-east-1")
    acl = wafv2.get_web_acl(Name=name, Scope="CLOUDFRONT", Id=acl_id)["WebACL"]
    statements = [
        r["Statement"]["RateBasedStatement"]
        for r in acl["Rules"]
        if "RateBasedStatement" in r["Statement"]
    ]
    assert len(statements) == 1, acl["Rules"]
    return dict(statements[0])


@pytest.mark.devstack_only
def test_a_burst_over_the_rate_limit_is_blocked_and_recovers_after_the_window(
    edge: Api, target: Target
) -> None:
    if not target.is_devstack:
        pytest.skip("needs its own client IP (a loopback alias): devstack only")
    rule = _rate_rule(target)
    limit, window = int(rule["Limit"]), int(rule.get("EvaluationWindowSec", 300))
    if limit >= MAX_BURST or window > MAX_WINDOW_SECONDS:
        pytest.skip(
            f"rate limit {limit} per {window} s: too long a test (local.tfvars sets 2000/60)"
        )
    ip = f"127.0.0.{random.randint(2, 254)}"
    other_ip = "127.0.0.1" if ip != "127.0.0.1" else "127.0.0.2"
    health = edge.url("/health")

    # The burst: requests without a User-Agent, answered by WAF itself (the Core rule set's
    # NoUserAgent_HEADER), so they are cheap, yet counted by the rate rule (priority 0, first).
    def burst(count: int) -> list[int]:
        session = _session_from(ip)
        return [
            # SKIP_HEADER: urllib3 would otherwise add its own User-Agent.
            session.get(health, headers={"User-Agent": SKIP_HEADER}, timeout=30).status_code
            for _ in range(count)
        ]

    workers = 4
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        statuses = [s for part in pool.map(burst, [limit // workers + 1] * workers) for s in part]
    assert set(statuses) == {403}, set(statuses)

    client = _session_from(ip)
    blocked = client.get(health, timeout=30)
    _expect_edge_block(blocked)
    # Another client IP is not affected.
    expect_status(_session_from(other_ip).get(health, timeout=30), 200)

    # Recovery: once the burst has left the window, the same IP is served again. WAF checks the
    # rate periodically (AWS: about every 10 s), so allow the window plus a margin.
    recovered = poll(
        lambda: client.get(health, timeout=30),
        lambda response: response.status_code == 200,
        within_seconds=window + 30,
        interval=2.0,
    )
    expect_status(recovered, 200)
