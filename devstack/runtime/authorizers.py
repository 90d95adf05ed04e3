"""Method authorization as API Gateway performs it: Cognito user pools and Lambda authorizers.

Cognito (``cognito_user_pools``): the token's RS256 signature is checked against the pool's JWKS,
its ``iss`` must name a pool of ``providerARNs`` and ``exp`` must be in the future. Without scopes
on the method, API Gateway accepts an ID or an access token and, for an ID token, does not check
``aud`` (any app client of the pool): this does the same. With scopes, only an access token whose
``scope`` holds one of them passes. Claims reach the integration as strings.

Lambda (``token`` / ``request``): the function returns an IAM policy that is evaluated against the
method ARN (explicit Deny wins, no match is a deny); the policy is cached per identity for
``authorizerResultTtlInSeconds`` (default 300, 0 disables caching) and re-evaluated per method.
Its optional ``usageIdentifierKey`` is the request's API key when the API's key source is
AUTHORIZER (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).

Failures, as API Gateway answers them: the function raising exactly "Unauthorized" is 401
(UNAUTHORIZED); any other function error, a crash or a timeout is AUTHORIZER_FAILURE (default
500); an answer that is not a valid policy is AUTHORIZER_CONFIGURATION_ERROR (500)
(https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/call-api-with-api-gateway-lambda-authorization.html).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import jwt

from devstack import timings
from devstack.runtime.contracts import Backend, InvokePermission
from devstack.runtime.gateway_responses import GatewayError

DEFAULT_RESULT_TTL_SECONDS = 300
_CACHE_PURGE_SIZE = 10_000  # expired entries are dropped once the cache grows this large
_FUNCTION_URI = re.compile(
    r"arn:aws[a-z-]*:apigateway:[^:]+:lambda:path/[0-9-]+/functions/(?P<arn>.+)/invocations"
)
_POOL_ARN = re.compile(r"arn:aws[a-z-]*:cognito-idp:(?P<region>[^:]+):[^:]*:userpool/(?P<pool>.+)")
_DATE_CLAIMS = ("exp", "iat", "auth_time")


@dataclass(frozen=True)
class LambdaDecision:
    """An allowed request: ``requestContext.authorizer`` and the authorizer's usage key."""

    authorizer: dict[str, Any]
    usage_identifier_key: str | None


def unauthorized() -> GatewayError:
    return GatewayError("UNAUTHORIZED", "Unauthorized")


def function_arn_from_uri(uri: str) -> str:
    matched = _FUNCTION_URI.fullmatch(uri)
    if matched is None:
        raise ValueError(f"not a Lambda invocation URI: {uri}")
    return matched.group("arn")


def identity_header(scheme: Mapping[str, Any], authorizer: Mapping[str, Any]) -> str:
    source = str(authorizer.get("identitySource") or "")
    prefix = "method.request.header."
    if source.startswith(prefix):
        return source[len(prefix) :].split(",", 1)[0].strip()
    return str(scheme.get("name") or "Authorization")


