"""RestApiRuntime end to end: sample OpenAPI document → runtime → LambdaRuntime → sample zips."""

from __future__ import annotations

import base64
import dataclasses
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from apigw_fixtures import (
    API_ID,
    ERROR_TEMPLATE,
    POOL_ID,
    STAGE,
    FakeBackend,
    FakeClock,
    TokenFactory,
    function_arn,
    request,
)
from rt_support import ACCOUNT_ID, REGION

from devstack.runtime.apigateway import RestApiRuntime
from devstack.runtime.contracts import HttpRequest, HttpResponse
from devstack.runtime.lambda_workers import LambdaRuntime


@pytest.fixture(scope="module")
def tokens() -> TokenFactory:
    return TokenFactory()


@pytest.fixture
def backend(lambda_runtime: LambdaRuntime, sample_zip: bytes, tokens: TokenFactory) -> FakeBackend:
    return FakeBackend(lambda_runtime, sample_zip, tokens.jwks)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def runtime(backend: FakeBackend, clock: FakeClock) -> RestApiRuntime:
    return RestApiRuntime(backend, clock=clock)


def send(runtime: RestApiRuntime, http_request: HttpRequest) -> HttpResponse:
    return runtime.handle(REGION, API_ID, STAGE, http_request)


def header(response: HttpResponse, name: str) -> str | None:
    values = [value for key, value in response.headers if key.lower() == name.lower()]
    return values[-1] if values else None


def echoed(response: HttpResponse) -> dict[str, Any]:
    assert response.status == 200, response.body
    event: dict[str, Any] = json.loads(response.body)
    return event


def bearer(token: str) -> list[tuple[str, str]]:
    return [("Authorization", token)]


# -- routing ----------------------------------------------------------------------------------


def test_literal_segment_beats_a_path_parameter(runtime: RestApiRuntime, tokens: TokenFactory):
    assert echoed(send(runtime, request("GET", "/things/special")))["resource"] == (
        "/things/special"
    )
    event = echoed(send(runtime, request("GET", "/things/abc", headers=bearer(tokens.token()))))
    assert event["resource"] == "/things/{thing_id}"
    assert event["pathParameters"] == {"thing_id": "abc"}


def test_greedy_path_and_any_method(runtime: RestApiRuntime):
    event = echoed(send(runtime, request("DELETE", "/files/a/b/c.txt")))
    assert event["resource"] == "/files/{proxy+}"
    assert event["httpMethod"] == "DELETE"
    assert event["pathParameters"] == {"proxy": "a/b/c.txt"}
    # A greedy variable needs at least one segment.
    assert send(runtime, request("GET", "/files")).status == 403


def test_root_resource_and_trailing_slash(runtime: RestApiRuntime):
    assert echoed(send(runtime, request("GET", "/")))["resource"] == "/"
    assert echoed(send(runtime, request("GET", "/things/")))["resource"] == "/things"


def test_unknown_path_and_method_get_missing_authentication_token(runtime: RestApiRuntime):
    for http_request in (request("GET", "/nowhere"), request("PATCH", "/things")):
        response = send(runtime, http_request)
        assert response.status == 403
        error = json.loads(response.body)["error"]
        assert error["code"] == "MISSING_AUTHENTICATION_TOKEN"
        assert error["message"] == "Missing Authentication Token"
        assert error["request_id"] == header(response, "x-amzn-RequestId")
        assert header(response, "Access-Control-Allow-Origin") == "*"
        assert header(response, "x-amzn-ErrorType") == "MissingAuthenticationTokenException"


def test_unknown_stage_or_api_is_forbidden(runtime: RestApiRuntime):
    assert runtime.handle(REGION, API_ID, "nostage", request("GET", "/")).status == 403
    assert runtime.handle(REGION, "nope", STAGE, request("GET", "/")).status == 403


# -- the Lambda proxy integration -------------------------------------------------------------


