"""The caller's identity, taken only from what the API Gateway authorizer verified."""

from __future__ import annotations

from typing import Any

from meridian import errors


class MissingIdentityError(errors.MeridianError):
    # Reaching a function without an authorizer result is a deployment fault, never the caller's.
    status = 401
    code = "UNAUTHORIZED"


def cognito_sub(event: dict[str, Any]) -> str:
    """``requestContext.authorizer.claims.sub`` (COGNITO_USER_POOLS authorizer)."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    sub = (authorizer.get("claims") or {}).get("sub")
    if not isinstance(sub, str) or not sub:
        raise MissingIdentityError("the request carries no verified identity")
    return sub


def lambda_authorizer_sub(event: dict[str, Any]) -> str:
    """``requestContext.authorizer.principalId`` (or its context ``sub``) of our authorizer."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    sub = authorizer.get("principalId") or authorizer.get("sub")
    if not isinstance(sub, str) or not sub:
        raise MissingIdentityError("the request carries no verified identity")
    return sub
