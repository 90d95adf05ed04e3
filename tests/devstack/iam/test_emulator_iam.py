"""The emulator authorises calls signed with a role session against the role's policies."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from devstack.iam.credentials import RoleSession
from devstack.server import DevstackApp

ACCOUNT = "123456789012"
REGION = "us-east-1"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def client(app: DevstackApp, service: str, session: RoleSession | None = None) -> Any:
    keys = (
        {
            "aws_access_key_id": session.access_key_id,
            "aws_secret_access_key": session.secret_access_key,
            "aws_session_token": session.session_token,
        }
        if session
        else {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    )
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=f"http://127.0.0.1:{app.port}",
        config=Config(retries={"max_attempts": 1}),
        **keys,
    )


def statement(actions: list[str], resources: list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def put_policy(app: DevstackApp, role: str, *statements: dict[str, Any]) -> None:
    client(app, "iam").put_role_policy(
        RoleName=role,
        PolicyName="inline",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}),
    )


@pytest.fixture
def role(iam_app: DevstackApp) -> tuple[str, str]:
    name = f"fn-{uuid.uuid4().hex[:8]}"
    arn = client(iam_app, "iam").create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"][
        "Arn"
    ]
    return name, arn


def make_table(app: DevstackApp) -> str:
    name = f"t-{uuid.uuid4().hex[:8]}"
    client(app, "dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def test_role_session_is_the_function_assumed_role(
    iam_app: DevstackApp, role: tuple[str, str]
) -> None:
    _, role_arn = role
    session = iam_app.role_sessions.for_function(role_arn, "meridian-profiles")
    assert session.access_key_id.startswith("ASIA")
    assert session.session_arn == (
        f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_arn.split('/')[-1]}/meridian-profiles"
    )
    # cached: the same session until it nears expiry
    assert iam_app.role_sessions.for_function(role_arn, "meridian-profiles") == session
    identity = client(iam_app, "sts", session).get_caller_identity()
    assert identity["Arn"] == session.session_arn


def test_dynamodb_calls_are_authorised_against_the_role(
    iam_app: DevstackApp, role: tuple[str, str]
) -> None:
    role_name, role_arn = role
    allowed_table, other_table = make_table(iam_app), make_table(iam_app)
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{allowed_table}"
    put_policy(iam_app, role_name, statement(["dynamodb:GetItem"], [table_arn]))
    session = iam_app.role_sessions.for_function(role_arn, "fn")
    dynamodb = client(iam_app, "dynamodb", session)
    key = {"pk": {"S": "a"}}

    dynamodb.get_item(TableName=allowed_table, Key=key)  # allowed
    with pytest.raises(ClientError) as denied:
        dynamodb.put_item(TableName=allowed_table, Item=key)
    error = denied.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        f"User: {session.session_arn} is not authorized to perform: dynamodb:PutItem on "
        f"resource: {table_arn} because no identity-based policy allows the dynamodb:PutItem action"
    )
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError, match="AccessDeniedException"):
        dynamodb.get_item(TableName=other_table, Key=key)
    # nothing was written by the denied call
    assert "Item" not in client(iam_app, "dynamodb").get_item(TableName=allowed_table, Key=key)

    # the policy is read at call time: granting PutItem takes effect on the next call
    put_policy(iam_app, role_name, statement(["dynamodb:GetItem", "dynamodb:PutItem"], [table_arn]))
    dynamodb.put_item(TableName=allowed_table, Item=key)
    # the deployer's credentials are not enforced
    client(iam_app, "dynamodb").put_item(TableName=other_table, Item=key)


def test_transact_write_needs_each_item_action(iam_app: DevstackApp, role: tuple[str, str]) -> None:
    role_name, role_arn = role
    table = make_table(iam_app)
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}"
    put_policy(iam_app, role_name, statement(["dynamodb:PutItem"], [table_arn]))
    dynamodb = client(iam_app, "dynamodb", iam_app.role_sessions.for_function(role_arn, "fn"))
    items = [
        {"Put": {"TableName": table, "Item": {"pk": {"S": "x"}}}},
        {
            "ConditionCheck": {
                "TableName": table,
                "Key": {"pk": {"S": "y"}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
    ]
    with pytest.raises(ClientError, match="dynamodb:ConditionCheckItem"):
        dynamodb.transact_write_items(TransactItems=items)
    put_policy(
        iam_app,
        role_name,
        statement(["dynamodb:PutItem", "dynamodb:ConditionCheckItem"], [table_arn]),
    )
    dynamodb.transact_write_items(TransactItems=items)


def test_secret_by_name_prefix_and_unmapped_operation(
    iam_app: DevstackApp, role: tuple[str, str]
) -> None:
    role_name, role_arn = role
    prefix = f"app-{uuid.uuid4().hex[:6]}/partner-keys/"
    deployer = client(iam_app, "secretsmanager")
    deployer.create_secret(Name=f"{prefix}acme/k1", SecretString="s3cret")
    deployer.create_secret(Name=f"other-{uuid.uuid4().hex[:6]}", SecretString="x")
    put_policy(
        iam_app,
        role_name,
        statement(
            ["secretsmanager:GetSecretValue"],
            [f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{prefix}*"],
        ),
    )
    secrets = client(iam_app, "secretsmanager", iam_app.role_sessions.for_function(role_arn, "fn"))
    assert secrets.get_secret_value(SecretId=f"{prefix}acme/k1")["SecretString"] == "s3cret"
    with pytest.raises(ClientError) as unknown:
        secrets.get_secret_value(SecretId=f"{prefix}nobody/k9")
    assert unknown.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as denied:
        secrets.list_secrets()
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"


def test_lambda_resource_policy_decides_api_gateway_invocations(iam_app: DevstackApp) -> None:
    # A function with aws_lambda_permission's statement, through the emulator's Lambda API.
    iam = client(iam_app, "iam")
    role_arn = iam.create_role(
        RoleName=f"r-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=TRUST
    )["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {}\n")
    name = f"f-{uuid.uuid4().hex[:8]}"
    awslambda = client(iam_app, "lambda")
    arn = awslambda.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role_arn,
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
    )["FunctionArn"]
    may_invoke = iam_app.invoke_permissions.api_gateway_may_invoke
    source = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123/v1/GET/health"
    assert not may_invoke(arn, source)  # no policy at all
    awslambda.add_permission(
        FunctionName=name,
        StatementId="AllowApiGatewayInvoke",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123/v1/*",
    )
    assert may_invoke(arn, source)
    assert not may_invoke(arn, f"arn:aws:execute-api:{REGION}:{ACCOUNT}:zzz999/v1/GET/health")
    awslambda.remove_permission(FunctionName=name, StatementId="AllowApiGatewayInvoke")
    assert not may_invoke(arn, source)
    # Decisions are kept per policy text: a new statement decides the same sources anew.
    awslambda.add_permission(
        FunctionName=name,
        StatementId="AllowOtherApi",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:zzz999/v1/*",
    )
    assert may_invoke(arn, f"arn:aws:execute-api:{REGION}:{ACCOUNT}:zzz999/v1/GET/health")
    assert not may_invoke(arn, source)