def test_proxy_event_has_the_rest_v1_shape(runtime: RestApiRuntime):
    response = send(
        runtime,
        request(
            "GET",
            "/search",
            headers=[("Host", "api.example.test"), ("X-Multi", "1"), ("x-multi", "2")],
            query=[("q", "first"), ("q", "second"), ("page", "3")],
        ),
    )
    event = echoed(response)
    assert event["resource"] == "/search"
    assert event["path"] == "/search"
    assert event["httpMethod"] == "GET"
    assert event["headers"]["X-Multi"] == "2"
    assert event["multiValueHeaders"]["X-Multi"] == ["1", "2"]
    assert event["headers"]["Host"] == "api.example.test"
    assert event["headers"]["X-Amzn-Trace-Id"].startswith("Root=1-")
    assert event["queryStringParameters"] == {"q": "second", "page": "3"}
    assert event["multiValueQueryStringParameters"] == {"q": ["first", "second"], "page": ["3"]}
    assert event["pathParameters"] is None
    assert event["stageVariables"] == {"colour": "blue"}
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["accountId"] == ACCOUNT_ID
    assert context["apiId"] == API_ID
    assert context["stage"] == STAGE
    assert context["resourcePath"] == "/search"
    assert context["path"] == "/v1/search"
    assert context["httpMethod"] == "GET"
    assert context["protocol"] == "HTTP/1.1"
    assert context["domainName"] == "api.example.test"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["requestId"] == header(response, "x-amzn-RequestId")
    assert context["extendedRequestId"] == header(response, "x-amz-apigw-id")
    assert isinstance(context["requestTimeEpoch"], int)
    assert "authorizer" not in context


def test_proxy_response_status_headers_and_cookies(runtime: RestApiRuntime):
    response = send(runtime, request("GET", "/search", query=[("q", "x"), ("status", "418")]))
    assert response.status == 418
    assert header(response, "X-Sample") == "yes"
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert header(response, "Content-Type") == "application/json"


def test_binary_request_and_response(runtime: RestApiRuntime):
    png = b"\x89PNG\r\n\x1a\n\x00\xff"
    response = send(
        runtime,
        request(
            "POST",
            "/binary",
            headers=[("Content-Type", "image/png"), ("Accept", "image/png")],
            body=png,
        ),
    )
    assert response.status == 200
    assert response.body == b"\x89PNG-bytes"
    # Without a binary Accept header API Gateway hands back the base64 text.
    text = send(runtime, request("POST", "/binary", body=b"{}"))
    assert base64.b64decode(text.body) == b"\x89PNG-bytes"


def test_binary_request_body_is_base64_in_the_event(runtime: RestApiRuntime):
    png = b"\x89PNG\x00\xff"
    event = echoed(
        send(
            runtime,
            request("GET", "/files/x.png", headers=[("Content-Type", "image/png")], body=png),
        )
    )
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == png


def test_the_proxy_event_is_sent_as_compact_utf8_json(
    runtime: RestApiRuntime, backend: FakeBackend, monkeypatch: pytest.MonkeyPatch
):
    # Written by devstack.jsoncodec (orjson): the same JSON to the function, without the
    # standard encoder's cost on every request.
    sent: list[bytes] = []
    invoke = backend.invoke_function

    def recording(function_arn: str, payload: bytes) -> Any:
        sent.append(payload)
        return invoke(function_arn, payload)

    monkeypatch.setattr(backend, "invoke_function", recording)
    text = "Zoë ✓ 😀"
    event = echoed(
        send(
            runtime,
            request(
                "GET", "/files/x.txt", headers=[("Content-Type", "text/plain")], body=text.encode()
            ),
        )
    )
    assert event["body"] == text
    assert len(sent) == 1
    compact = json.dumps(json.loads(sent[0]), separators=(",", ":"), ensure_ascii=False)
    assert sent[0] == compact.encode()


@pytest.mark.parametrize("path", ["/malformed", "/not-a-dict", "/with-cookies", "/failing"])
def test_bad_lambda_answers_are_502(runtime: RestApiRuntime, path: str):
    response = send(runtime, request("GET", path))
    assert response.status == 502
    error = json.loads(response.body)["error"]
    assert error["message"] == "Internal server error"
    assert error["request_id"] == header(response, "x-amzn-RequestId")


