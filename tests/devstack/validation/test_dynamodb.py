"""DynamoDB's TTL change window (devstack.validation.dynamodb), through boto3 to the emulator.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html: a second
UpdateTimeToLive for the same table within the hour is a ValidationException; moto accepts it.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

MODIFIED_TOO_OFTEN = "Time to live has been modified multiple times within a fixed interval"


def _table(dynamodb: Any) -> str:
    name = f"validation-{uuid.uuid4().hex[:12]}"
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def _ttl(dynamodb: Any, name: str, enabled: bool) -> Any:
    return dynamodb.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": enabled, "AttributeName": "expires_at"},
    )


def test_a_second_ttl_change_within_the_hour_is_refused(emulator: Any) -> None:
    dynamodb = emulator.client("dynamodb")
    name = _table(dynamodb)
    _ttl(dynamodb, name, enabled=True)
    with pytest.raises(ClientError) as refused:
        _ttl(dynamodb, name, enabled=False)
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == MODIFIED_TOO_OFTEN
    described = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert described["TimeToLiveStatus"] == "ENABLED"  # the refused change changed nothing


def test_the_window_is_per_table_and_per_region(emulator: Any) -> None:
    east = emulator.client("dynamodb", "us-east-1")
    west = emulator.client("dynamodb", "us-west-2")
    first, second = _table(east), _table(east)
    _ttl(east, first, enabled=True)
    _ttl(east, second, enabled=True)
    west.create_table(
        TableName=first,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    _ttl(west, first, enabled=True)


def test_a_recreated_table_starts_afresh(emulator: Any) -> None:
    # make down / make up on one emulator: the new table is a new table.
    dynamodb = emulator.client("dynamodb")
    name = _table(dynamodb)
    _ttl(dynamodb, name, enabled=True)
    dynamodb.delete_table(TableName=name)
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    _ttl(dynamodb, name, enabled=True)
