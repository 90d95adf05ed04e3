"""What the bench invokes: the Lambda environment, API Gateway events per route, and tokens.

Events have the shape of API Gateway's REST (v1) Lambda proxy integration and of a TOKEN
authorizer request, as in production. Everything here is plain data so the parent process can
hand it to fresh interpreters as JSON.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
API_ID = "bench00001"
TABLE_NAME = "meridian-bench"
USER_POOL_ID = f"{REGION}_BenchPool1"
CLIENT_ID = "benchclient1"
# One partner key (decision 3): kid "bench/k1" is the secret <prefix>bench/k1.
PARTNER_KEY_SECRET_PREFIX = "meridian-bench/partner-keys/"  # noqa: S105 - a name, not a secret
PARTNER_KID = "bench/k1"
PARTNER_ISSUER = "meridian-partners-bench"
PARTNER_AUDIENCE = "meridian-api-bench"
FUNCTIONS = ("profiles", "transactions", "authorizer", "health")
HANDLER_MODULES = {name: f"meridian.handlers.{name}" for name in FUNCTIONS}

Event = dict[str, Any]


def new_trace_header() -> str:
    """A sampled X-Ray trace header like the one Lambda sets for each invocation."""
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=1"


def lambda_environment(
    function: str, jwks_endpoint: str, task_root: Path | None = None
) -> dict[str, str]:
    """The function's environment as Terraform sets it, plus what the Lambda runtime adds.

    ``task_root``: the function's zip extracted (``/var/task`` on Lambda). Its code is imported
    from there, as deployed, and nothing writes bytecode (``/var/task`` is read-only on Lambda:
    what the zip does not ship is compiled again at every cold start). Without it the code comes
    from ``src/`` (the warm measures).

    Tracing stays ON: POWERTOOLS_TRACE_DISABLED is removed, LAMBDA_TASK_ROOT and _X_AMZN_TRACE_ID
    make Powertools and the X-Ray SDK behave as inside Lambda (segments are created and sent by
    UDP to 127.0.0.1:2000, where no daemon listens: the datagrams are dropped, as harmless as
    intended).
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "POWERTOOLS_", "_X_AMZN", "LAMBDA_"))
    }
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(task_root or ROOT / "src"), str(ROOT)]),
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_SESSION_TOKEN": "bench",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            # The write fence (issue 12): the bench's one region takes writes.
            "WRITE_REGION": REGION,
            "AWS_LAMBDA_FUNCTION_NAME": f"meridian-bench-{function}",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "LAMBDA_TASK_ROOT": str(task_root or ROOT / "src"),
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
            "_X_AMZN_TRACE_ID": new_trace_header(),
            "TABLE_NAME": TABLE_NAME,
            "ENVIRONMENT": "bench",
            "LOG_LEVEL": "INFO",
            "POWERTOOLS_SERVICE_NAME": function,
            "POWERTOOLS_METRICS_NAMESPACE": "Meridian",
            "SESSION_TTL_SECONDS": "2592000",
            "MAX_TRANSACTION_AMOUNTS": "{}",
            "CORS_ALLOW_ORIGIN": "*",
            "COGNITO_USER_POOL_ID": USER_POOL_ID,
            "COGNITO_APP_CLIENT_IDS": CLIENT_ID,
            "PARTNER_KEY_SECRET_PREFIX": PARTNER_KEY_SECRET_PREFIX,
            "PARTNER_KEY_CACHE_SECONDS": "300",
            # The bench's tokens live a day (runs must not outlive them).
            "PARTNER_TOKEN_MAX_LIFETIME_SECONDS": "86400",
            "PARTNER_ISSUER": PARTNER_ISSUER,
            "PARTNER_AUDIENCE": PARTNER_AUDIENCE,
            "USAGE_KEY_PREFIX": "meridian-bench-usage-",
            # The transaction events publisher (issue 14): its import-and-init needs a topic ARN;
            # nothing is published at a cold start.
            "EVENTS_TOPIC_ARN": f"arn:aws:sns:{REGION}:123456789012:meridian-bench-events",
            # Only the authorizer's JWKS download goes there (a local HTTP server of the bench).
            "AWS_ENDPOINT_URL_COGNITO_IDP": jwks_endpoint,
        }
    )
    if task_root is not None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def rest_event(
    method: str,
    resource: str,
    path: str,
    *,
    authorizer: dict[str, Any] | None,
    body: Any = None,  # noqa: ANN401 - any JSON document
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
) -> Event:
    all_headers = {
        "Host": f"{API_ID}.execute-api.{REGION}.amazonaws.com",
        "Accept": "application/json",
        "User-Agent": "meridian-bench",
        "X-Forwarded-For": "198.51.100.7",
    }
    if body is not None:
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    request_id = str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": (
            {name: [value] for name, value in query.items()} if query else None
        ),
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "resourceId": "abc123",
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "198.51.100.7", "userAgent": "meridian-bench"},
            "authorizer": authorizer,
            "domainName": f"{API_ID}.execute-api.{REGION}.amazonaws.com",
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def cognito_claims(sub: str) -> dict[str, Any]:
    return {
        "claims": {
            "sub": sub,
            "token_use": "id",
            "aud": CLIENT_ID,
            "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{USER_POOL_ID}",
            "email": "bench@example.com",
        }
    }