def test_lambda_timeout_is_502_and_the_next_call_works(
    runtime: RestApiRuntime, backend: FakeBackend
):
    response = send(runtime, request("GET", "/slow", query=[("seconds", "5")]))
    assert response.status == 502
    # The sample sleeps for event["seconds"]; a proxy event has none, so it sleeps 30 s: the
    # 1 s timeout ends it. A fresh worker answers the next request.
    assert backend.lambda_runtime.worker_count(backend_arn("slow")) == 0
    spec = backend.functions[backend_arn("slow")]
    quick = backend.lambda_runtime.invoke(spec, json.dumps({"seconds": 0}).encode())
    assert quick.function_error is None


def test_integration_timeout_is_504(backend: FakeBackend):
    document = backend.documents[(REGION, API_ID)]
    integration = document["paths"]["/slow"]["get"]["x-amazon-apigateway-integration"]
    integration["timeoutInMillis"] = 100  # the sample sleeps until its 1 s Lambda timeout
    response = send(RestApiRuntime(backend), request("GET", "/slow"))
    assert response.status == 504
    error = json.loads(response.body)["error"]
    assert error["code"] == "INTEGRATION_TIMEOUT"
    assert error["message"] == "Endpoint request timed out"


def backend_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"


# -- mock integration / CORS ------------------------------------------------------------------


def test_cors_preflight_is_answered_by_the_mock_integration(
    runtime: RestApiRuntime, backend: FakeBackend
):
    response = send(runtime, request("OPTIONS", "/things", headers=[("Origin", "http://x.test")]))
    assert response.status == 200
    assert header(response, "Access-Control-Allow-Origin") == "*"
    assert header(response, "Access-Control-Allow-Methods") == "GET,POST,OPTIONS"
    assert header(response, "Access-Control-Allow-Headers") == "Content-Type,Authorization"
    assert response.body == b""
    assert sum(backend.invocations.values()) == 0


# -- validation -------------------------------------------------------------------------------


def post_thing(runtime: RestApiRuntime, tokens: TokenFactory, body: object, **kw: Any):
    headers = [*bearer(tokens.token()), ("Content-Type", "application/json")]
    headers += kw.get("extra_headers", [("X-Request-Tag", "t1")])
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return send(runtime, request("POST", "/things", headers=headers, body=raw))