def _claim_string(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if name in _DATE_CLAIMS and isinstance(value, int | float):
        # API Gateway renders the numeric date claims of a Cognito token as dates.
        return datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def verify_cognito_token(
    backend: Backend,
    provider_arns: list[str],
    raw_token: str | None,
    scopes: tuple[str, ...],
    now: float,
) -> dict[str, str]:
    """The token's claims as API Gateway passes them, or GatewayError(UNAUTHORIZED)."""
    if not raw_token:
        raise unauthorized()
    token = raw_token[7:] if raw_token[:7].lower() == "bearer " else raw_token
    try:
        header, unverified = _unverified(token)
    except jwt.PyJWTError as exc:
        raise unauthorized() from exc
    if header.get("alg") != "RS256":
        raise unauthorized()
    pool = _pool_for_issuer(provider_arns, unverified.get("iss"))
    if pool is None:
        raise unauthorized()
    jwks = backend.user_pool_jwks(*pool) or {}
    jwk = next((key for key in jwks.get("keys", []) if key.get("kid") == header.get("kid")), None)
    if jwk is None:
        raise unauthorized()
    try:
        claims = dict(_verified_claims(token, json.dumps(jwk, sort_keys=True)))
    except jwt.PyJWTError as exc:
        raise unauthorized() from exc
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= now:
        raise unauthorized()
    token_use = claims.get("token_use")
    if scopes:
        granted = str(claims.get("scope", "")).split()
        is_access_token = token_use == "access"  # noqa: S105 - a claim value, not a secret
        if not is_access_token or not any(scope in granted for scope in scopes):
            raise unauthorized()
    elif token_use not in ("id", "access"):
        raise unauthorized()
    return {name: _claim_string(name, value) for name, value in claims.items()}


@lru_cache(maxsize=4096)
def _unverified(token: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The token's header and claims before any check (PyJWTError when it is not a JWT).

    Cached per token like the signature check below: parsing is a pure function of the token,
    and PyJWT's strict base64url checks (two parses per request) cost the emulator about as
    much as the rest of an authorised read. Read-only views: callers copy what they keep.
    """
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    return MappingProxyType(header), MappingProxyType(claims)


@lru_cache(maxsize=4096)
def _verified_claims(token: str, jwk_json: str) -> Mapping[str, Any]:
    """The token's claims once its RS256 signature verifies with the key (PyJWTError if not).

    Cached per (token, key): a signature check is a pure function of both, and a client sends
    the same token on every request until it expires (the check was a tenth of the emulator's
    time on authorised reads). The expiry and the scopes are checked by the caller on every
    request. A read-only view: callers copy it.
    """
    claims: dict[str, Any] = jwt.decode(
        token,
        key=_public_key(jwk_json),
        algorithms=["RS256"],
        # Expiry is checked by the caller against its clock; aud is not checked (see above).
        options={"verify_exp": False, "verify_aud": False, "verify_iat": False},
    )
    return MappingProxyType(claims)


@lru_cache(maxsize=64)
def _public_key(jwk_json: str) -> Any:  # noqa: ANN401 - a cryptography public key object
    """The JWK as a key object, built once per key (an RSA key per request was a tenth of the
    authorizer's time); keyed by the key's own JSON, so a rotated key is a new entry."""
    return jwt.PyJWK(json.loads(jwk_json), algorithm="RS256").key


def _pool_for_issuer(provider_arns: list[str], issuer: object) -> tuple[str, str] | None:
    for arn in provider_arns:
        matched = _POOL_ARN.fullmatch(str(arn))
        if matched is None:
            continue
        region, pool_id = matched.group("region"), matched.group("pool")
        if issuer == f"https://cognito-idp.{region}.amazonaws.com/{pool_id}":
            return region, pool_id
    return None


@lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    """An IAM-style pattern (``*``, ``?``) as a regex. Cached: a cached authorizer policy is
    evaluated on every request, and building the pattern char by char was ~1.5 % of the
    emulator's time on an authorised list."""
    escaped = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.compile(escaped, re.DOTALL)


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _validated_policy(response: object) -> dict[str, Any]:
    """The authorizer's output, or GatewayError(AUTHORIZER_CONFIGURATION_ERROR) if malformed."""
    bad = GatewayError("AUTHORIZER_CONFIGURATION_ERROR", None)
    if not isinstance(response, dict) or not isinstance(response.get("principalId"), str):
        raise bad
    policy = response.get("policyDocument")
    if not isinstance(policy, dict):
        raise bad
    statements = _as_list(policy.get("Statement"))
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise bad
        for key in ("Action", "Resource"):
            values = _as_list(statement.get(key))
            if not values or not all(isinstance(value, str) for value in values):
                raise bad
    context = response.get("context") or {}
    if not isinstance(context, dict) or not all(
        isinstance(value, str | int | float | bool) for value in context.values()
    ):
        raise bad  # API Gateway rejects nested objects and arrays in the context
    usage_key = response.get("usageIdentifierKey")
    if usage_key is not None and not isinstance(usage_key, str):
        raise bad
    return response


def evaluate_policy(policy: Mapping[str, Any], method_arn: str) -> str:
    """ "Allow", "Deny" (an explicit deny matched) or "" (nothing matched: an implicit deny)."""
    decision = ""
    for statement in _as_list(policy.get("Statement")):
        actions = _as_list(statement.get("Action"))
        if not any(_wildcard(action.lower()).fullmatch("execute-api:invoke") for action in actions):
            continue
        resources = _as_list(statement.get("Resource"))
        if not any(_wildcard(resource).fullmatch(method_arn) for resource in resources):
            continue
        if statement.get("Effect") == "Deny":
            return "Deny"
        decision = "Allow"
    return decision


def _context_string(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class LambdaAuthorizers:
    """Invokes Lambda authorizers and caches their policies per identity."""

    def __init__(
        self,
        backend: Backend,
        clock: Callable[[], float] = time.monotonic,
        may_invoke: InvokePermission | None = None,
    ) -> None:
        self._backend = backend
        self._may_invoke = may_invoke
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, ...], tuple[float, dict[str, Any]]] = {}

    def authorize(
        self,
        cache_scope: tuple[str, ...],
        authorizer: Mapping[str, Any],
        identity_values: list[str | None],
        event: dict[str, Any],
        source_arn: str | None = None,
    ) -> LambdaDecision:
        """``requestContext.authorizer`` and the usage key for the request, or GatewayError.

        ``identity_values`` are the configured identity sources' values (for a token authorizer,
        the token); ``event`` is the authorizer's input (its ``methodArn`` is evaluated).
        """
        ttl = int(authorizer.get("authorizerResultTtlInSeconds", DEFAULT_RESULT_TTL_SECONDS))
        caching = ttl > 0 and bool(identity_values)
        if caching and any(not value for value in identity_values):
            # With caching on, API Gateway rejects a request missing an identity source unseen.
            raise unauthorized()
        key = (*cache_scope, *(value or "" for value in identity_values))
        response: dict[str, Any] | None = None
        latency_ms = 0
        if caching:
            with self._lock:
                cached = self._cache.get(key)
                if cached is not None and cached[0] > self._clock():
                    response = cached[1]
                    timings.mark("authorizer_cached", True)
        if response is None:
            started = self._clock()
            response = self._invoke(authorizer, event, source_arn)
            latency_ms = int((self._clock() - started) * 1000)
            if caching:
                with self._lock:
                    now = self._clock()
                    if len(self._cache) >= _CACHE_PURGE_SIZE:
                        self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
                    self._cache[key] = (now + ttl, response)
        context = {
            name: _context_string(value) for name, value in (response.get("context") or {}).items()
        }
        result = {
            **context,
            "principalId": response["principalId"],
            "integrationLatency": latency_ms,
        }
        decision = evaluate_policy(response["policyDocument"], str(event["methodArn"]))
        if decision == "Deny":
            message = "User is not authorized to access this resource with an explicit deny"
            raise GatewayError("ACCESS_DENIED", message, authorizer=result)
        if decision != "Allow":
            message = "User is not authorized to access this resource"
            raise GatewayError("ACCESS_DENIED", message, authorizer=result)
        usage_key = response.get("usageIdentifierKey")
        return LambdaDecision(result, usage_key if isinstance(usage_key, str) else None)

    def _invoke(
        self, authorizer: Mapping[str, Any], event: dict[str, Any], source_arn: str | None
    ) -> dict[str, Any]:
        try:
            arn = function_arn_from_uri(str(authorizer.get("authorizerUri", "")))
        except ValueError as exc:
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", None) from exc
        if (
            self._may_invoke is not None
            and source_arn is not None
            and not self._may_invoke(arn, source_arn)
        ):
            # The authorizer's policy does not let API Gateway invoke it: a configuration error
            # (500), as API Gateway answers it
            # (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", None)
        try:
            result = self._backend.invoke_function(arn, json.dumps(event).encode())
        except Exception as exc:
            raise GatewayError("AUTHORIZER_FAILURE", None) from exc
        if result.function_error:
            try:
                error = json.loads(result.payload)
            except ValueError:
                error = {}
            if isinstance(error, dict) and error.get("errorMessage") == "Unauthorized":
                raise unauthorized()
            raise GatewayError("AUTHORIZER_FAILURE", None)
        try:
            response = json.loads(result.payload)
        except ValueError as exc:
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", None) from exc
        return _validated_policy(response)
