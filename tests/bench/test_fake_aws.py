"""The fake DynamoDB behaves like DynamoDB for what the code under test sends, through boto3."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from bench.fake_aws import CallCounter, FakeAws

TABLE = "bench-table"


@pytest.fixture
def fake() -> FakeAws:
    return FakeAws(secrets={"arn:secret": '{"signing_key": "k"}'})


@pytest.fixture
def counter() -> CallCounter:
    return CallCounter()


@pytest.fixture
def client(fake: FakeAws, counter: CallCounter, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    session = boto3.session.Session(region_name="us-east-1")
    fake.install(session.events)
    counter.install(session.events)
    return session.client("dynamodb")


def _put(client: Any, pk: str, sk: str, **extra: Any) -> None:
    item = {"pk": {"S": pk}, "sk": {"S": sk}} | extra
    client.put_item(TableName=TABLE, Item=item)


def test_get_put_and_conditional_put(client: Any) -> None:
    assert "Item" not in client.get_item(TableName=TABLE, Key={"pk": {"S": "a"}, "sk": {"S": "b"}})
    _put(client, "a", "b", n={"N": "1"})
    item = client.get_item(TableName=TABLE, Key={"pk": {"S": "a"}, "sk": {"S": "b"}})["Item"]
    assert item["n"] == {"N": "1"}
    with pytest.raises(ClientError) as failure:
        client.put_item(
            TableName=TABLE,
            Item={"pk": {"S": "a"}, "sk": {"S": "b"}},
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert failure.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert failure.value.response["Item"]["n"] == {"N": "1"}


def test_update_with_optimistic_lock(client: Any) -> None:
    _put(client, "u", "P", version={"N": "1"})
    request = {
        "TableName": TABLE,
        "Key": {"pk": {"S": "u"}, "sk": {"S": "P"}},
        "UpdateExpression": "SET #v = #v + :one, #name = :name",
        "ConditionExpression": "attribute_exists(pk) AND #v = :expected",
        "ExpressionAttributeNames": {"#v": "version", "#name": "name"},
        "ExpressionAttributeValues": {
            ":one": {"N": "1"},
            ":expected": {"N": "1"},
            ":name": {"S": "Ada"},
        },
        "ReturnValues": "ALL_NEW",
    }
    updated = client.update_item(**request)["Attributes"]
    assert updated["version"] == {"N": "2"}
    assert updated["name"] == {"S": "Ada"}
    with pytest.raises(ClientError):  # the same expected version again is stale now
        client.update_item(**request)


def test_powertools_style_condition_with_or_and_parentheses(client: Any) -> None:
    condition = (
        "attribute_not_exists(#id) OR #expiry < :now OR "
        "(#status = :inprogress AND attribute_exists(#ipe) AND #ipe < :now_ms)"
    )
    names = {"#id": "pk", "#expiry": "expires_at", "#status": "status", "#ipe": "ipe"}
    values = {":now": {"N": "100"}, ":now_ms": {"N": "100000"}, ":inprogress": {"S": "INPROGRESS"}}
    item = {"pk": {"S": "I"}, "sk": {"S": "k"}, "expires_at": {"N": "200"}, "status": {"S": "X"}}
    for expected_ok in (True, False):
        call = lambda: client.put_item(  # noqa: E731
            TableName=TABLE,
            Item=item,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
        if expected_ok:
            call()
        else:
            with pytest.raises(ClientError):
                call()
    values[":now"] = {"N": "300"}  # the stored record has expired: it may be overwritten
    client.put_item(
        TableName=TABLE,
        Item=item,
        ConditionExpression=condition,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def test_query_prefix_order_and_pages(client: Any) -> None:
    for index in range(5):
        _put(client, "U", f"TXN#{index}")
    _put(client, "U", "PROFILE")
    _put(client, "V", "TXN#9")
    request = {
        "TableName": TABLE,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": "U"}, ":prefix": {"S": "TXN#"}},
        "ScanIndexForward": False,
        "Limit": 3,
    }
    first = client.query(**request)
    assert [item["sk"]["S"] for item in first["Items"]] == ["TXN#4", "TXN#3", "TXN#2"]
    second = client.query(**request, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [item["sk"]["S"] for item in second["Items"]] == ["TXN#1", "TXN#0"]
    assert "LastEvaluatedKey" not in second


def test_query_between_reads_adjacent_item_types(client: Any) -> None:
    for sk in ("IDEMKEY#k", "PROFILE", "SESSION#1", "SESSION#2", "TXN#1"):
        _put(client, "U", sk)
    found = client.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
        ExpressionAttributeValues={
            ":pk": {"S": "U"},
            ":first": {"S": "PROFILE"},
            ":last": {"S": "SESSION#~"},
        },
    )
    assert [item["sk"]["S"] for item in found["Items"]] == ["PROFILE", "SESSION#1", "SESSION#2"]


def _sort_keys(response: dict[str, Any]) -> list[str]:
    return [item["sk"]["S"] for item in response["Items"]]


def test_query_pages_forward_from_any_start_key(client: Any) -> None:
    for sk in ("A", "B", "C", "D", "E"):
        _put(client, "U", sk)
    request = {
        "TableName": TABLE,
        "KeyConditionExpression": "#p = :pk AND (#s BETWEEN :low AND :high)",
        "ExpressionAttributeNames": {"#p": "pk", "#s": "sk"},
        "ExpressionAttributeValues": {":pk": {"S": "U"}, ":low": {"S": "B"}, ":high": {"S": "D~"}},
        "ConsistentRead": True,
        "Limit": 2,
    }
    first = client.query(**request)
    assert _sort_keys(first) == ["B", "C"]
    assert first["LastEvaluatedKey"] == {"pk": {"S": "U"}, "sk": {"S": "C"}}
    second = client.query(**request, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert _sort_keys(second) == ["D"]
    assert "LastEvaluatedKey" not in second
    # A start key need not be stored: the Query goes on after the place it sorts at.
    _put(client, "U", "CC")  # a key added after a Query is found by the next one
    after = client.query(**request, ExclusiveStartKey={"pk": {"S": "U"}, "sk": {"S": "BB"}})
    assert _sort_keys(after) == ["C", "CC"]
    with pytest.raises(ClientError) as failure:
        client.query(**request, ExclusiveStartKey={"pk": {"S": "V"}, "sk": {"S": "B"}})
    assert failure.value.response["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("sk = :v", ["C"]),
        ("sk < :v", ["A", "B"]),
        ("sk <= :v", ["A", "B", "C"]),
        ("sk > :v", ["D", "E"]),
        ("sk >= :v", ["C", "D", "E"]),
        ("begins_with(sk, :v)", ["C"]),
    ],
)
def test_query_sort_key_conditions(client: Any, condition: str, expected: list[str]) -> None:
    for sk in ("A", "B", "C", "D", "E"):
        _put(client, "U", sk)
    response = client.query(
        TableName=TABLE,
        KeyConditionExpression=f"pk = :pk AND {condition}",
        ExpressionAttributeValues={":pk": {"S": "U"}, ":v": {"S": "C"}},
    )
    assert _sort_keys(response) == expected


def test_transaction_is_all_or_nothing(client: Any) -> None:
    _put(client, "U", "PROFILE")
    put = {"TableName": TABLE, "ConditionExpression": "attribute_not_exists(pk)"}
    with pytest.raises(ClientError) as failure:
        client.transact_write_items(
            TransactItems=[
                {"Put": {**put, "Item": {"pk": {"S": "U"}, "sk": {"S": "NEW"}}}},
                {"Put": {**put, "Item": {"pk": {"S": "U"}, "sk": {"S": "PROFILE"}}}},
            ]
        )
    assert failure.value.response["Error"]["Code"] == "TransactionCanceledException"
    codes = [reason["Code"] for reason in failure.value.response["CancellationReasons"]]
    assert codes == ["None", "ConditionalCheckFailed"]
    assert "Item" not in client.get_item(
        TableName=TABLE, Key={"pk": {"S": "U"}, "sk": {"S": "NEW"}}
    )


def test_batch_delete_and_delete_condition(client: Any) -> None:
    _put(client, "U", "A")
    _put(client, "U", "B")
    client.batch_write_item(
        RequestItems={TABLE: [{"DeleteRequest": {"Key": {"pk": {"S": "U"}, "sk": {"S": "A"}}}}]}
    )
    with pytest.raises(ClientError):
        client.delete_item(
            TableName=TABLE,
            Key={"pk": {"S": "U"}, "sk": {"S": "A"}},
            ConditionExpression="attribute_exists(pk)",
        )
    client.delete_item(TableName=TABLE, Key={"pk": {"S": "U"}, "sk": {"S": "B"}})
    assert fake_items(client) == 0


def fake_items(client: Any) -> int:
    response = client.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "U"}},
    )
    return int(response["Count"])


def test_counter_sees_every_call_in_order(client: Any, counter: CallCounter) -> None:
    _put(client, "U", "h")
    client.get_item(TableName=TABLE, Key={"pk": {"S": "U"}, "sk": {"S": "P"}})
    assert counter.take() == [("dynamodb", "PutItem"), ("dynamodb", "GetItem")]
    assert counter.take() == []
    assert counter.seen == {"dynamodb:PutItem", "dynamodb:GetItem"}


def test_fake_time_is_accounted(client: Any, fake: FakeAws) -> None:
    client.get_item(TableName=TABLE, Key={"pk": {"S": "U"}, "sk": {"S": "P"}})
    assert fake.elapsed_ns > 0
