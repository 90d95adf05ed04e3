"""Authorises every AWS API call signed with a function's role credentials, before it is served.

``IamEnforcer.check(request)`` answers None (go on) or the error AWS sends:

* The request is not signed with a key from :class:`RoleSessions` (Terraform's ``test``
  credentials, the tests' own clients): not enforced, as the deployer's calls are not modelled.
* The session has expired: ``ExpiredTokenException`` (400).
* Otherwise each (action, resource) the request needs (``devstack.iam.actions``) is evaluated
  against the role's identity policies (inline and attached managed) and, for Secrets Manager, the
  secret's resource policy (``devstack.iam.policy``). The first denial is answered in the
  service's protocol with AWS's message: JSON protocols ``AccessDeniedException`` (400), query
  protocols ``AccessDenied`` (403), X-Ray ``AccessDeniedException`` (403)
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
  Every denial is logged (``devstack.iam``) with the principal, action and resource.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import parse_qsl

from devstack.iam.actions import (
    ALWAYS_ALLOWED,
    ApiCall,
    NotModelledError,
    Resolver,
    needed_permissions,
    operation_of,
)
from devstack.iam.credentials import RoleSession, RoleSessions
from devstack.iam.policy import AuthzRequest, Decision, Policy, Principal, denial_message, evaluate
from devstack.wsgi import AwsRequest, Response

LOGGER = logging.getLogger("devstack.iam")
_ACCESS_KEY = re.compile(r"Credential=(?P<key>[^/,\s]+)/")
_JSON_PROTOCOLS = {"dynamodb", "secretsmanager", "kms", "logs"}
# AWS's own __type for DynamoDB's denial; the other JSON services answer the bare code.
_JSON_ERROR_TYPES = {"dynamodb": "com.amazon.coral.service#AccessDeniedException"}


class PolicySource(Protocol):
    """The role's policies and resource policies, as the emulator holds them now."""

    def identity_policies(self, role_arn: str) -> Sequence[Policy]: ...

    def resource_policy(self, service: str, region: str, resource_arn: str) -> Policy | None: ...


class IamEnforcer:
    def __init__(self, sessions: RoleSessions, policies: PolicySource, resolver: Resolver) -> None:
        self._sessions = sessions
        self._policies = policies
        self._resolver = resolver

    def check(self, request: AwsRequest) -> Response | None:  # noqa: PLR0911 - one per outcome
        matched = _ACCESS_KEY.search(request.headers.get("authorization", ""))
        if matched is None or request.service is None:
            return None
        session = self._sessions.session_of(matched.group("key"))
        if session is None:
            return None  # not a function's credentials: the deployer's calls are not enforced
        if self._sessions.expired(session):
            return _error(
                request.service,
                400,
                "ExpiredTokenException",
                "The security token included in the request is expired",
            )
        operation = operation_of(
            request.service, request.method, request.path, request.target, request.body
        )
        if (request.service, operation) in ALWAYS_ALLOWED:
            return None
        call = ApiCall(
            service=request.service,
            region=request.region or "us-east-1",
            account=session.account,
            operation=operation,
            method=request.method,
            path=request.path,
            # Query-protocol services (SNS, CloudWatch) send form fields, not JSON.
            body=request.json() or dict(parse_qsl(request.body.decode("utf-8", "replace"))),
        )
        principal = Principal(
            arn=session.session_arn, account=session.account, role_arn=session.role_arn
        )
        try:
            needed = needed_permissions(call, self._resolver)
        except NotModelledError as error:
            action = f"{request.service}:{operation or '?'}"
            LOGGER.warning(
                "IAM: %s called %s, which the devstack does not map to an IAM action: denied "
                "(add a row to devstack/iam/actions.py)",
                session.session_arn,
                error,
            )
            return self._deny(
                request.service, AuthzRequest(action, "*", principal), Decision.IMPLICIT_DENY
            )
        identity = self._policies.identity_policies(session.role_arn)
        for permission in needed:
            authz = AuthzRequest(
                permission.action,
                permission.resource,
                principal,
                context=_context(session, call.region),
            )
            resource_policy = (
                self._policies.resource_policy(call.service, call.region, permission.resource)
                if permission.resource != "*"
                else None
            )
            decision = evaluate(authz, identity, resource_policy)
            if decision is not Decision.ALLOW:
                return self._deny(request.service, authz, decision)
        return None

    @staticmethod
    def _deny(service: str, authz: AuthzRequest, decision: Decision) -> Response:
        message = denial_message(authz, decision)
        LOGGER.warning("IAM AccessDenied: %s", message)
        if service in _JSON_PROTOCOLS:
            return _error(
                service, 400, _JSON_ERROR_TYPES.get(service, "AccessDeniedException"), message
            )
        if service == "xray":
            return _error(service, 403, "AccessDeniedException", message)
        return _query_error(403, "AccessDenied", message)


def _context(session: RoleSession, region: str) -> dict[str, list[str]]:
    """The global condition keys of a role session's request (kms:ViaService is absent: the
    function calls the service itself)
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)."""
    return {
        "aws:PrincipalArn": [session.role_arn],
        "aws:PrincipalAccount": [session.account],
        "aws:PrincipalType": ["AssumedRole"],
        "aws:RequestedRegion": [region],
        "aws:SecureTransport": ["false"],
    }


def _error(service: str, status: int, error_type: str, message: str) -> Response:
    content_type = (
        "application/x-amz-json-1.0" if service == "dynamodb" else "application/x-amz-json-1.1"
    )
    if service == "xray":
        content_type = "application/json"
    body = {"__type": error_type, "message": message}
    if service == "dynamodb":
        body = {"__type": error_type, "Message": message}
    short = error_type.rpartition("#")[2]
    return Response(
        status,
        [("Content-Type", content_type), ("x-amzn-ErrorType", short)],
        json.dumps(body).encode(),
    )


def _query_error(status: int, code: str, message: str) -> Response:
    escaped = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = (
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{code}</Code><Message>{escaped}</Message></Error>"
        "<RequestId>devstack</RequestId></ErrorResponse>"
    )
    return Response(status, [("Content-Type", "text/xml")], body.encode())
