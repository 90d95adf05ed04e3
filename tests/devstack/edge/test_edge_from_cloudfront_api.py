"""The edge reads what the CloudFront API holds: a distribution shaped like infra/modules/edge.

Created through boto3 against the in-process emulator (moto + our CloudFront filler), read back
by ``ApiConfigSource`` and served by an ``Edge`` whose origin is scripted; the live listener and
its origin fetch through ``serve_stage`` are exercised by tests/e2e/test_e2e_edge.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from devstack_support import RunningEmulator as Emulator

from devstack.edge.config import Origin
from devstack.edge.server import Edge, OriginRequest
from devstack.edge.source import StageOriginFetcher
from devstack.wsgi import Response

from .edge_support import ManualClock, RecordingWaf, ScriptedOrigin, viewer

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ACTIVE = "abc123.execute-api.eu-west-1.amazonaws.com"
STANDBY = "def456.execute-api.eu-central-1.amazonaws.com"
WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/0a1b2c"


def _security_policy(emulator: Emulator) -> str:
    created = emulator.client("cloudfront").create_response_headers_policy(
        ResponseHeadersPolicyConfig={
            "Name": f"security-{uuid.uuid4().hex[:8]}",
            "SecurityHeadersConfig": {
                "StrictTransportSecurity": {
                    "Override": True,
                    "IncludeSubdomains": True,
                    "Preload": True,
                    "AccessControlMaxAgeSec": 63072000,
                },
                "ContentTypeOptions": {"Override": True},
                "FrameOptions": {"Override": True, "FrameOption": "DENY"},
                "ReferrerPolicy": {"Override": True, "ReferrerPolicy": "no-referrer"},
                "ContentSecurityPolicy": {
                    "Override": True,
                    "ContentSecurityPolicy": "default-src 'none'; frame-ancestors 'none'",
                },
            },
        }
    )
    return str(created["ResponseHeadersPolicy"]["Id"])


def _origin(origin_id: str, domain: str) -> dict[str, Any]:
    return {
        "Id": origin_id,
        "DomainName": domain,
        "OriginPath": "",
        "CustomHeaders": {
            "Quantity": 1,
            "Items": [{"HeaderName": "X-Origin-Verify", "HeaderValue": "s3cr3t"}],
        },
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
        },
    }


@pytest.fixture(scope="module")
def created(emulator: Emulator) -> dict[str, Any]:
    methods = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    config = {
        "CallerReference": uuid.uuid4().hex,
        "Comment": "edge test",
        "Enabled": True,
        "DefaultRootObject": "v1/health",
        "WebACLId": WEB_ACL,
        "Origins": {
            "Quantity": 2,
            "Items": [_origin("api-active", ACTIVE), _origin("api-standby", STANDBY)],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "api-active",
            "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": {
                "Quantity": 7,
                "Items": methods,
                "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
            },
            "Compress": True,
            "CachePolicyId": CACHING_DISABLED,
            "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST,
            "ResponseHeadersPolicyId": _security_policy(emulator),
        },
        "CacheBehaviors": {
            "Quantity": 1,
            "Items": [
                {
                    "PathPattern": "/v1/health",
                    "TargetOriginId": "api-standby",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "AllowedMethods": {
                        "Quantity": 2,
                        "Items": ["GET", "HEAD"],
                        "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
                    },
                    "CachePolicyId": CACHING_DISABLED,
                    "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST,
                }
            ],
        },
        "CustomErrorResponses": {
            "Quantity": 1,
            "Items": [{"ErrorCode": 404, "ErrorCachingMinTTL": 0}],
        },
    }
    answer = emulator.client("cloudfront").create_distribution(DistributionConfig=config)
    return dict(answer["Distribution"])


def _edge(emulator: Emulator) -> tuple[Edge, ScriptedOrigin, RecordingWaf]:
    fetcher = ScriptedOrigin()
    waf = RecordingWaf()
    return Edge(emulator.app.edge_config, fetcher, waf, ManualClock()), fetcher, waf


def test_the_distribution_is_read_as_configured(
    emulator: Emulator, created: dict[str, Any]
) -> None:
    distributions = {d.distribution_id: d for d in emulator.app.edge_config.distributions()}
    read = distributions[created["Id"]]
    assert read.domain_name == created["DomainName"]
    assert read.default_root_object == "v1/health"
    assert read.web_acl_id == WEB_ACL
    assert read.origins["api-active"].custom_headers == (("X-Origin-Verify", "s3cr3t"),)
    assert [b.path_pattern for b in read.behaviours] == ["/v1/health"]
    assert read.error_responses[404].error_caching_min_ttl == 0
    policy = emulator.app.edge_config.cache_policy(CACHING_DISABLED)
    assert policy is not None
    assert (policy.min_ttl, policy.default_ttl, policy.max_ttl) == (0, 0, 0)


def test_requests_follow_the_configured_behaviours(
    emulator: Emulator, created: dict[str, Any]
) -> None:
    edge, fetcher, waf = _edge(emulator)
    host = (("Host", created["DomainName"]),)
    request = viewer("GET", "/v1/profiles/me", headers=(("Authorization", "Bearer x"),))
    response = edge.handle(
        request.__class__(
            request.method, request.path, "", host + request.headers[1:], b"", request.client_ip
        )
    )
    assert response.status == 200
    origin, sent = fetcher.calls[-1]
    assert origin.domain_name == ACTIVE
    headers = dict(sent.headers)
    assert headers["Host"] == ACTIVE  # AllViewerExceptHostHeader: the viewer's Host is replaced
    assert headers["X-Origin-Verify"] == "s3cr3t"
    assert headers["Authorization"] == "Bearer x"
    assert response.header("X-Frame-Options") == "DENY"
    assert (
        response.header("Content-Security-Policy") == "default-src 'none'; frame-ancestors 'none'"
    )
    assert waf.seen[-1].web_acl_arn == WEB_ACL
    assert waf.seen[-1].scope == "CLOUDFRONT"
    # "/" is the default root object, matched by the /v1/health behaviour (the standby origin)
    edge.handle(request.__class__("GET", "/", "", host, b"", "127.0.0.1"))
    assert fetcher.calls[-1][0].domain_name == STANDBY
    assert fetcher.calls[-1][1].path == "/v1/health"
    # that behaviour allows GET and HEAD only
    refused = edge.handle(request.__class__("POST", "/v1/health", "", host, b"{}", "127.0.0.1"))
    assert refused.status == 403


def test_a_cloudfront_write_is_seen_by_the_edge(
    emulator: Emulator, created: dict[str, Any]
) -> None:
    client = emulator.client("cloudfront")
    current = client.get_distribution_config(Id=created["Id"])
    config = current["DistributionConfig"]
    config["DefaultRootObject"] = "v1/other"
    before = {d.distribution_id: d for d in emulator.app.edge_config.distributions()}
    assert before[created["Id"]].default_root_object == "v1/health"
    client.update_distribution(Id=created["Id"], IfMatch=current["ETag"], DistributionConfig=config)
    after = {d.distribution_id: d for d in emulator.app.edge_config.distributions()}
    assert after[created["Id"]].default_root_object == "v1/other"


def test_stage_fetcher_refuses_a_forwarded_viewer_host() -> None:
    calls: list[str] = []

    def serve_stage(api: str, stage: str, request: Any) -> Any:
        calls.append(f"{api}/{stage}{request.path} from {request.source_ip}")
        return Response(200, [], b"{}")

    fetcher = StageOriginFetcher(serve_stage)
    origin = Origin("a", ACTIVE)
    ok = fetcher.fetch(
        origin, OriginRequest("GET", "/v1/health", (), (("Host", ACTIVE),), b"", "127.0.0.9")
    )
    assert ok.status == 200
    # The origin's peer is the edge, not the viewer (who is in X-Forwarded-For).
    assert calls == ["abc123/v1/health from 127.0.0.1"]
    forwarded = fetcher.fetch(
        origin, OriginRequest("GET", "/v1/health", (), (("Host", "d1.cloudfront.net"),), b"", "x")
    )
    assert forwarded.status == 403