def test_valid_body_passes(runtime: RestApiRuntime, tokens: TokenFactory):
    event = echoed(post_thing(runtime, tokens, {"name": "lamp", "count": 2}))
    assert json.loads(event["body"]) == {"name": "lamp", "count": 2}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"count": 1}, 'object has missing required properties (["name"])'),
        (
            {"name": 5},
            "instance type (integer) does not match any allowed primitive type "
            '(allowed: ["string"])',
        ),
        ({"name": "x", "extra": 1}, "object instance has properties which are not allowed"),
        ({"name": ""}, 'string "" is too short (length: 0, required minimum: 1)'),
        ({"name": "x", "count": -1}, "numeric instance is lower than the required minimum"),
        (b"{not json", "Unable to parse JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "Unable to parse JSON"),
        ({"name": "x", "count": json.loads("[" * 900 + "]" * 900)}, "does not match"),
    ],
)
def test_invalid_body_is_400(runtime: RestApiRuntime, tokens: TokenFactory, body, expected):
    response = post_thing(runtime, tokens, body)
    assert response.status == 400
    error = json.loads(response.body)["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert expected in error["message"]
    assert error["message"].startswith("[")


def test_missing_required_header_and_query_are_400(runtime: RestApiRuntime, tokens: TokenFactory):
    response = post_thing(runtime, tokens, {"name": "lamp"}, extra_headers=[])
    assert response.status == 400
    error = json.loads(response.body)["error"]
    assert error["code"] == "BAD_REQUEST_PARAMETERS"
    assert error["message"] == "Missing required request parameters: [X-Request-Tag]"
    response = send(runtime, request("GET", "/search"))
    assert response.status == 400
    assert json.loads(response.body)["error"]["message"] == (
        "Missing required request parameters: [q]"
    )


def test_oversized_headers_are_refused_before_the_lambda(
    runtime: RestApiRuntime, backend: FakeBackend, tokens: TokenFactory
):
    before = sum(backend.invocations.values())
    response = post_thing(
        runtime, tokens, {"name": "lamp"}, extra_headers=[("X-Request-Tag", "p" * 11_000)]
    )
    assert response.status == 413
    assert sum(backend.invocations.values()) == before


def test_operation_validator_override_disables_validation(runtime: RestApiRuntime):
    event = echoed(send(runtime, request("POST", "/unvalidated", body=b'{"count": "x"}')))
    assert event["body"] == '{"count": "x"}'


def test_authorization_runs_before_validation(runtime: RestApiRuntime):
    response = send(runtime, request("POST", "/things", body=b"{}"))
    assert response.status == 401


# -- Cognito user pool authorizer -------------------------------------------------------------


def test_cognito_valid_id_token_passes_claims_as_strings(
    runtime: RestApiRuntime, tokens: TokenFactory
):
    token = tokens.token(custom_flag=False, number=7)
    event = echoed(send(runtime, request("GET", "/things/t1", headers=bearer(token))))
    claims = event["requestContext"]["authorizer"]["claims"]
    assert claims["sub"] == "0f3c-user"
    assert claims["token_use"] == "id"
    assert claims["email_verified"] == "true"
    assert claims["custom_flag"] == "false"
    assert claims["number"] == "7"
    assert claims["cognito:groups"] == "readers,writers"
    assert claims["exp"].endswith(" UTC " + claims["exp"][-4:])  # "Mon Nov 23 19:00:00 UTC 2026"
    assert all(isinstance(value, str) for value in claims.values())


def test_cognito_access_token_and_bearer_prefix(runtime: RestApiRuntime, tokens: TokenFactory):
    token = tokens.token(token_use="access", client_id="client-123", scope="aws.cognito.signin")
    headers = bearer("Bearer " + token)
    assert send(runtime, request("GET", "/things/t1", headers=headers)).status == 200


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda tokens: None, id="missing"),
        pytest.param(lambda tokens: "not-a-jwt", id="garbage"),
        pytest.param(lambda tokens: tokens.token(expires_in=-5), id="expired"),
        pytest.param(lambda tokens: tokens.token(other_key=True), id="bad-signature"),
        pytest.param(
            lambda tokens: tokens.token(
                issuer=f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_OtherPool"
            ),
            id="wrong-issuer",
        ),
        pytest.param(lambda tokens: tokens.token(token_use="refresh"), id="wrong-token-use"),
    ],
)
def test_cognito_rejections_are_401(runtime: RestApiRuntime, tokens: TokenFactory, make_token):
    token = make_token(tokens)
    headers = bearer(token) if token else []
    response = send(runtime, request("GET", "/things/t1", headers=headers))
    assert response.status == 401
    error = json.loads(response.body)["error"]
    assert error["code"] == "UNAUTHORIZED"
    assert error["message"] == "Unauthorized"


def test_cognito_expiry_uses_the_wall_clock(backend: FakeBackend, tokens: TokenFactory):
    token = tokens.token(expires_in=60)
    later = RestApiRuntime(backend, wall_clock=lambda: 10_000_000_000.0)
    response = later.handle(
        REGION, API_ID, STAGE, request("GET", "/things/t", headers=bearer(token))
    )
    assert response.status == 401


def test_cognito_scopes_need_an_access_token_with_the_scope(
    runtime: RestApiRuntime, tokens: TokenFactory
):
    id_token = tokens.token()
    assert send(runtime, request("GET", "/scoped", headers=bearer(id_token))).status == 401
    without = tokens.token(token_use="access", scope="other/scope")
    assert send(runtime, request("GET", "/scoped", headers=bearer(without))).status == 401
    scoped = tokens.token(token_use="access", scope="openid things/read")
    assert send(runtime, request("GET", "/scoped", headers=bearer(scoped))).status == 200


def test_cognito_unknown_pool_is_401(backend: FakeBackend, tokens: TokenFactory):
    backend.jwks.clear()
    runtime = RestApiRuntime(backend)
    response = send(runtime, request("GET", "/things/t", headers=bearer(tokens.token())))
    assert response.status == 401
    assert POOL_ID  # the pool named by the document no longer exists in the emulator


# -- Lambda authorizers -----------------------------------------------------------------------


