"""TransactWriteItems: all or nothing, as DynamoDB documents it, at a cost that does not grow
with the table (moto 5.2.1 deep-copies every table a transaction names, for its rollback).

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError
from ddb_support import PRIMARY, create_table, key
from moto.dynamodb.models.dynamo_type import Item


def _table(emulator: Any, unique_name: Any, items: int = 0) -> tuple[str, Any]:
    client = emulator.client("dynamodb", PRIMARY)
    name = unique_name("txn")
    create_table(client, name)
    for start in range(0, items, 25):
        client.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": {**key(f"other{i}", "x"), "v": {"N": str(i)}}}}
                    for i in range(start, min(items, start + 25))
                ]
            }
        )
    return name, client


def _stream_records(emulator: Any, name: str) -> list[dict[str, Any]]:
    streams = emulator.client("dynamodbstreams", PRIMARY)
    arn = emulator.client("dynamodb", PRIMARY).describe_table(TableName=name)["Table"][
        "LatestStreamArn"
    ]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records: list[dict[str, Any]] = streams.get_records(ShardIterator=iterator)["Records"]
    return records


def _put(name: str, pk: str, sk: str, condition: str | None = None) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": name, "Item": {**key(pk, sk), "v": {"N": "1"}}}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}


def test_a_transaction_writes_every_item(emulator: Any, unique_name: Any) -> None:
    name, client = _table(emulator, unique_name)
    client.put_item(TableName=name, Item={**key("u", "counter"), "n": {"N": "1"}})
    client.transact_write_items(
        TransactItems=[
            _put(name, "u", "a", "attribute_not_exists(pk)"),
            {
                "Update": {
                    "TableName": name,
                    "Key": key("u", "counter"),
                    "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {"Delete": {"TableName": name, "Key": key("u", "missing")}},
        ]
    )
    assert "Item" in client.get_item(TableName=name, Key=key("u", "a"))
    assert client.get_item(TableName=name, Key=key("u", "counter"))["Item"]["n"] == {"N": "2"}
    events = [r["eventName"] for r in _stream_records(emulator, name)]
    assert events == ["INSERT", "INSERT", "MODIFY"]


def test_a_failed_condition_cancels_every_write(emulator: Any, unique_name: Any) -> None:
    name, client = _table(emulator, unique_name)
    client.put_item(TableName=name, Item={**key("u", "taken"), "v": {"N": "1"}})
    with pytest.raises(ClientError) as raised:
        client.transact_write_items(
            TransactItems=[
                _put(name, "u", "fresh", "attribute_not_exists(pk)"),
                _put(name, "u", "taken", "attribute_not_exists(pk)"),
            ]
        )
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in raised.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert "Item" not in client.get_item(TableName=name, Key=key("u", "fresh"))
    assert [r["eventName"] for r in _stream_records(emulator, name)] == ["INSERT"]


def test_a_write_failing_midway_leaves_nothing(emulator: Any, unique_name: Any) -> None:
    """The second operation fails only when it is applied (an update on a string as a number):
    the first one, already applied, is rolled back, its stream record too."""
    name, client = _table(emulator, unique_name)
    client.put_item(TableName=name, Item={**key("u", "text"), "n": {"S": "not a number"}})
    with pytest.raises(ClientError):
        client.transact_write_items(
            TransactItems=[
                _put(name, "u", "fresh"),
                {
                    "Update": {
                        "TableName": name,
                        "Key": key("u", "text"),
                        "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        )
    assert "Item" not in client.get_item(TableName=name, Key=key("u", "fresh"))
    assert client.get_item(TableName=name, Key=key("u", "text"))["Item"]["n"] == {
        "S": "not a number"
    }
    assert [r["eventName"] for r in _stream_records(emulator, name)] == ["INSERT"]


def test_request_validation_is_dynamodbs(emulator: Any, unique_name: Any) -> None:
    name, client = _table(emulator, unique_name)
    with pytest.raises(ClientError) as raised:
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": name,
                        "Item": key("u", "a"),
                        "ExpressionAttributeNames": {"#unused": "v"},
                    }
                }
            ]
        )
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "unused" in raised.value.response["Error"]["Message"]
    assert "Item" not in client.get_item(TableName=name, Key=key("u", "a"))


def test_the_cost_does_not_grow_with_the_table(emulator: Any, unique_name: Any) -> None:
    """Items copied for a two-item transaction: at most the items it names, whatever the size
    of the table (moto alone copies all 300)."""
    name, client = _table(emulator, unique_name, items=300)
    copied = 0
    original = Item.__deepcopy__

    def counting(self: Item, memo: dict[int, Any]) -> Item:
        nonlocal copied
        copied += 1
        result: Item = original(self, memo)
        return result

    with mock.patch.object(Item, "__deepcopy__", counting):
        client.transact_write_items(
            TransactItems=[_put(name, "u", "a"), _put(name, "u", "b", "attribute_not_exists(pk)")]
        )
    assert copied <= 2
