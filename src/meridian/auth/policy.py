"""The IAM policy the authorizer returns: every method of the API listed explicitly.

API Gateway caches the policy per token, so it must cover all methods, not just the one being
called: methods whose scope the token holds are allowed, the rest denied (403).
"""

from __future__ import annotations

import re
from typing import Any

from meridian.auth.errors import TokenRejectedError
from meridian.auth.tokens import READ_SCOPE, WRITE_SCOPE, Principal

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


def build_policy(method_arn: str, principal: Principal) -> dict[str, Any]:
    match = _METHOD_ARN.fullmatch(method_arn or "")
    if match is None:
        raise TokenRejectedError("malformed_method_arn")
    base = f"{match['prefix']}:{match['api']}/{match['stage']}"
    allowed: list[str] = []
    denied: list[str] = []
    for verb, path, scope in METHODS:
        (allowed if scope in principal.scopes else denied).append(f"{base}/{verb}/{path}")
    statements: list[dict[str, Any]] = []
    if allowed:
        statements.append({"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": allowed})
    if denied:
        statements.append({"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": denied})
    return {
        "principalId": principal.sub,
        "policyDocument": {"Version": "2012-10-17", "Statement": statements},
        "context": {
            "sub": principal.sub,
            "token_type": principal.token_type,
            "scopes": " ".join(sorted(principal.scopes)),
        },
    }
