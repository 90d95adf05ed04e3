"""Whether API Gateway may invoke a function: the function's resource-based policy.

``aws_lambda_permission`` adds a statement with principal ``apigateway.amazonaws.com``, action
``lambda:InvokeFunction`` and, with ``source_arn``, a condition ``ArnLike AWS:SourceArn``. API
Gateway calls a function as that service principal with the ``aws:SourceArn`` of the method
(``arn:aws:execute-api:<region>:<acct>:<api>/<stage>/<METHOD>/<path>``) or of the authorizer
(``arn:aws:execute-api:<region>:<acct>:<api>/authorizers/<authorizer id>``)
(https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway.html#apigateway-permissions,
https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html). Without an
allowing statement the invocation fails: API Gateway answers 500 "Internal server error" for an
integration and AUTHORIZER_CONFIGURATION_ERROR (500) for an authorizer, logging "Invalid
permissions on Lambda function"
(https://repost.aws/knowledge-center/api-gateway-internal-server-error).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache

from devstack.iam.policy import AuthzRequest, Decision, Policy, Principal, evaluate

LOGGER = logging.getLogger("devstack.iam")
API_GATEWAY = "apigateway.amazonaws.com"

# function ARN (unqualified) -> its resource policy document (JSON), or None when it has none.
PolicyLookup = Callable[[str], str | None]


class InvokePermissions:
    def __init__(self, policy_of: PolicyLookup) -> None:
        self._policy_of = policy_of

    def api_gateway_may_invoke(self, function_arn: str, source_arn: str) -> bool:
        document = self._policy_of(function_arn)
        decision = (
            _decision(function_arn, document, source_arn) if document else Decision.IMPLICIT_DENY
        )
        if decision is not Decision.ALLOW:
            LOGGER.warning(
                "Lambda permission: %s may not invoke %s from %s (%s): "
                "Invalid permissions on Lambda function",
                API_GATEWAY,
                function_arn,
                source_arn,
                decision.value,
            )
            return False
        return True


@lru_cache(maxsize=4096)
def _decision(function_arn: str, document: str, source_arn: str) -> Decision:
    """The policy's decision for API Gateway calling from ``source_arn``. It depends on nothing
    else (the request's context is the source ARN and its account), so it is evaluated once per
    (function, policy text, source ARN): evaluating on every request cost about as much as
    reading the policy (35 µs of 75 per stage request, measured on the 2-core dev machine)."""
    account = source_arn.split(":")[4] if source_arn.count(":") >= 5 else ""
    request = AuthzRequest(
        "lambda:InvokeFunction",
        function_arn,
        Principal(service=API_GATEWAY, account=account),
        context={"aws:SourceArn": [source_arn], "aws:SourceAccount": [account]},
    )
    return evaluate(request, [], _parsed(function_arn, document))


@lru_cache(maxsize=1024)
def _parsed(function_arn: str, document: str) -> Policy:
    """Parsed once per (function, policy text), not per request: a changed policy is new text."""
    return Policy.parse(function_arn, document)