def test_token_authorizer_allows_and_passes_its_context(runtime: RestApiRuntime):
    event = echoed(send(runtime, request("GET", "/guarded", headers=bearer("allow-one"))))
    authorizer = event["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "user-allow-one"
    assert authorizer["tier"] == "gold"
    assert authorizer["level"] == "3"
    assert authorizer["admin"] == "false"


def test_token_authorizer_explicit_deny_is_403(runtime: RestApiRuntime):
    response = send(runtime, request("GET", "/guarded", headers=bearer("deny")))
    assert response.status == 403
    body = json.loads(response.body)["error"]
    assert body["code"] == "FORBIDDEN"
    assert body["message"] == "User is not authorized to access this resource with an explicit deny"
    assert body["principal"] == "user-deny"
    assert header(response, "X-Denied") == "yes"


def test_token_authorizer_unauthorized_and_failures(runtime: RestApiRuntime, backend: FakeBackend):
    assert send(runtime, request("GET", "/guarded", headers=bearer("nobody"))).status == 401
    assert send(runtime, request("GET", "/guarded")).status == 401
    for token in ("crash", "broken"):
        response = send(runtime, request("GET", "/guarded", headers=bearer(token)))
        assert response.status == 500
        assert json.loads(response.body)["error"]["message"] is None
    calls = backend.invocations["token-authorizer"]
    # Fails the identityValidationExpression: rejected without calling the authorizer.
    assert send(runtime, request("GET", "/guarded", headers=bearer("UPPER CASE"))).status == 401
    assert backend.invocations["token-authorizer"] == calls


def test_token_authorizer_cache_honours_the_ttl(
    runtime: RestApiRuntime, backend: FakeBackend, clock: FakeClock
):
    for _ in range(3):
        assert (
            send(runtime, request("GET", "/guarded", headers=bearer("allow-cache"))).status == 200
        )
    assert backend.invocations["token-authorizer"] == 1
    clock.advance(59)
    assert send(runtime, request("GET", "/guarded", headers=bearer("allow-cache"))).status == 200
    assert backend.invocations["token-authorizer"] == 1
    clock.advance(2)
    assert send(runtime, request("GET", "/guarded", headers=bearer("allow-cache"))).status == 200
    assert backend.invocations["token-authorizer"] == 2


def test_cached_policy_is_evaluated_per_method(runtime: RestApiRuntime, backend: FakeBackend):
    assert send(runtime, request("GET", "/guarded", headers=bearer("get-only"))).status == 200
    response = send(runtime, request("POST", "/guarded", headers=bearer("get-only")))
    assert response.status == 403
    assert json.loads(response.body)["error"]["message"] == (
        "User is not authorized to access this resource"
    )
    assert backend.invocations["token-authorizer"] == 1


def test_request_authorizer_without_cache_runs_every_time(
    runtime: RestApiRuntime, backend: FakeBackend
):
    headers = [("X-Key", "allow-request")]
    for _ in range(2):
        event = echoed(send(runtime, request("GET", "/guarded-request", headers=headers)))
        assert event["requestContext"]["authorizer"]["principalId"] == "user-allow-request"
    assert backend.invocations["request-authorizer"] == 2
    # Caching off: a request without the identity source still reaches the authorizer.
    assert send(runtime, request("GET", "/guarded-request")).status == 401
    assert backend.invocations["request-authorizer"] == 3


def test_request_authorizer_with_cache_rejects_missing_identity_unseen(
    backend: FakeBackend, clock: FakeClock
):
    document = backend.documents[(REGION, API_ID)]
    scheme = document["components"]["securitySchemes"]["request_auth"]
    scheme["x-amazon-apigateway-authorizer"]["authorizerResultTtlInSeconds"] = 30
    scheme["x-amazon-apigateway-authorizer"]["identitySource"] = (
        "method.request.header.X-Key, method.request.querystring.tenant"
    )
    runtime = RestApiRuntime(backend, clock=clock)
    assert (
        send(runtime, request("GET", "/guarded-request", headers=[("X-Key", "allow-r")])).status
        == 401
    )
    assert backend.invocations["request-authorizer"] == 0
    full = request(
        "GET", "/guarded-request", headers=[("X-Key", "allow-r")], query=[("tenant", "t")]
    )
    event = echoed(send(runtime, full))
    assert event["requestContext"]["authorizer"]["principalId"] == "user-allow-r"
    assert send(runtime, full).status == 200
    assert backend.invocations["request-authorizer"] == 1


# -- throttling -------------------------------------------------------------------------------


def test_stage_throttling_returns_429_and_refills(
    runtime: RestApiRuntime, backend: FakeBackend, clock: FakeClock
):
    key = (REGION, API_ID, STAGE)
    backend.stages[key] = dataclasses.replace(
        backend.stages[key], throttling_rate_limit=1.0, throttling_burst_limit=2
    )
    statuses = [send(runtime, request("GET", "/things/special")).status for _ in range(3)]
    assert statuses == [200, 200, 429]
    throttled = send(runtime, request("GET", "/things/special"))
    assert json.loads(throttled.body)["error"]["code"] == "THROTTLED"
    # The stage default applies per method: another method still has its own burst.
    assert send(runtime, request("GET", "/")).status == 200
    clock.advance(1.0)
    assert send(runtime, request("GET", "/things/special")).status == 200


def test_method_throttling_override(runtime: RestApiRuntime, backend: FakeBackend):
    key = (REGION, API_ID, STAGE)
    backend.stages[key] = dataclasses.replace(
        backend.stages[key], method_throttling={"/things/special/GET": (0.0, 1)}
    )
    assert send(runtime, request("GET", "/things/special")).status == 200
    assert send(runtime, request("GET", "/things/special")).status == 429
    assert send(runtime, request("GET", "/")).status == 200
    assert send(runtime, request("GET", "/")).status == 200


def test_concurrent_requests(runtime: RestApiRuntime):
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: send(runtime, request("GET", "/")), range(12)))
    assert [response.status for response in responses] == [200] * 12
    assert len({header(response, "x-amzn-RequestId") for response in responses}) == 12


