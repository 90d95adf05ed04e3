"""Query on a table's key: the partition's items, in order, paged, at a cost that does not grow
with the rest of the table (moto 5.2.1 sorts the whole table for every Query).

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
"""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

from ddb_support import PRIMARY, create_table, key
from moto.dynamodb.models.dynamo_type import DynamoType


def _table(emulator: Any, unique_name: Any, others: int = 0) -> tuple[str, Any]:
    client = emulator.client("dynamodb", PRIMARY)
    name = unique_name("query")
    create_table(client, name)
    for start in range(0, others, 25):
        client.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": {**key(f"other{i}", "TXN#1"), "v": {"N": str(i)}}}}
                    for i in range(start, min(others, start + 25))
                ]
            }
        )
    for sk, value in (("TXN#1", 1), ("TXN#2", 2), ("TXN#3", 3), ("PROFILE", 0)):
        client.put_item(TableName=name, Item={**key("me", sk), "v": {"N": str(value)}})
    return name, client


def _query(client: Any, name: str, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = client.query(
        TableName=name,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={
            ":pk": {"S": "me"},
            ":prefix": {"S": "TXN#"},
            **extra.pop("values", {}),
        },
        **extra,
    )
    return answer


def test_a_partition_newest_first_in_pages(emulator: Any, unique_name: Any) -> None:
    name, client = _table(emulator, unique_name, others=30)
    first = _query(client, name, ScanIndexForward=False, Limit=2, ConsistentRead=True)
    assert [item["sk"]["S"] for item in first["Items"]] == ["TXN#3", "TXN#2"]
    assert first["LastEvaluatedKey"] == key("me", "TXN#2")
    second = _query(
        client, name, ScanIndexForward=False, Limit=2, ExclusiveStartKey=first["LastEvaluatedKey"]
    )
    assert [item["sk"]["S"] for item in second["Items"]] == ["TXN#1"]
    assert "LastEvaluatedKey" not in second
    filtered = _query(client, name, FilterExpression="v > :one", values={":one": {"N": "1"}})
    assert [item["sk"]["S"] for item in filtered["Items"]] == ["TXN#2", "TXN#3"]
    assert filtered["ScannedCount"] == 3


def test_a_missing_partition_is_empty_and_the_table_is_whole_after(
    emulator: Any, unique_name: Any
) -> None:
    name, client = _table(emulator, unique_name, others=5)
    empty = client.query(
        TableName=name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "nobody"}},
    )
    assert empty["Items"] == []
    assert client.scan(TableName=name)["Count"] == 5 + 4


def test_writes_during_queries_are_all_kept(emulator: Any, unique_name: Any) -> None:
    name, client = _table(emulator, unique_name)
    writer = emulator.client("dynamodb", PRIMARY)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for index in range(40):
                writer.put_item(TableName=name, Item={**key(f"w{index}", "x")})
        except BaseException as error:  # reported below
            errors.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    while thread.is_alive():
        assert len(_query(client, name)["Items"]) == 3
    thread.join()
    assert errors == []
    assert client.scan(TableName=name)["Count"] == 40 + 4


def test_the_cost_does_not_grow_with_the_table(emulator: Any, unique_name: Any) -> None:
    """Key comparisons for one Query: those of its own partition, whatever else the table holds
    (moto alone sorts all 300 other items)."""
    name, client = _table(emulator, unique_name, others=300)
    compared = 0
    original = DynamoType.__lt__

    def counting(self: DynamoType, other: DynamoType) -> bool:
        nonlocal compared
        compared += 1
        result: bool = original(self, other)
        return result

    with mock.patch.object(DynamoType, "__lt__", counting):
        assert len(_query(client, name)["Items"]) == 3
    assert compared <= 20
