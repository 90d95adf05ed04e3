"""Unit-level checks of the REST runtime's building blocks (no processes)."""

from __future__ import annotations

import pytest

from devstack.runtime.authorizers import _claim_string, evaluate_policy, function_arn_from_uri
from devstack.runtime.contracts import StageConfig
from devstack.runtime.gateway_responses import (
    GatewayError,
    render_gateway_response,
    render_template,
)
from devstack.runtime.openapi import compile_document, resolve_ref
from devstack.runtime.routing import Router
from devstack.runtime.throttling import Throttler, method_limits

ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/GET/items/42"


def policy(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(resource: object, action: object = "execute-api:Invoke") -> dict[str, object]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(resource: object) -> dict[str, object]:
    return {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": resource}


@pytest.mark.parametrize(
    ("statements", "decision"),
    [
        ([allow(ARN)], "Allow"),
        ([allow("arn:aws:execute-api:eu-west-1:123456789012:abc123/*")], "Allow"),
        ([allow("arn:aws:execute-api:*:*:abc123/v1/GET/items/*")], "Allow"),
        ([allow("arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/GET/items/4?")], "Allow"),
        ([allow("arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/POST/*")], ""),
        ([allow(ARN, action="execute-api:*")], "Allow"),
        ([allow(ARN, action="*")], "Allow"),
        ([allow(ARN, action="dynamodb:GetItem")], ""),
        ([allow([ARN]), deny("arn:aws:execute-api:*:*:abc123/v1/GET/*")], "Deny"),
        ([deny(ARN), allow("*")], "Deny"),
        ([], ""),
    ],
)
def test_policy_evaluation(statements: list[dict[str, object]], decision: str):
    assert evaluate_policy(policy(*statements), ARN) == decision


def test_function_arn_from_integration_uri():
    uri = (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:us-east-1:123456789012:function:my-fn:live/invocations"
    )
    assert function_arn_from_uri(uri) == "arn:aws:lambda:us-east-1:123456789012:function:my-fn:live"
    with pytest.raises(ValueError, match="not a Lambda"):
        function_arn_from_uri("http://example.invalid/")


def test_claims_become_strings():
    assert _claim_string("exp", 0) == "Thu Jan 01 00:00:00 UTC 1970"
    assert _claim_string("email_verified", True) == "true"
    assert _claim_string("custom:n", 5) == "5"
    assert _claim_string("cognito:groups", ["a", "b"]) == "a,b"
    assert _claim_string("address", {"x": 1}) == '{"x": 1}'


def test_router_prefers_literal_then_parameter_then_greedy():
    router = Router(["/a/{x}", "/a/b", "/{proxy+}", "/a/{x}/c", "/{p}/b"])
    assert router.match("/a/b").resource_path == "/a/b"  # type: ignore[union-attr]
    assert router.match("/a/z").resource_path == "/a/{x}"  # type: ignore[union-attr]
    assert router.match("/q/b").resource_path == "/{p}/b"  # type: ignore[union-attr]
    deep = router.match("/a/z/c/d")
    assert deep is not None
    assert deep.resource_path == "/{proxy+}"
    assert deep.path_parameters == {"proxy": "a/z/c/d"}
    assert router.match("/") is None


def test_template_rendering():
    variables = {"requestId": "r-1", "error.messageString": '"x"', "authorizer.principalId": "p"}
    assert render_template("$context.requestId", variables) == "r-1"
    assert render_template("${context.requestId}!", variables) == "r-1!"
    assert render_template('{"m":$context.error.messageString}', variables) == '{"m":"x"}'
    assert render_template("$context.authorizer.principalId", variables) == "p"
    assert render_template("[$context.unknown]", variables) == "[$context.unknown]"
    assert render_template("[$!context.unknown]", variables) == "[]"


def test_gateway_response_defaults_and_family_status():
    error = GatewayError("UNAUTHORIZED", "Unauthorized")
    built_in = render_gateway_response({}, error, {}, {})
    assert built_in.status == 401
    assert built_in.body == b'{"message":"Unauthorized"}'
    family = {"DEFAULT_4XX": {"statusCode": "400", "responseTemplates": {"text/plain": "no"}}}
    overridden = render_gateway_response(family, error, {}, {})
    assert overridden.status == 400
    assert overridden.body == b"no"
    assert ("Content-Type", "text/plain") in overridden.headers
    mapped = {
        "UNAUTHORIZED": {
            "responseParameters": {
                "gatewayresponse.header.Echo-Origin": "method.request.header.origin",
                "gatewayresponse.header.Ignored": "not-a-literal",
            }
        }
    }
    echoed = render_gateway_response(mapped, error, {}, {"header.origin": "http://o.test"})
    assert ("Echo-Origin", "http://o.test") in echoed.headers
    assert all(name != "Ignored" for name, _ in echoed.headers)


def test_method_limits_and_token_bucket():
    stage = StageConfig("api", "v1", "d", throttling_rate_limit=2.0, throttling_burst_limit=None)
    assert method_limits(stage, "/x", "GET") == (2.0, 2)
    assert method_limits(StageConfig("api", "v1", "d"), "/x", "GET") is None
    star = StageConfig("api", "v1", "d", method_throttling={"*/*": (5.0, 1)})
    assert method_limits(star, "/x", "GET") == (5.0, 1)
    escaped = StageConfig("api", "v1", "d", method_throttling={"~1x~1{id}/GET": (1.0, 1)})
    assert method_limits(escaped, "/x/{id}", "GET") == (1.0, 1)
    assert method_limits(escaped, "/x/{id}", "POST") is None
    now = [0.0]
    throttler = Throttler(lambda: now[0])
    scope = ("api", "v1", "/x", "GET")
    assert throttler.allow(scope, (2.0, 2))
    assert throttler.allow(scope, (2.0, 2))
    assert not throttler.allow(scope, (2.0, 2))
    now[0] = 0.5  # half a second refills one token at 2 requests per second
    assert throttler.allow(scope, (2.0, 2))
    assert not throttler.allow(scope, (2.0, 2))
    assert throttler.allow(scope, None)


def test_document_references_and_security_override():
    document = {
        "openapi": "3.0.1",
        "security": [{"auth": []}],
        "paths": {
            "/open": {"get": {"security": []}},
            "/closed": {"get": {}},
            "/shared": {"$ref": "#/components/pathItems/Shared"},
        },
        "components": {
            "pathItems": {
                "Shared": {"post": {"requestBody": {"$ref": "#/components/requestBodies/B"}}}
            },
            "requestBodies": {
                "B": {"content": {"application/json": {"schema": {"type": "object"}}}}
            },
        },
    }
    api = compile_document(document)
    assert api.operation("/open", "GET").security is None  # type: ignore[union-attr]
    assert api.operation("/closed", "GET").security == ("auth", ())  # type: ignore[union-attr]
    shared = api.operation("/shared", "POST")
    assert shared is not None
    assert shared.body_schemas == {
        "application/json": "/components/requestBodies/B/content/application~1json/schema"
    }
    paired = compile_document(
        {
            "paths": {"/p": {"get": {"security": [{"key": [], "auth": ["s"]}]}}},
            "components": {
                "securitySchemes": {
                    "key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
                    "auth": {"x-amazon-apigateway-authtype": "custom"},
                }
            },
        }
    )
    assert paired.operation("/p", "GET").security == ("auth", ("s",))  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="only local"):
        resolve_ref(document, {"$ref": "other.yaml#/x"})
    with pytest.raises(ValueError, match="unresolvable"):
        resolve_ref(document, {"$ref": "#/components/missing"})
