"""What the authorizer returns to API Gateway: a policy over every method, the caller, a usage key.

API Gateway caches the result per token, so the policy must cover all methods, not just the one
being called: methods whose scope the caller holds are allowed, the rest denied (403).

Output shape (principalId, policyDocument, context, usageIdentifierKey):
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
"If the API uses a usage plan (the apiKeySource is set to AUTHORIZER), the Lambda authorizer
function must return one of the usage plan's API keys as the usageIdentifierKey property value."
Context values must be strings, numbers or booleans (no objects), hence the flat context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from meridian.auth.errors import TokenRejectedError
from meridian.auth.tokens import READ_SCOPE, WRITE_SCOPE, VerifiedCaller

# (verb, resource path, scope it needs)
METHODS = (
    ("GET", "transactions", READ_SCOPE),
    ("GET", "transactions/*", READ_SCOPE),
    ("POST", "transactions", WRITE_SCOPE),
)
_METHOD_ARN = re.compile(
    r"^(?P<prefix>arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}):"
    r"(?P<api>[A-Za-z0-9]+)/(?P<stage>[A-Za-z0-9_-]+)/[A-Z*]+(/.*)?$"
)


def usage_identifier_key(prefix: str, caller: VerifiedCaller) -> str:
    """The API key value of the caller's usage plan (decision 4): identical in every region."""
    if caller.kind == "partner":
        return f"{prefix}partner-{caller.id}"
    return f"{prefix}app-users"


@dataclass(frozen=True)
class AuthorizerResult:
    caller: VerifiedCaller
    allowed: tuple[str, ...]
    denied: tuple[str, ...]
    usage_identifier_key: str

    @property
    def principal_id(self) -> str:
        return f"{self.caller.kind}:{self.caller.id}"

    @property
    def scopes(self) -> str:
        return " ".join(sorted(self.caller.scopes))

    def as_response(self) -> dict[str, Any]:
        """The JSON API Gateway expects from a Lambda authorizer."""
        statements: list[dict[str, Any]] = []
        if self.allowed:
            statements.append(
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": list(self.allowed)}
            )
        if self.denied:
            statements.append(
                {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": list(self.denied)}
            )
        return {
            "principalId": self.principal_id,
            "policyDocument": {"Version": "2012-10-17", "Statement": statements},
            "context": {
                "caller_kind": self.caller.kind,
                "caller_id": self.caller.id,
                "scopes": self.scopes,
            },
            "usageIdentifierKey": self.usage_identifier_key,
        }


def build_result(
    method_arn: str, caller: VerifiedCaller, usage_key_prefix: str
) -> AuthorizerResult:
    match = _METHOD_ARN.fullmatch(method_arn or "")
    if match is None:
        raise TokenRejectedError("malformed_method_arn")
    base = f"{match['prefix']}:{match['api']}/{match['stage']}"
    allowed: list[str] = []
    denied: list[str] = []
    for verb, path, scope in METHODS:
        (allowed if scope in caller.scopes else denied).append(f"{base}/{verb}/{path}")
    return AuthorizerResult(
        caller=caller,
        allowed=tuple(allowed),
        denied=tuple(denied),
        usage_identifier_key=usage_identifier_key(usage_key_prefix, caller),
    )
