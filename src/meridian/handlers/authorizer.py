"""Lambda authorizer for /transactions: Cognito (RS256) and partner (HS256) bearer tokens.

Invalid token → ``Exception("Unauthorized")`` (API Gateway's 401). Valid token → a policy over
every method of the API (Allow where the scopes permit, Deny elsewhere: 403).
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from meridian.auth.errors import TokenRejectedError
from meridian.auth.jwks import JwksCache
from meridian.auth.partner import PartnerKeyCache
from meridian.auth.policy import build_policy
from meridian.auth.tokens import TokenVerifier
from meridian.config import AuthorizerConfig, load_at_cold_start
from meridian.observability import logger, metrics, tracer

CONFIG = load_at_cold_start(AuthorizerConfig.from_env, os.environ)
verifier = TokenVerifier(
    CONFIG,
    JwksCache(CONFIG.jwks_url),
    PartnerKeyCache(CONFIG.partner_secret_arn, CONFIG.partner_secret_ttl_seconds),
)


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


@logger.inject_lambda_context
# Responses hold personal data (profiles, policies): keep them out of X-Ray metadata.
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ANN401
    try:
        principal = verifier.verify(bearer_token(event))
        policy = build_policy(str(event.get("methodArn", "")), principal)
    except TokenRejectedError as rejection:
        logger.info("token rejected", extra={"reason": rejection.reason})
        metrics.add_metric(name="TokenRejected", unit=MetricUnit.Count, value=1)
        raise Exception("Unauthorized") from None
    except Exception:
        # Fail closed: whatever broke, the caller is not let in (and never sees a 500).
        logger.exception("authorizer failure")
        raise Exception("Unauthorized") from None
    logger.info(
        "token accepted",
        extra={"token_type": principal.token_type, "scopes": policy["context"]["scopes"]},
    )
    return policy