# -- headers ----------------------------------------------------------------------------------


def test_request_id_and_trace_headers(runtime: RestApiRuntime, backend: FakeBackend):
    response = send(runtime, request("GET", "/"))
    assert header(response, "x-amzn-RequestId")
    assert header(response, "x-amz-apigw-id")
    assert header(response, "X-Amzn-Trace-Id") is None
    key = (REGION, API_ID, STAGE)
    backend.stages[key] = dataclasses.replace(backend.stages[key], tracing_enabled=True)
    traced = send(runtime, request("GET", "/"))
    assert (header(traced, "X-Amzn-Trace-Id") or "").startswith("Root=1-")


def test_swagger_2_documents_are_served(backend: FakeBackend):
    echo = backend.documents[(REGION, API_ID)]["paths"]["/"]["get"]
    backend.documents[(REGION, API_ID)] = {
        "swagger": "2.0",
        "basePath": "/v1",
        "x-amazon-apigateway-request-validators": {"body": {"validateRequestBody": True}},
        "paths": {
            "/pets/{pet}": {
                "post": {
                    **echo,
                    "x-amazon-apigateway-request-validator": "body",
                    "parameters": [
                        {"name": "pet", "in": "path", "required": True, "type": "string"},
                        {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Pet"}},
                    ],
                }
            }
        },
        "definitions": {"Pet": {"type": "object", "required": ["kind"]}},
    }
    runtime = RestApiRuntime(backend)
    ok = send(runtime, request("POST", "/pets/rex", body=b'{"kind": "dog"}'))
    assert echoed(ok)["pathParameters"] == {"pet": "rex"}
    bad = send(runtime, request("POST", "/pets/rex", body=b"{}"))
    assert bad.status == 400
    assert json.loads(bad.body) == {"message": "Invalid request body"}


# -- authorizer failures, API keys and usage plans --------------------------------------------
# API key source AUTHORIZER: the Lambda authorizer returns the key as usageIdentifierKey; a
# method with apiKeyRequired needs a key of a usage plan bound to the stage, else 403
# (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html);
# quota and per-key throttling are the plan's
# (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html);
# response types INVALID_API_KEY 403, QUOTA_EXCEEDED 429, THROTTLED 429
# (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).


def error_of(response: HttpResponse) -> dict[str, Any]:
    error: dict[str, Any] = json.loads(response.body)["error"]
    return error


def authorizer_key_source(backend: FakeBackend) -> None:
    backend.documents[(REGION, API_ID)]["x-amazon-apigateway-api-key-source"] = "AUTHORIZER"


def test_authorizer_failure_is_its_own_response_type(backend: FakeBackend, clock: FakeClock):
    """A Lambda authorizer that fails other than with "Unauthorized" gives AUTHORIZER_FAILURE
    (mapped to 503 here, as Meridian does); "Unauthorized" is 401; a malformed answer is
    AUTHORIZER_CONFIGURATION_ERROR (500)."""
    document = backend.documents[(REGION, API_ID)]
    document["x-amazon-apigateway-gateway-responses"]["AUTHORIZER_FAILURE"] = {
        "statusCode": "503",
        "responseTemplates": {"application/json": ERROR_TEMPLATE},
    }
    runtime = RestApiRuntime(backend, clock=clock)
    crashed = send(runtime, request("GET", "/guarded", headers=bearer("crash")))
    assert crashed.status == 503
    assert error_of(crashed)["code"] == "AUTHORIZER_FAILURE"
    rejected = send(runtime, request("GET", "/guarded", headers=bearer("nobody")))
    assert rejected.status == 401
    assert error_of(rejected)["code"] == "UNAUTHORIZED"
    broken = send(runtime, request("GET", "/guarded", headers=bearer("broken")))
    assert broken.status == 500
    assert error_of(broken)["code"] == "AUTHORIZER_CONFIGURATION_ERROR"


def test_authorizer_timeout_is_an_authorizer_failure(backend: FakeBackend, clock: FakeClock):
    backend.functions[function_arn("token-authorizer")] = dataclasses.replace(
        backend.functions[function_arn("slow")], function_name="token-authorizer"
    )
    runtime = RestApiRuntime(backend, clock=clock)
    response = send(runtime, request("GET", "/guarded", headers=bearer("allow-late")))
    assert response.status == 500  # the sample document keeps AUTHORIZER_FAILURE's default
    assert error_of(response)["code"] == "AUTHORIZER_FAILURE"


def test_api_key_from_the_authorizer_on_a_plan_of_the_stage_passes(
    backend: FakeBackend, clock: FakeClock
):
    authorizer_key_source(backend)
    runtime = RestApiRuntime(backend, clock=clock)
    event = echoed(send(runtime, request("GET", "/metered", headers=bearer("allow-key-gold"))))
    assert event["requestContext"]["authorizer"]["principalId"] == "user-allow-key-gold"
    assert "usageIdentifierKey" not in event["requestContext"]["authorizer"]


@pytest.mark.parametrize(
    ("token", "api_key_header"),
    [
        ("allow-plain", None),  # the authorizer returned no key
        ("allow-key-unknown", None),  # a key on no usage plan
        ("allow-key-off", None),  # a disabled key
        ("allow-key-other", None),  # a key on a plan bound to another stage only
        ("allow-plain", "sample-usage-key-gold"),  # AUTHORIZER mode ignores the client's header
    ],
)
def test_missing_or_unknown_api_key_is_403(
    backend: FakeBackend, clock: FakeClock, token: str, api_key_header: str | None
):
    authorizer_key_source(backend)
    runtime = RestApiRuntime(backend, clock=clock)
    headers = bearer(token) + ([("X-API-Key", api_key_header)] if api_key_header else [])
    response = send(runtime, request("GET", "/metered", headers=headers))
    assert response.status == 403
    assert error_of(response) == {
        "code": "INVALID_API_KEY",
        "message": "Forbidden",
        "request_id": header(response, "x-amzn-RequestId"),
    }
    # The same callers on a method without apiKeyRequired are not affected.
    assert send(runtime, request("GET", "/guarded", headers=bearer(token))).status == 200


def test_cognito_authorizer_returns_no_api_key(
    backend: FakeBackend, clock: FakeClock, tokens: TokenFactory
):
    authorizer_key_source(backend)
    runtime = RestApiRuntime(backend, clock=clock)
    response = send(runtime, request("GET", "/metered-pool", headers=bearer(tokens.token())))
    assert response.status == 403
    assert error_of(response)["code"] == "INVALID_API_KEY"


def test_usage_plan_daily_quota_is_429_until_the_next_utc_day(backend: FakeBackend):
    authorizer_key_source(backend)
    wall = FakeClock(start=1_767_225_600.0 + 3600)  # 2026-01-01T01:00:00Z
    runtime = RestApiRuntime(backend, clock=FakeClock(), wall_clock=wall)
    small = request("GET", "/metered", headers=bearer("allow-key-small"))
    assert send(runtime, small).status == 200
    assert send(runtime, small).status == 200
    over = send(runtime, small)
    assert over.status == 429
    assert error_of(over)["code"] == "QUOTA_EXCEEDED"
    assert error_of(over)["message"] == "Limit Exceeded"
    # Other keys keep their own count.
    assert send(runtime, request("GET", "/metered", headers=bearer("allow-key-gold"))).status == 200
    wall.advance(22 * 3600)  # still 2026-01-01
    assert send(runtime, small).status == 429
    wall.advance(2 * 3600)  # 2026-01-02: a new day, a new quota
    assert send(runtime, small).status == 200


def test_usage_plan_throttle_is_per_key(backend: FakeBackend, clock: FakeClock):
    authorizer_key_source(backend)
    runtime = RestApiRuntime(backend, clock=clock)
    slow = request("GET", "/metered", headers=bearer("allow-key-slow"))
    assert send(runtime, slow).status == 200
    throttled = send(runtime, slow)
    assert throttled.status == 429
    assert error_of(throttled)["code"] == "THROTTLED"
    assert send(runtime, request("GET", "/metered", headers=bearer("allow-key-gold"))).status == 200
    clock.advance(1.0)
    assert send(runtime, slow).status == 200


def test_header_key_source_reads_x_api_key(backend: FakeBackend, clock: FakeClock):
    runtime = RestApiRuntime(backend, clock=clock)  # the sample document keeps HEADER (default)
    keyed = request("GET", "/metered-open", headers=[("x-api-key", "sample-usage-key-gold")])
    assert send(runtime, keyed).status == 200
    assert send(runtime, request("GET", "/metered-open")).status == 403
    unknown = request("GET", "/metered-open", headers=[("X-API-Key", "not-a-key-of-any-plan")])
    assert send(runtime, unknown).status == 403


# -- compiled documents -------------------------------------------------------------------------


class _ComparedDocument(dict[str, Any]):
    """A document that counts how often its content is compared with another."""

    comparisons = 0

    def __eq__(self, other: object) -> bool:
        type(self).comparisons += 1
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]


