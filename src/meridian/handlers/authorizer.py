"""Lambda authorizer for /transactions: Cognito (RS256) and partner (HS256) bearer tokens.

Three outcomes, kept apart so that clients, logs and alarms see the truth (docs/security.md):
- valid token → a policy over every method of the API (Allow where the scopes permit, Deny
  elsewhere: 403), the caller (``principalId`` ``user:<sub>`` / ``partner:<name>``, context
  ``caller_kind``, ``caller_id``, ``scopes``) and the usage plan's key (``usageIdentifierKey``);
- rejected token → ``Exception("Unauthorized")``: API Gateway answers 401 (gateway response
  UNAUTHORIZED). INFO log with a reason code, metric ``TokenRejected``;
- dependency outage (JWKS, Secrets Manager) or any unexpected error → ERROR log, metric
  ``AuthorizerFailure`` and ``AuthorizerFailureError``: any error other than "Unauthorized" makes
  API Gateway answer AUTHORIZER_FAILURE (default 500; our gateway response maps it to 503
  SERVICE_UNAVAILABLE), never a 401 that would tell a client its good token is bad.
  https://docs.aws.amazon.com/apigateway/latest/developerguide/call-api-with-api-gateway-lambda-authorization.html
  https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
"""

from __future__ import annotations

import os
from typing import Any

from meridian.auth.config import AuthorizerConfig
from meridian.auth.errors import DependencyUnavailableError, TokenRejectedError
from meridian.auth.jwks import JwksCache
from meridian.auth.partner import PartnerKeyStore
from meridian.auth.policy import build_result
from meridian.auth.tokens import TokenVerifier
from meridian.config import load_at_cold_start
from meridian.observability import MetricUnit, end_of_init, logger, metrics, tracer

CONFIG = load_at_cold_start(AuthorizerConfig.from_env, os.environ)
verifier = TokenVerifier(
    CONFIG,
    JwksCache(CONFIG.jwks_url),
    PartnerKeyStore(CONFIG.partner_key_secret_prefix, CONFIG.partner_key_cache_seconds),
)


class AuthorizerFailureError(Exception):
    """Raised for outages: its message is not "Unauthorized", so API Gateway answers
    AUTHORIZER_FAILURE instead of 401."""


def bearer_token(event: dict[str, Any]) -> str:
    """The token of a TOKEN authorizer event (or the Authorization header of a REQUEST one)."""
    raw = event.get("authorizationToken")
    if raw is None:
        headers = event.get("headers") or {}
        raw = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if not isinstance(raw, str):
        return ""
    scheme, _, rest = raw.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else raw.strip()


def _failure() -> AuthorizerFailureError:
    metrics.add_metric(name="AuthorizerFailure", unit=MetricUnit.Count, value=1)
    return AuthorizerFailureError("authorizer failure")


@logger.inject_lambda_context()
# Responses hold personal data (profiles, policies): keep them out of X-Ray metadata.
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ANN401
    try:
        caller = verifier.verify(bearer_token(event))
        result = build_result(str(event.get("methodArn", "")), caller, CONFIG.usage_key_prefix)
    except TokenRejectedError as rejection:
        logger.info("token rejected", extra={"reason": rejection.reason})
        metrics.add_metric(name="TokenRejected", unit=MetricUnit.Count, value=1)
        raise Exception("Unauthorized") from None  # API Gateway answers exactly this with 401
    except DependencyUnavailableError as outage:
        logger.error(
            "authorizer dependency unavailable",
            extra={"dependency": outage.dependency, "reason": outage.reason},
        )
        raise _failure() from None
    except Exception:
        logger.exception("authorizer failure")
        raise _failure() from None
    logger.info(
        "token accepted",
        extra={"caller_kind": caller.kind, "scopes": result.scopes},
    )
    return result.as_response()


end_of_init()  # last: everything above is init (meridian.observability)
