"""Request -> (action, resource) mapping (devstack/iam/actions.py)."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.iam.actions import (
    ApiCall,
    Needed,
    NotModelledError,
    Resolver,
    needed_permissions,
    operation_of,
)

ACCOUNT = "123456789012"
TABLE = f"arn:aws:dynamodb:us-west-2:{ACCOUNT}:table/t"


def call(service: str, operation: str, body: dict[str, Any]) -> ApiCall:
    return ApiCall(service, "us-west-2", ACCOUNT, operation, "POST", "/", body)


class NamedSecrets(Resolver):
    def secret_arn(self, region: str, secret_id: str) -> str | None:
        if secret_id == "app/partner-keys/acme/k1":
            return f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{secret_id}-AbCdEf"
        return None

    def kms_key_arn(self, region: str, key_id: str) -> str | None:
        return f"arn:aws:kms:{region}:{ACCOUNT}:key/k-1" if key_id == "alias/app" else None


@pytest.mark.parametrize(
    "operation", ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "DescribeTable"]
)
def test_dynamodb_single_table_operations(operation: str) -> None:
    assert needed_permissions(call("dynamodb", operation, {"TableName": "t"}), Resolver()) == [
        Needed(f"dynamodb:{operation}", TABLE)
    ]


def test_dynamodb_table_given_as_arn_and_index_query() -> None:
    assert needed_permissions(call("dynamodb", "GetItem", {"TableName": TABLE}), Resolver()) == [
        Needed("dynamodb:GetItem", TABLE)
    ]
    body: dict[str, Any] = {"TableName": "t", "IndexName": "by-date"}
    assert needed_permissions(call("dynamodb", "Query", body), Resolver()) == [
        Needed("dynamodb:Query", f"{TABLE}/index/by-date")
    ]


def test_dynamodb_batch_is_per_table() -> None:
    body: dict[str, Any] = {"RequestItems": {"t": [], "u": []}}
    assert needed_permissions(call("dynamodb", "BatchWriteItem", body), Resolver()) == [
        Needed("dynamodb:BatchWriteItem", TABLE),
        Needed("dynamodb:BatchWriteItem", f"arn:aws:dynamodb:us-west-2:{ACCOUNT}:table/u"),
    ]


def test_dynamodb_transact_items_need_their_item_actions() -> None:
    body = {
        "TransactItems": [
            {"ConditionCheck": {"TableName": "t"}},
            {"Put": {"TableName": "t"}},
            {"Update": {"TableName": "u"}},
            {"Delete": {"TableName": "t"}},
        ]
    }
    assert needed_permissions(call("dynamodb", "TransactWriteItems", body), Resolver()) == [
        Needed("dynamodb:ConditionCheckItem", TABLE),
        Needed("dynamodb:PutItem", TABLE),
        Needed("dynamodb:UpdateItem", f"arn:aws:dynamodb:us-west-2:{ACCOUNT}:table/u"),
        Needed("dynamodb:DeleteItem", TABLE),
    ]
    gets = {"TransactItems": [{"Get": {"TableName": "t"}}]}
    assert needed_permissions(call("dynamodb", "TransactGetItems", gets), Resolver()) == [
        Needed("dynamodb:GetItem", TABLE)
    ]


def test_secret_by_name_resolves_to_its_full_arn() -> None:
    known = call("secretsmanager", "GetSecretValue", {"SecretId": "app/partner-keys/acme/k1"})
    assert needed_permissions(known, NamedSecrets()) == [
        Needed(
            "secretsmanager:GetSecretValue",
            f"arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:app/partner-keys/acme/k1-AbCdEf",
        )
    ]
    unknown = call("secretsmanager", "GetSecretValue", {"SecretId": "app/partner-keys/x/y"})
    assert needed_permissions(unknown, NamedSecrets()) == [
        Needed(
            "secretsmanager:GetSecretValue",
            f"arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:app/partner-keys/x/y",
        )
    ]


def test_kms_alias_resolves_to_key() -> None:
    assert needed_permissions(call("kms", "Decrypt", {"KeyId": "alias/app"}), NamedSecrets()) == [
        Needed("kms:Decrypt", f"arn:aws:kms:us-west-2:{ACCOUNT}:key/k-1")
    ]


def test_xray_and_metrics_have_no_resource() -> None:
    assert operation_of("xray", "POST", "/TraceSegments", "", b"{}") == "PutTraceSegments"
    assert needed_permissions(call("xray", "PutTraceSegments", {}), Resolver()) == [
        Needed("xray:PutTraceSegments", "*")
    ]
    assert operation_of("cloudwatch", "POST", "/", "", b"Action=PutMetricData&Version=x") == (
        "PutMetricData"
    )


def test_unmapped_operation_is_not_modelled() -> None:
    with pytest.raises(NotModelledError):
        needed_permissions(call("dynamodb", "DeleteTable", {"TableName": "t"}), Resolver())
    with pytest.raises(NotModelledError):
        needed_permissions(call("lambda", "", {}), Resolver())


def test_sns_publish_and_publish_batch_need_sns_publish_on_the_topic() -> None:
    topic = f"arn:aws:sns:us-west-2:{ACCOUNT}:events"
    for operation in ("Publish", "PublishBatch"):
        assert needed_permissions(call("sns", operation, {"TopicArn": topic}), Resolver()) == [
            Needed("sns:Publish", topic)
        ]
