"""The caller's identity, taken only from what the API Gateway authorizer verified.

Two kinds of caller exist and they live in separate namespaces (the repository gives each kind
its own partition prefix, ``USER#`` or ``PARTNER#``): a partner can never address an app user's
data, nor a user a partner's, even when the two ids are the same string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from meridian import errors

CallerKind = Literal["user", "partner"]
CALLER_KINDS: tuple[str, ...] = get_args(CallerKind)


class MissingIdentityError(errors.MeridianError):
    # Reaching a function without an authorizer result is a deployment fault, never the caller's.
    status = 401
    code = "UNAUTHORIZED"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: an app user (Cognito ``sub``) or a partner (its configured name)."""

    kind: CallerKind
    id: str

    def __post_init__(self) -> None:
        if self.kind not in CALLER_KINDS or not self.id:
            raise MissingIdentityError("the request carries no verified identity")

    @classmethod
    def user(cls, sub: str) -> Caller:
        return cls("user", sub)

    @classmethod
    def partner(cls, name: str) -> Caller:
        return cls("partner", name)


def _authorizer(event: dict[str, Any]) -> dict[str, Any]:
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    return authorizer if isinstance(authorizer, dict) else {}


def cognito_caller(event: dict[str, Any]) -> Caller:
    """``requestContext.authorizer.claims.sub`` (COGNITO_USER_POOLS authorizer): always a user."""
    sub = (_authorizer(event).get("claims") or {}).get("sub")
    if not isinstance(sub, str) or not sub:
        raise MissingIdentityError("the request carries no verified identity")
    return Caller.user(sub)


def lambda_authorizer_caller(event: dict[str, Any]) -> Caller:
    """The ``context`` our Lambda authorizer returned: ``caller_kind`` and ``caller_id``.

    API Gateway copies the authorizer's context keys into ``requestContext.authorizer``. Only
    those two keys name the caller; ``principalId`` is for the access log, never parsed here.
    """
    authorizer = _authorizer(event)
    kind, caller_id = authorizer.get("caller_kind"), authorizer.get("caller_id")
    if kind not in CALLER_KINDS or not isinstance(caller_id, str) or not caller_id:
        raise MissingIdentityError("the request carries no verified identity")
    return Caller(kind, caller_id)
