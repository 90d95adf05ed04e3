"""The IAM policy evaluator against the rules AWS documents (devstack/iam/policy.py)."""

from __future__ import annotations

import json

import pytest

from devstack.iam.policy import (
    AuthzRequest,
    Decision,
    Policy,
    Principal,
    action_matches,
    arn_matches,
    denial_message,
    evaluate,
)

ACCOUNT = "123456789012"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/meridian-local"
ROLE = Principal(
    arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/meridian-profiles-us-east-1/meridian-profiles",
    account=ACCOUNT,
    role_arn=f"arn:aws:iam::{ACCOUNT}:role/meridian-profiles-us-east-1",
)


def request(action: str, resource: str, **context: list[str]) -> AuthzRequest:
    return AuthzRequest(action, resource, ROLE, context=context)


def policy(*statements: dict[str, object]) -> Policy:
    return Policy.parse("p", json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))


def test_no_statement_is_an_implicit_deny() -> None:
    assert evaluate(request("dynamodb:GetItem", TABLE), []) is Decision.IMPLICIT_DENY


def test_allow_on_exact_action_and_resource() -> None:
    allow = policy({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": TABLE})
    assert evaluate(request("dynamodb:GetItem", TABLE), [allow]) is Decision.ALLOW
    assert evaluate(request("dynamodb:PutItem", TABLE), [allow]) is Decision.IMPLICIT_DENY
    assert evaluate(request("dynamodb:GetItem", TABLE + "2"), [allow]) is Decision.IMPLICIT_DENY


def test_explicit_deny_wins_over_allow_in_another_policy() -> None:
    allow = policy({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
    deny = policy({"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": TABLE})
    assert evaluate(request("dynamodb:DeleteItem", TABLE), [allow, deny]) is Decision.EXPLICIT_DENY
    assert evaluate(request("dynamodb:GetItem", TABLE), [allow, deny]) is Decision.ALLOW


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("dynamodb:*", "dynamodb:GetItem", True),
        ("DynamoDB:getitem", "dynamodb:GetItem", True),  # actions are case-insensitive
        ("dynamodb:Get*", "dynamodb:GetItem", True),
        ("dynamodb:Get?tem", "dynamodb:GetItem", True),
        ("dynamodb:Put*", "dynamodb:GetItem", False),
        ("*", "kms:Decrypt", True),
    ],
)
def test_action_wildcards(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "arn", "expected"),
    [
        ("*", TABLE, True),
        (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/*", TABLE, True),
        (f"arn:aws:dynamodb:*:{ACCOUNT}:table/meridian-local", TABLE, True),
        (f"arn:aws:dynamodb:us-west-2:{ACCOUNT}:table/*", TABLE, False),
        (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Meridian-local", TABLE, False),  # case
        # a * inside a segment does not cross a colon...
        ("arn:aws:dynamodb:us-*-1:table/x", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/x", False),
        # ...one that ends a segment may
        ("arn:aws:dynamodb:*", TABLE, True),
        # Secrets Manager's random suffix after the name
        (
            f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:meridian-local/partner-keys/*",
            f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:meridian-local/partner-keys/acme/k1-AbCdEf",
            True,
        ),
        ("arn:aws:s3:::bucket/?", "arn:aws:s3:::bucket/a", True),
        ("arn:aws:s3:::bucket/?", "arn:aws:s3:::bucket/ab", False),
    ],
)
def test_resource_wildcards(pattern: str, arn: str, expected: bool) -> None:
    assert arn_matches(pattern, arn) is expected


def test_not_action_and_not_resource() -> None:
    everything_but_delete = policy(
        {"Effect": "Allow", "NotAction": "dynamodb:DeleteItem", "Resource": TABLE}
    )
    assert evaluate(request("dynamodb:GetItem", TABLE), [everything_but_delete]) is Decision.ALLOW
    assert (
        evaluate(request("dynamodb:DeleteItem", TABLE), [everything_but_delete])
        is Decision.IMPLICIT_DENY
    )
    not_table = policy({"Effect": "Deny", "Action": "*", "NotResource": TABLE})
    allow_all = policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert evaluate(request("dynamodb:GetItem", TABLE), [allow_all, not_table]) is Decision.ALLOW
    assert (
        evaluate(request("dynamodb:GetItem", TABLE + "x"), [allow_all, not_table])
        is Decision.EXPLICIT_DENY
    )


KMS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/mrk-1"
VIA_DYNAMODB = policy(
    {
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": KMS_KEY,
        "Condition": {"StringEquals": {"kms:ViaService": "dynamodb.us-east-1.amazonaws.com"}},
    }
)


def test_condition_key_absent_is_false_for_a_positive_operator() -> None:
    # The stack's KMS statements: a function calling KMS directly has no kms:ViaService.
    assert evaluate(request("kms:Decrypt", KMS_KEY), [VIA_DYNAMODB]) is Decision.IMPLICIT_DENY


def test_condition_values_and_key_names() -> None:
    ok = request("kms:Decrypt", KMS_KEY, **{"KMS:viaService": ["dynamodb.us-east-1.amazonaws.com"]})
    other = request("kms:Decrypt", KMS_KEY, **{"kms:ViaService": ["s3.us-east-1.amazonaws.com"]})
    assert evaluate(ok, [VIA_DYNAMODB]) is Decision.ALLOW
    assert evaluate(other, [VIA_DYNAMODB]) is Decision.IMPLICIT_DENY


def test_negated_if_exists_and_null_operators() -> None:
    deny_other_region = policy(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}},
        },
    )
    inside = request("dynamodb:GetItem", TABLE, **{"aws:RequestedRegion": ["us-west-2"]})
    outside = request("dynamodb:GetItem", TABLE, **{"aws:RequestedRegion": ["eu-west-1"]})
    absent = request("dynamodb:GetItem", TABLE)
    assert evaluate(inside, [deny_other_region]) is Decision.ALLOW
    assert evaluate(outside, [deny_other_region]) is Decision.EXPLICIT_DENY
    # a negated operator on an absent key is true
    assert evaluate(absent, [deny_other_region]) is Decision.EXPLICIT_DENY
    if_exists = policy(
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}},
        }
    )
    assert evaluate(absent, [if_exists]) is Decision.ALLOW
    assert evaluate(outside, [if_exists]) is Decision.IMPLICIT_DENY
    null_check = policy(
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Null": {"kms:ViaService": "true"}},
        }
    )
    assert evaluate(absent, [null_check]) is Decision.ALLOW


def test_unmodelled_operator_makes_the_statement_not_apply() -> None:
    numeric = policy(
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
        }
    )
    assert evaluate(request("dynamodb:GetItem", TABLE), [numeric]) is Decision.IMPLICIT_DENY


def test_resource_policy_principal_and_source_arn() -> None:
    # What aws_lambda_permission writes: principal apigateway, ArnLike AWS:SourceArn.
    lambda_policy = policy(
        {
            "Sid": "AllowApiGatewayInvoke",
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f",
            "Condition": {
                "ArnLike": {"AWS:SourceArn": f"arn:aws:execute-api:us-east-1:{ACCOUNT}:abc/v1/*"}
            },
        }
    )
    gateway = Principal(service="apigateway.amazonaws.com", account=ACCOUNT)
    function = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"

    def invoke(source_arn: str, who: Principal = gateway) -> Decision:
        authz = AuthzRequest(
            "lambda:InvokeFunction", function, who, context={"aws:SourceArn": [source_arn]}
        )
        return evaluate(authz, [], lambda_policy)

    assert invoke(f"arn:aws:execute-api:us-east-1:{ACCOUNT}:abc/v1/GET/health") is Decision.ALLOW
    assert (
        invoke(f"arn:aws:execute-api:us-east-1:{ACCOUNT}:abc/v2/GET/health")
        is Decision.IMPLICIT_DENY
    )
    assert (
        invoke(f"arn:aws:execute-api:us-east-1:{ACCOUNT}:xyz/v1/GET/health")
        is Decision.IMPLICIT_DENY
    )
    other_service = Principal(service="events.amazonaws.com", account=ACCOUNT)
    assert (
        invoke(f"arn:aws:execute-api:us-east-1:{ACCOUNT}:abc/v1/GET/health", other_service)
        is Decision.IMPLICIT_DENY
    )


def test_denial_message_is_aws_format() -> None:
    authz = request("dynamodb:PutItem", TABLE)
    assert denial_message(authz, Decision.IMPLICIT_DENY) == (
        f"User: {ROLE.arn} is not authorized to perform: dynamodb:PutItem on resource: {TABLE} "
        "because no identity-based policy allows the dynamodb:PutItem action"
    )
    assert denial_message(authz, Decision.EXPLICIT_DENY).endswith(
        "with an explicit deny in an identity-based policy"
    )


def test_resource_policy_naming_the_account_delegates_to_identity_policies() -> None:
    account_statement = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
    )
    role_statement = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ROLE.role_arn},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
    )
    authz = request("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:1:secret:s")
    assert evaluate(authz, [], account_statement) is Decision.IMPLICIT_DENY
    assert evaluate(authz, [], role_statement) is Decision.ALLOW
    deny = policy(
        {
            "Effect": "Deny",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "*",
            "Resource": "*",
        }
    )
    allow = policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert evaluate(authz, [allow], deny) is Decision.EXPLICIT_DENY
