"""A generic sample REST API (OpenAPI 3 with API Gateway extensions) and a fake emulator backend.

The API serves made-up "things" and "files": it exists only to exercise API Gateway semantics.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from rt_support import ACCOUNT_ID, REGION, make_spec

from devstack.runtime.contracts import (
    FunctionSpec,
    HttpRequest,
    InvokeResult,
    StageConfig,
    UsagePlanKey,
)
from devstack.runtime.lambda_workers import LambdaRuntime
from devstack.runtime.waiting import call_with_timeout

API_ID = "a1b2c3d4e5"
STAGE = "v1"
POOL_ID = f"{REGION}_SamplePool"
POOL_ARN = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT_ID}:userpool/{POOL_ID}"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
KEY_ID = "sample-key-1"

# function name -> (handler in the sample zip, timeout seconds)
FUNCTIONS = {
    "echo": ("proxy_echo", 3),
    "binary": ("proxy_binary", 3),
    "malformed": ("proxy_malformed", 3),
    "not-a-dict": ("proxy_not_a_dict", 3),
    "with-cookies": ("proxy_with_cookies", 3),
    "failing": ("fail", 3),
    "slow": ("sleep", 1),
    "token-authorizer": ("token_authorizer", 3),
    "request-authorizer": ("token_authorizer", 3),
}


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"


def lambda_uri(name: str) -> str:
    return (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
        f"{function_arn(name)}/invocations"
    )


def proxy(name: str, **extra: Any) -> dict[str, Any]:
    operation = {
        "x-amazon-apigateway-integration": {
            "type": "aws_proxy",
            "httpMethod": "POST",
            "uri": lambda_uri(name),
        }
    }
    operation.update(extra)
    return operation


ERROR_TEMPLATE = (
    '{"error":{"code":"$context.error.responseType","message":$context.error.messageString,'
    '"request_id":"$context.requestId"}}'
)

CORS_OPTIONS = {
    "x-amazon-apigateway-integration": {
        "type": "mock",
        "requestTemplates": {"application/json": '{"statusCode": 200}'},
        "responses": {
            "default": {
                "statusCode": "200",
                "responseParameters": {
                    "method.response.header.Access-Control-Allow-Origin": "'*'",
                    "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
                    "method.response.header.Access-Control-Allow-Headers": (
                        "'Content-Type,Authorization'"
                    ),
                },
                "responseTemplates": {"application/json": ""},
            }
        },
    }
}


def sample_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.1",
        "info": {"title": "sample", "version": "1"},
        "servers": [{"url": "https://example.invalid/{basePath}"}],
        "x-amazon-apigateway-request-validators": {
            "all": {"validateRequestBody": True, "validateRequestParameters": True},
            "none": {"validateRequestBody": False, "validateRequestParameters": False},
        },
        "x-amazon-apigateway-request-validator": "all",
        "x-amazon-apigateway-binary-media-types": ["image/png"],
        "x-amazon-apigateway-gateway-responses": {
            "DEFAULT_4XX": {
                "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
                "responseTemplates": {"application/json": ERROR_TEMPLATE},
            },
            "DEFAULT_5XX": {"responseTemplates": {"application/json": ERROR_TEMPLATE}},
            "BAD_REQUEST_BODY": {
                "responseTemplates": {
                    "application/json": (
                        '{"error":{"code":"VALIDATION_ERROR",'
                        '"message":"$context.error.validationErrorString",'
                        '"request_id":"$context.requestId"}}'
                    )
                }
            },
            "ACCESS_DENIED": {
                "statusCode": 403,
                "responseParameters": {"gatewayresponse.header.X-Denied": "'yes'"},
                "responseTemplates": {
                    "application/json": (
                        '{"error":{"code":"FORBIDDEN","message":$context.error.messageString,'
                        '"principal":"$context.authorizer.principalId",'
                        '"request_id":"$context.requestId"}}'
                    )
                },
            },
        },
        "paths": {
            "/": {"get": proxy("echo")},
            "/things": {
                "get": proxy("echo"),
                "post": proxy(
                    "echo",
                    security=[{"pool": []}],
                    parameters=[{"name": "X-Request-Tag", "in": "header", "required": True}],
                    requestBody={
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NewThing"}
                            }
                        }
                    },
                ),
                "options": CORS_OPTIONS,
            },
            "/things/special": {"get": proxy("echo")},
            "/things/{thing_id}": {
                "parameters": [{"$ref": "#/components/parameters/ThingId"}],
                "get": proxy("echo", security=[{"pool": []}]),
            },
            "/scoped": {"get": proxy("echo", security=[{"pool": ["things/read"]}])},
            "/files/{proxy+}": {"x-amazon-apigateway-any-method": proxy("echo")},
            "/search": {
                "get": proxy("echo", parameters=[{"name": "q", "in": "query", "required": True}])
            },
            "/unvalidated": {
                "post": proxy(
                    "echo",
                    **{"x-amazon-apigateway-request-validator": "none"},
                    requestBody={
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NewThing"}
                            }
                        }
                    },
                )
            },
            "/guarded": {
                "get": proxy("echo", security=[{"token_auth": []}]),
                "post": proxy("echo", security=[{"token_auth": []}]),
            },
            "/guarded-request": {"get": proxy("echo", security=[{"request_auth": []}])},
            # API key required (apiKeyRequired): the requirement pairs the authorizer with the
            # x-api-key scheme, as API Gateway's OpenAPI import reads it.
            "/metered": {
                "get": proxy("echo", security=[{"token_auth": [], "api_key": []}]),
            },
            "/metered-pool": {"get": proxy("echo", security=[{"pool": [], "api_key": []}])},
            "/metered-open": {"get": proxy("echo", security=[{"api_key": []}])},
            "/binary": {"post": proxy("binary")},
            "/malformed": {"get": proxy("malformed")},
            "/not-a-dict": {"get": proxy("not-a-dict")},
            "/with-cookies": {"get": proxy("with-cookies")},
            "/failing": {"get": proxy("failing")},
            "/slow": {"get": proxy("slow")},
            "/mock-only": {"get": CORS_OPTIONS},
        },
        "components": {
            "parameters": {
                "ThingId": {
                    "name": "thing_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                }
            },
            "schemas": {
                "NewThing": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "count": {"type": "integer", "minimum": 0},
                    },
                    "additionalProperties": False,
                }
            },
            "securitySchemes": {
                "pool": {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authtype": "cognito_user_pools",
                    "x-amazon-apigateway-authorizer": {
                        "type": "cognito_user_pools",
                        "providerARNs": [POOL_ARN],
                    },
                },
                "token_auth": {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authtype": "custom",
                    "x-amazon-apigateway-authorizer": {
                        "type": "token",
                        "authorizerUri": lambda_uri("token-authorizer"),
                        "authorizerResultTtlInSeconds": 60,
                        "identityValidationExpression": "^[a-z-]+$",
                    },
                },
                "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
                "request_auth": {
                    "type": "apiKey",
                    "name": "X-Key",
                    "in": "header",
                    "x-amazon-apigateway-authtype": "custom",
                    "x-amazon-apigateway-authorizer": {
                        "type": "request",
                        "authorizerUri": lambda_uri("request-authorizer"),
                        "identitySource": "method.request.header.X-Key",
                        "authorizerResultTtlInSeconds": 0,
                    },
                },
            },
        },
    }


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeBackend:
    """The emulator side, reduced to what the runtimes need; invokes LambdaRuntime directly."""

    account_id = ACCOUNT_ID

    def __init__(self, lambda_runtime: LambdaRuntime, code_zip: bytes, jwks: dict[str, Any]):
        self.lambda_runtime = lambda_runtime
        self.documents: dict[tuple[str, str], dict[str, Any]] = {
            (REGION, API_ID): sample_document()
        }
        self.stages: dict[tuple[str, str, str], StageConfig] = {
            (REGION, API_ID, STAGE): StageConfig(
                api_id=API_ID,
                stage_name=STAGE,
                deployment_id="dep1",
                variables={"colour": "blue"},
            )
        }
        self.functions: dict[str, FunctionSpec] = {
            function_arn(name): make_spec(
                code_zip,
                f"samples.handlers.{handler}",
                name=name,
                timeout_seconds=timeout,
            )
            for name, (handler, timeout) in FUNCTIONS.items()
        }
        self.jwks = {(REGION, POOL_ID): jwks}
        self.invocations: Counter[str] = Counter()
        # Usage plan keys bound to each stage (CreateUsagePlan apiStages + CreateUsagePlanKey).
        self.usage_keys: dict[tuple[str, str, str], list[UsagePlanKey]] = {
            (REGION, API_ID, STAGE): [
                UsagePlanKey(value="sample-usage-key-gold", enabled=True, plan_id="gold"),
                UsagePlanKey(
                    value="sample-usage-key-small",
                    enabled=True,
                    plan_id="small",
                    quota_limit=2,
                    quota_period="DAY",
                ),
                UsagePlanKey(
                    value="sample-usage-key-slow",
                    enabled=True,
                    plan_id="slow",
                    throttle_rate_limit=1.0,
                    throttle_burst_limit=1,
                ),
                UsagePlanKey(value="sample-usage-key-off", enabled=False, plan_id="gold"),
            ],
            (REGION, API_ID, "v2"): [
                UsagePlanKey(value="sample-usage-key-other", enabled=True, plan_id="other"),
            ],
        }

    def openapi_document(self, region: str, api_id: str) -> dict[str, Any] | None:
        return self.documents.get((region, api_id))

    def stage(self, region: str, api_id: str, stage_name: str) -> StageConfig | None:
        return self.stages.get((region, api_id, stage_name))

    def invoke_function(self, function_arn: str, payload: bytes) -> InvokeResult:
        self.invocations[function_arn.rsplit(":", 1)[1]] += 1
        return self.lambda_runtime.invoke(self.functions[function_arn], payload)

    def invoke_function_waiting(
        self, function_arn: str, payload: bytes, wait_seconds: float
    ) -> InvokeResult | None:
        return call_with_timeout(lambda: self.invoke_function(function_arn, payload), wait_seconds)

    def user_pool_jwks(self, region: str, user_pool_id: str) -> dict[str, Any] | None:
        return self.jwks.get((region, user_pool_id))

    def usage_plan_keys(self, region: str, api_id: str, stage_name: str) -> list[UsagePlanKey]:
        return list(self.usage_keys.get((region, api_id, stage_name), []))


class TokenFactory:
    """Signs Cognito-shaped tokens with a key whose public half is the pool's JWKS."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {"keys": [{**public, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}

    def token(
        self,
        *,
        token_use: str = "id",  # noqa: S107 - a claim, not a password
        expires_in: int = 3600,
        issuer: str = ISSUER,
        other_key: bool = False,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        body = {
            "sub": "0f3c-user",
            "iss": issuer,
            "token_use": token_use,
            "iat": now,
            "exp": now + expires_in,
            "email_verified": True,
            "cognito:groups": ["readers", "writers"],
            **claims,
        }
        if token_use == "id":
            body.setdefault("aud", "client-123")
        key = self.other_key if other_key else self.key
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": KEY_ID})


def request(
    method: str,
    path: str,
    *,
    headers: list[tuple[str, str]] | None = None,
    query: list[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> HttpRequest:
    return HttpRequest(method, path, query or [], headers or [], body)