def lambda_authorizer_context(sub: str) -> dict[str, Any]:
    # The authorizer's context contract (docs/interfaces.md): caller_kind + caller_id.
    return {
        "principalId": f"user:{sub}",
        "caller_kind": "user",
        "caller_id": sub,
        "scopes": "transactions:read transactions:write",
        "integrationLatency": 3,
    }


def authorizer_event(token: str, method: str = "GET", path: str = "transactions") -> Event:
    arn = f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/v1/{method}/{path}"
    return {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": arn}


# -- tokens for the authorizer ------------------------------------------------------------
@dataclass(frozen=True)
class TokenKit:
    """An RSA key standing in for the user pool's, and the partner HS256 secret."""

    jwks: dict[str, Any]
    cognito_token: str
    partner_token: str
    partner_secret: str


def make_token_kit() -> TokenKit:
    import jwt  # noqa: PLC0415 - only the parent needs PyJWT and cryptography here
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415

    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    jwk.update({"kid": "bench-key-1", "alg": "RS256", "use": "sig"})
    now = int(time.time())
    cognito_token = jwt.encode(
        {
            "sub": "0f1e2d3c-bench-user",
            "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{USER_POOL_ID}",
            "aud": CLIENT_ID,
            "token_use": "id",
            "iat": now,
            "exp": now + 24 * 3600,
            "email": "bench@example.com",
        },
        private_key,
        algorithm="RS256",
        headers={"kid": "bench-key-1"},
    )
    partner_secret = secrets.token_urlsafe(32)
    partner_token = jwt.encode(
        {
            "sub": PARTNER_KID.partition("/")[0],
            "iss": PARTNER_ISSUER,
            "aud": PARTNER_AUDIENCE,
            "scope": "transactions:read transactions:write",
            "iat": now,
            "exp": now + 24 * 3600,
        },
        partner_secret,
        algorithm="HS256",
        headers={"kid": PARTNER_KID},
    )
    return TokenKit({"keys": [jwk]}, cognito_token, partner_token, partner_secret)


# -- routes -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    """One route of one function: ``make(i)`` builds the i-th distinct request of a run."""

    function: str
    name: str
    # "read" | "write" | "auth" | "erasure" (budgeted as docs/data-model.md designs it)
    kind: str
    make: Callable[[int, dict[str, Any]], Event]
    expected_status: int


def _profiles(i: int, seeds: dict[str, Any]) -> Event:
    return rest_event(
        "POST",
        "/profiles",
        "/profiles",
        authorizer=cognito_claims(f"new-user-{i}"),
        body={"display_name": "Ada Lovelace", "locale": "en-GB", "marketing_opt_in": True},
    )


ROUTES: tuple[Route, ...] = (
    Route("profiles", "POST /profiles", "write", _profiles, 201),
    Route(
        "profiles",
        "GET /profiles/me",
        "read",
        lambda i, s: rest_event(
            "GET", "/profiles/me", "/profiles/me", authorizer=cognito_claims("reader")
        ),
        200,
    ),
    Route(
        "profiles",
        "PUT /profiles/me",
        "write",
        lambda i, s: rest_event(
            "PUT",
            "/profiles/me",
            "/profiles/me",
            authorizer=cognito_claims("updater"),
            body={"display_name": f"Ada {i}", "version": i + 1},
        ),
        200,
    ),
    Route(
        "profiles",
        "DELETE /profiles/me",
        "erasure",
        lambda i, s: rest_event(
            "DELETE", "/profiles/me", "/profiles/me", authorizer=cognito_claims(f"eraser-{i}")
        ),
        204,
    ),
    Route(
        "profiles",
        "GET /profiles/me/export",
        "read",
        lambda i, s: rest_event(
            "GET", "/profiles/me/export", "/profiles/me/export", authorizer=cognito_claims("reader")
        ),
        200,
    ),
    Route(
        "profiles",
        "POST /profiles/me/sessions",
        "write",
        lambda i, s: rest_event(
            "POST",
            "/profiles/me/sessions",
            "/profiles/me/sessions",
            authorizer=cognito_claims("session-writer"),
            body={"device_name": f"Pixel {i}", "platform": "android"},
        ),
        201,
    ),
    Route(
        "profiles",
        "GET /profiles/me/sessions",
        "read",
        lambda i, s: rest_event(
            "GET",
            "/profiles/me/sessions",
            "/profiles/me/sessions",
            authorizer=cognito_claims("reader"),
        ),
        200,
    ),
    Route(
        "profiles",
        "DELETE /profiles/me/sessions/{session_id}",
        "write",
        lambda i, s: rest_event(
            "DELETE",
            "/profiles/me/sessions/{session_id}",
            f"/profiles/me/sessions/{s['sessions'][i]}",
            authorizer=cognito_claims("session-deleter"),
            path_parameters={"session_id": s["sessions"][i]},
        ),
        204,
    ),
    Route(
        "transactions",
        "POST /transactions",
        "write",
        lambda i, s: rest_event(
            "POST",
            "/transactions",
            "/transactions",
            authorizer=lambda_authorizer_context("payer"),
            headers={"Idempotency-Key": f"bench-{i}"},
            body={"amount": "12.34", "currency": "EUR", "type": "debit", "reference": f"r{i}"},
        ),
        201,
    ),
    Route(
        "transactions",
        "GET /transactions",
        "read",
        lambda i, s: rest_event(
            "GET",
            "/transactions",
            "/transactions",
            authorizer=lambda_authorizer_context("reader"),
            query={"limit": "20"},
        ),
        200,
    ),
    Route(
        "transactions",
        "GET /transactions/{transaction_id}",
        "read",
        lambda i, s: rest_event(
            "GET",
            "/transactions/{transaction_id}",
            f"/transactions/{s['transaction_id']}",
            authorizer=lambda_authorizer_context("reader"),
            path_parameters={"transaction_id": s["transaction_id"]},
        ),
        200,
    ),
    Route(
        "authorizer",
        "Cognito ID token (RS256)",
        "auth",
        lambda i, s: authorizer_event(s["cognito_token"]),
        200,
    ),
    Route(
        "authorizer",
        "partner token (HS256)",
        "auth",
        lambda i, s: authorizer_event(s["partner_token"], "POST"),
        200,
    ),
    Route(
        "health",
        "GET /health",
        "read",
        lambda i, s: rest_event("GET", "/health", "/health", authorizer=None),
        200,
    ),
)

# The request each function serves first in the cold-start measure: its heaviest route (the
# write routes pull in validation).
COLD_START_ROUTES = {
    "profiles": "POST /profiles",
    "transactions": "POST /transactions",
    "authorizer": "Cognito ID token (RS256)",
    "health": "GET /health",
}


def routes_of(function: str) -> list[Route]:
    return [route for route in ROUTES if route.function == function]


def route_named(name: str) -> Route:
    return next(route for route in ROUTES if route.name == name)
