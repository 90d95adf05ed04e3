"""IAM is enforced: a function without a permission fails as on AWS, and API Gateway may only
invoke a function its resource policy lets it.

Devstack-only: each case changes a deployed role policy or Lambda permission through the AWS API
(PutRolePolicy / RemovePermission, the calls Terraform makes) and restores it exactly, which on a
shared AWS account would disturb other traffic. The same faults on AWS give the same answers:
AccessDeniedException in the function's log and the app's 500 body; 500 "Internal server error"
from API Gateway for a function it may not invoke
(https://repost.aws/knowledge-center/api-gateway-internal-server-error).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from e2e_support import aws
from e2e_support.api import Api, expect_error, expect_status
from e2e_support.partner import Partner
from e2e_support.target import Target
from e2e_support.users import User

pytestmark = pytest.mark.devstack_only


@pytest.fixture(autouse=True)
def _devstack_only(target: Target) -> None:
    if not target.is_devstack:
        pytest.skip("changes deployed IAM policies and Lambda permissions (devstack only)")


def _function(target: Target, suffix: str) -> dict[str, Any]:
    """The primary region's function whose name ends with ``-<suffix>``."""
    lambda_client = aws.client(target, "lambda")
    for page in lambda_client.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            if function["FunctionName"].endswith(f"-{suffix}"):
                return dict(lambda_client.get_function_configuration(
                    FunctionName=function["FunctionName"]
                ))  # fmt: skip
    raise LookupError(f"no function *-{suffix} in {target.primary_region}")


@contextmanager
def _without_action(target: Target, role_arn: str, action: str) -> Iterator[None]:
    """The role's inline policies with ``action`` dropped from every statement, then restored."""
    iam = aws.client(target, "iam")
    role_name = role_arn.rsplit("/", 1)[1]
    originals: dict[str, str] = {}
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        originals[name] = document if isinstance(document, str) else json.dumps(document)
    assert originals, f"{role_name} has no inline policy"
    try:
        for name, text in originals.items():
            document = json.loads(text)
            for statement in document["Statement"]:
                actions = statement.get("Action")
                if isinstance(actions, list):
                    statement["Action"] = [a for a in actions if a != action]
                elif actions == action:
                    statement["Action"] = []
            iam.put_role_policy(
                RoleName=role_name, PolicyName=name, PolicyDocument=json.dumps(document)
            )
        yield
    finally:
        for name, text in originals.items():
            iam.put_role_policy(RoleName=role_name, PolicyName=name, PolicyDocument=text)


def _log_text(target: Target, log_group: str, since_ms: int) -> str:
    logs = aws.client(target, "logs")
    events: list[str] = []
    kwargs: dict[str, Any] = {"logGroupName": log_group, "startTime": since_ms}
    while True:
        page = logs.filter_log_events(**kwargs)
        events.extend(event["message"] for event in page.get("events", []))
        if not page.get("nextToken"):
            return "\n".join(events)
        kwargs["nextToken"] = page["nextToken"]


def test_role_without_put_item_fails_the_route_with_access_denied_in_the_log(
    target: Target, api: Api, user: User
) -> None:
    profiles = _function(target, "profiles")
    log_group = profiles["LoggingConfig"]["LogGroup"]
    since_ms = int(time.time() * 1000) - 1000
    with _without_action(target, profiles["Role"], "dynamodb:PutItem"):
        failed = api.post("/profiles", token=user.id_token, json_body={"display_name": "Iam"})
        # The app's own answer to an unexpected dependency error: 500 with its error body.
        expect_error(failed, 500, "INTERNAL_ERROR")
        # Reads are still allowed: the role lost PutItem only.
        expect_error(api.get("/profiles/me", token=user.id_token), 404)
    log = _log_text(target, log_group, since_ms)
    assert "AccessDeniedException" in log
    assert "is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:" in log
    assert "because no identity-based policy allows the dynamodb:PutItem action" in log
    # Restored: the same request succeeds, and the denied one wrote nothing before it.
    expect_status(
        api.post("/profiles", token=user.id_token, json_body={"display_name": "Iam"}), 201
    )


@contextmanager
def _without_api_gateway_permission(target: Target, function_name: str) -> Iterator[None]:
    """The function's API Gateway permission removed, then added back exactly as it was."""
    lambda_client = aws.client(target, "lambda")
    policy = json.loads(lambda_client.get_policy(FunctionName=function_name)["Policy"])
    statements = [
        s
        for s in policy["Statement"]
        if s.get("Principal", {}).get("Service") == "apigateway.amazonaws.com"
    ]
    assert statements, f"{function_name} has no API Gateway permission"
    for statement in statements:
        lambda_client.remove_permission(FunctionName=function_name, StatementId=statement["Sid"])
    try:
        yield
    finally:
        for statement in statements:
            source_arn = statement.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn")
            extra = {"SourceArn": source_arn} if source_arn else {}
            lambda_client.add_permission(
                FunctionName=function_name,
                StatementId=statement["Sid"],
                Action="lambda:InvokeFunction",
                Principal="apigateway.amazonaws.com",
                **extra,
            )


def test_function_without_api_gateway_permission_gives_500(target: Target, api: Api) -> None:
    health = _function(target, "health")
    expect_status(api.get("/health"), 200)
    with _without_api_gateway_permission(target, health["FunctionName"]):
        expect_error(api.get("/health"), 500, "INTERNAL_ERROR")
    expect_status(api.get("/health"), 200)


def test_authorizer_without_permission_is_a_configuration_error(
    target: Target, api: Api, partner: Partner
) -> None:
    authorizer = _function(target, "authorizer")
    # A token never seen before (its own lifetime): no cached authorizer answer applies to it.
    token = partner.token(lifetime=500 + time.time_ns() % 97)
    with _without_api_gateway_permission(target, authorizer["FunctionName"]):
        expect_error(api.get("/transactions", token=token), 500, "INTERNAL_ERROR")
    fresh = partner.token(lifetime=400 + time.time_ns() % 89)
    expect_status(api.get("/transactions", token=fresh), 200)