class _ReplacingBackend(FakeBackend):
    """A backend that replaces its documents and never changes one in place (as MotoBackend)."""

    documents_replaced = True


def test_a_backend_that_replaces_documents_is_not_compared_per_request(
    lambda_runtime: LambdaRuntime, sample_zip: bytes, tokens: TokenFactory
):
    backend = _ReplacingBackend(lambda_runtime, sample_zip, tokens.jwks)
    first = _ComparedDocument(backend.documents[(REGION, API_ID)])
    backend.documents[(REGION, API_ID)] = first
    runtime = RestApiRuntime(backend)
    for _ in range(3):
        assert echoed(send(runtime, request("GET", "/")))["resource"] == "/"
    assert _ComparedDocument.comparisons == 0
    # A redeployment is a new object: it is served at once.
    redeployed = json.loads(json.dumps(first))
    redeployed["paths"]["/renamed"] = redeployed["paths"].pop("/")
    backend.documents[(REGION, API_ID)] = redeployed
    assert send(runtime, request("GET", "/")).status == 403
    assert echoed(send(runtime, request("GET", "/renamed")))["resource"] == "/renamed"


def test_a_document_changed_in_place_is_noticed(backend: FakeBackend, runtime: RestApiRuntime):
    """The FakeBackend does not promise documents_replaced: its content is compared."""
    assert echoed(send(runtime, request("GET", "/")))["resource"] == "/"
    document = backend.documents[(REGION, API_ID)]
    document["paths"]["/renamed"] = document["paths"].pop("/")
    assert send(runtime, request("GET", "/")).status == 403
    assert echoed(send(runtime, request("GET", "/renamed")))["resource"] == "/renamed"
