"""A plain Query answered from moto's table without moto's handler (devstack.dynamodb.wire): the
very answer moto's handler gives (items, order, Count, ScannedCount, LastEvaluatedKey, headers),
for every shape it takes; any other shape is left to moto.

Each case builds the request a client sends and answers it twice, through the fast path and
through moto's handler, on the same tables.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
"""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any
from unittest import mock

import pytest
from ddb_support import PRIMARY, key
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.responses import DynamoHandler

from devstack.dynamodb import wire
from devstack.wsgi import AwsRequest, environ_for, read_request

_AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=test/20261202/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=x"
)
_PLAIN = "pk = :pk AND begins_with(sk, :prefix)"


def _request(endpoint: str, document: dict[str, Any]) -> AwsRequest:
    headers = [
        ("X-Amz-Target", "DynamoDB_20120810.Query"),
        ("Content-Type", "application/x-amz-json-1.0"),
        ("Authorization", _AUTHORIZATION),
    ]
    body = json.dumps(document).encode()
    return read_request(environ_for("POST", f"{endpoint}/", headers, body, "127.0.0.1"))


def _both(endpoint: str, document: dict[str, Any]) -> tuple[Any, Any]:
    request = _request(endpoint, document)
    return wire._plain_query(request), wire.through_moto(request)


def _assert_same_answer(endpoint: str, document: dict[str, Any]) -> dict[str, Any]:
    fast, moto = _both(endpoint, document)
    assert moto.status == 200, moto.body[:300]
    assert fast is not None, f"not answered by the fast path: {document}"
    assert (fast.status, fast.body) == (moto.status, moto.body), document
    # Same headers but the request id, which each answer draws.
    assert {name.lower() for name, _ in fast.headers} == {name.lower() for name, _ in moto.headers}
    for name in ("content-type", "server", "x-amz-crc32"):
        assert fast.header(name) == moto.header(name), name
    assert len(fast.header("x-amzn-requestid") or "") == len(moto.header("x-amzn-requestid") or "")
    answer: dict[str, Any] = json.loads(fast.body)
    return answer


def _create(
    client: Any, name: str, range_type: str = "S", hash_only: bool = False, hash_type: str = "S"
) -> None:
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attributes = [{"AttributeName": "pk", "AttributeType": hash_type}]
    if not hash_only:
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attributes.append({"AttributeName": "sk", "AttributeType": range_type})
    client.create_table(
        TableName=name,
        KeySchema=schema,
        AttributeDefinitions=attributes,
        BillingMode="PAY_PER_REQUEST",
    )


def _put_all(client: Any, name: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        client.batch_write_item(
            RequestItems={
                name: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            }
        )


def _item(pk: str, sk: str, index: int) -> dict[str, Any]:
    """Items of several shapes, so the answers cover every kind of attribute value."""
    extra: dict[str, Any] = [
        {"amount": {"N": f"{index}.25"}, "currency": {"S": "EUR"}},
        {"blob": {"B": bytes([index % 256, 0, 1])}, "tags": {"SS": ["a", f"t{index}"]}},
        {"doc": {"M": {"list": {"L": [{"S": "x"}, {"BOOL": True}, {"NULL": True}]}}}},
        {"nums": {"NS": ["1", f"{index}.5"]}, "flag": {"BOOL": False}},
    ][index % 4]
    return {**key(pk, sk), "index": {"N": str(index)}, **extra}


@pytest.fixture(scope="module")
def string_table(emulator: Any) -> str:
    """Partition "me": transactions between items of other prefixes (before, after and
    around "TXN#"); partition "all": transactions only; partition "other": a neighbour."""
    client = emulator.client("dynamodb", PRIMARY)
    name = "wire-query-strings"
    _create(client, name)
    sort_keys = [
        "A#1",
        "PROFILE",
        "SESSION#1",
        "TXN",
        "TXN#",
        *(f"TXN#{index:04d}" for index in range(9)),
        "TXN$",
        "TXNZ",
        "ZZ#1",
    ]
    items = [_item("me", sk, index) for index, sk in enumerate(sort_keys)]
    items += [_item("all", f"TXN#{index:04d}", index) for index in range(7)]
    items += [_item("other", f"TXN#{index:04d}", index) for index in range(5)]
    _put_all(client, name, items)
    return name


def _pages(endpoint: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of a Query, each compared with moto's, following LastEvaluatedKey."""
    pages = [_assert_same_answer(endpoint, document)]
    while "LastEvaluatedKey" in pages[-1] and len(pages) < 40:
        following = {**document, "ExclusiveStartKey": pages[-1]["LastEvaluatedKey"]}
        pages.append(_assert_same_answer(endpoint, following))
    return pages


@pytest.mark.parametrize(
    ("partition", "prefix"),
    [("me", "TXN#"), ("me", "TXN"), ("me", "NOPE#"), ("all", "TXN#"), ("nobody", "TXN#")],
)
def test_a_plain_query_is_motos_answer_in_every_direction_limit_and_page(
    emulator: Any, string_table: str, partition: str, prefix: str
) -> None:
    for forward, limit in itertools.product((True, False, None), (None, *range(1, 20))):
        document: dict[str, Any] = {
            "TableName": string_table,
            "KeyConditionExpression": _PLAIN,
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":prefix": {"S": prefix}},
            "ConsistentRead": True,
        }
        if forward is not None:
            document["ScanIndexForward"] = forward
        if limit is not None:
            document["Limit"] = limit
        _pages(emulator.endpoint, document)


def test_the_partition_key_alone_and_names_through_placeholders(
    emulator: Any, string_table: str
) -> None:
    for forward, limit in itertools.product((True, False), (None, 1, 5, 17, 18, 19)):
        for document in (
            {"KeyConditionExpression": "pk = :v", "ExpressionAttributeValues": {":v": {"S": "me"}}},
            {
                "KeyConditionExpression": "#p = :v and begins_with(#s, :x)",
                "ExpressionAttributeNames": {"#p": "pk", "#s": "sk"},
                "ExpressionAttributeValues": {":v": {"S": "me"}, ":x": {"S": "TXN#000"}},
            },
        ):
            _pages(
                emulator.endpoint,
                {"TableName": string_table, "ScanIndexForward": forward, **document}
                | ({"Limit": limit} if limit else {}),
            )


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize(
    "start", ["A#0", "A#1", "TXN#", "TXN#0003", "TXN#00035", "TXN#0008", "TXNZ", "ZZ#2", "B"]
)
def test_an_exclusive_start_key_anywhere_is_motos_answer(
    emulator: Any, string_table: str, forward: bool, start: str
) -> None:
    for limit in (None, 1, 3):
        document: dict[str, Any] = {
            "TableName": string_table,
            "KeyConditionExpression": _PLAIN,
            "ExpressionAttributeValues": {":pk": {"S": "me"}, ":prefix": {"S": "TXN#"}},
            "ScanIndexForward": forward,
            "ExclusiveStartKey": key("me", start),
        }
        _pages(emulator.endpoint, document | ({"Limit": limit} if limit else {}))


def test_number_sort_keys_in_numeric_order(emulator: Any) -> None:
    client = emulator.client("dynamodb", PRIMARY)
    name = "wire-query-numbers"
    _create(client, name, range_type="N")
    numbers = ["-10", "-2.5", "0", "1", "2", "9", "10", "10.5", "100", "1e3"]
    _put_all(
        client,
        name,
        [{"pk": {"S": "n"}, "sk": {"N": value}, "v": {"S": value}} for value in numbers],
    )
    for forward, limit in itertools.product((True, False), (None, *range(1, 12))):
        answers = _pages(
            emulator.endpoint,
            {
                "TableName": name,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": "n"}},
                "ScanIndexForward": forward,
            }
            | ({"Limit": limit} if limit else {}),
        )
        assert sum(page["Count"] for page in answers) == len(numbers)


def test_number_partition_keys(emulator: Any) -> None:
    client = emulator.client("dynamodb", PRIMARY)
    name = "wire-query-number-partitions"
    _create(client, name, range_type="N", hash_type="N")
    _put_all(
        client,
        name,
        [
            {"pk": {"N": partition}, "sk": {"N": str(index)}}
            for partition, index in itertools.product(("1", "2.5", "-3"), range(4))
        ],
    )
    for partition in ("1", "1.0", "2.5", "-3", "7"):
        for start in (None, "1", "1.5"):
            document: dict[str, Any] = {
                "TableName": name,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"N": partition}},
                "Limit": 2,
            }
            if start is not None:
                document["ExclusiveStartKey"] = {"pk": {"N": partition}, "sk": {"N": start}}
            _pages(emulator.endpoint, document)


def test_the_one_megabyte_page_is_motos(emulator: Any) -> None:
    # moto ends a page before the item that would take it over RESULT_SIZE_LIMIT (1 MB): the
    # check is made on the next candidate of the partition, whether it matches or not.
    client = emulator.client("dynamodb", PRIMARY)
    name = "wire-query-large"
    _create(client, name)
    large = "x" * 150_000
    items = [
        {**key("big", f"{prefix}{index:02d}"), "payload": {"S": large}}
        for prefix, index in itertools.product(("A#", "TXN#"), range(12))
    ]
    for item in items:
        client.put_item(TableName=name, Item=item)
    for forward, limit, prefix in itertools.product((True, False), (None, 3, 6, 7), ("TXN#", "A")):
        answers = _pages(
            emulator.endpoint,
            {
                "TableName": name,
                "KeyConditionExpression": _PLAIN,
                "ExpressionAttributeValues": {":pk": {"S": "big"}, ":prefix": {"S": prefix}},
                "ScanIndexForward": forward,
            }
            | ({"Limit": limit} if limit else {}),
        )
        if limit is None:
            assert len(answers) > 1  # the size limit did end pages


def test_the_one_megabyte_page_counts_utf8_bytes_not_characters(emulator: Any) -> None:
    # moto sizes a string by its UTF-8 length: 12 items of 60,000 two-, three- and four-byte
    # characters hold 720,000 characters but over 2 MB, so pages end by size.
    client = emulator.client("dynamodb", PRIMARY)
    name = "wire-query-wide-characters"
    _create(client, name)
    for index in range(12):
        text = ("é", "✓", "😀")[index % 3] * 60_000
        client.put_item(
            TableName=name, Item={**key("wide", f"TXN#{index:02d}"), f"naïve{index}": {"S": text}}
        )
    for forward, limit in itertools.product((True, False), (None, 5)):
        answers = _pages(
            emulator.endpoint,
            {
                "TableName": name,
                "KeyConditionExpression": _PLAIN,
                "ExpressionAttributeValues": {":pk": {"S": "wide"}, ":prefix": {"S": "TXN#"}},
                "ScanIndexForward": forward,
            }
            | ({"Limit": limit} if limit else {}),
        )
        assert len(answers) > 1


def test_an_items_size_is_motos(emulator: Any) -> None:
    client = emulator.client("dynamodb", PRIMARY)
    name = "wire-query-item-sizes"
    _create(client, name)
    items = [_item("sizes", f"TXN#{index}", index) for index in range(4)]
    items.append({**key("sizes", "TXN#wide"), "naïve": {"S": "Zoë ✓ 😀"}, "n": {"N": "-1e-5"}})
    _put_all(client, name, items)
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(name)
    stored = list(table.items[DynamoType({"S": "sizes"})].values())
    assert len(stored) == 5
    assert [wire._item_size(item) for item in stored] == [item.size() for item in stored]


def _fallback_cases(table: str) -> dict[str, dict[str, Any]]:
    values = {":pk": {"S": "me"}, ":prefix": {"S": "TXN#"}}
    plain = {
        "TableName": table,
        "KeyConditionExpression": _PLAIN,
        "ExpressionAttributeValues": values,
    }
    return {
        "filter": plain | {"FilterExpression": "index > :pk"},
        "projection": plain | {"ProjectionExpression": "sk"},
        "select count": plain | {"Select": "COUNT"},
        "index": plain | {"IndexName": "by-index"},
        "consumed capacity": plain | {"ReturnConsumedCapacity": "TOTAL"},
        "unused value": plain | {"ExpressionAttributeValues": values | {":extra": {"S": "x"}}},
        "missing value": plain | {"ExpressionAttributeValues": {":pk": {"S": "me"}}},
        "unused name": plain | {"ExpressionAttributeNames": {"#n": "pk"}},
        "empty names": plain | {"ExpressionAttributeNames": {}},
        "unknown placeholder": plain
        | {"KeyConditionExpression": "#p = :pk AND begins_with(sk, :prefix)"},
        "empty prefix": plain | {"ExpressionAttributeValues": values | {":prefix": {"S": ""}}},
        "empty partition key": plain | {"ExpressionAttributeValues": values | {":pk": {"S": ""}}},
        "number partition key": plain | {"ExpressionAttributeValues": values | {":pk": {"N": "1"}}},
        "number prefix": plain | {"ExpressionAttributeValues": values | {":prefix": {"N": "1"}}},
        "range key only": plain | {"KeyConditionExpression": "sk = :pk"},
        "conditions reversed": plain
        | {"KeyConditionExpression": "begins_with(sk, :prefix) AND pk = :pk"},
        "begins_with on the partition key": plain
        | {"KeyConditionExpression": "sk = :pk AND begins_with(pk, :prefix)"},
        "unknown function": plain
        | {"KeyConditionExpression": "pk = :pk AND contains(sk, :prefix)"},
        "range equality": plain | {"KeyConditionExpression": "pk = :pk AND sk = :prefix"},
        "key conditions": {
            "TableName": table,
            "KeyConditions": {
                "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "me"}]}
            },
        },
        "limit zero": plain | {"Limit": 0},
        "limit as text": plain | {"Limit": "5"},
        "direction as text": plain | {"ScanIndexForward": "false"},
        "start key of another partition": plain | {"ExclusiveStartKey": key("other", "TXN#0001")},
        "start key without the sort key": plain | {"ExclusiveStartKey": {"pk": {"S": "me"}}},
        "start key of another type": plain
        | {"ExclusiveStartKey": {"pk": {"S": "me"}, "sk": {"N": "1"}}},
        "start key with more": plain
        | {"ExclusiveStartKey": {**key("me", "TXN#0001"), "x": {"S": "1"}}},
        "missing table": plain | {"TableName": "no-such-table"},
        "unknown field": plain | {"Segment": 1},
    }


def test_every_other_query_shape_is_left_to_moto(emulator: Any, string_table: str) -> None:
    answered = {
        label: wire._plain_query(_request(emulator.endpoint, document))
        for label, document in _fallback_cases(string_table).items()
    }
    assert {label: answer for label, answer in answered.items() if answer is not None} == {}


def test_binary_and_hash_only_tables_are_left_to_moto(emulator: Any) -> None:
    client = emulator.client("dynamodb", PRIMARY)
    _create(client, "wire-query-binary", range_type="B")
    client.put_item(TableName="wire-query-binary", Item={"pk": {"S": "b"}, "sk": {"B": b"\x01"}})
    _create(client, "wire-query-hash-only", hash_only=True)
    client.put_item(TableName="wire-query-hash-only", Item={"pk": {"S": "h"}})
    encoded = base64.b64encode(b"\x01").decode()
    for document in (
        {
            "TableName": "wire-query-binary",
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": "b"}},
        },
        {
            "TableName": "wire-query-binary",
            "KeyConditionExpression": _PLAIN,
            "ExpressionAttributeValues": {":pk": {"S": "b"}, ":prefix": {"B": encoded}},
        },
        {
            "TableName": "wire-query-hash-only",
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": "h"}},
        },
    ):
        fast, moto = _both(emulator.endpoint, document)
        assert fast is None
        assert moto.status == 200


def test_a_plain_query_skips_motos_request_set_up_and_reads_as_dynamodb(
    emulator: Any, string_table: str
) -> None:
    client = emulator.client("dynamodb", PRIMARY)
    with mock.patch.object(
        DynamoHandler, "setup_class", autospec=True, side_effect=DynamoHandler.setup_class
    ) as set_up:
        page = client.query(
            TableName=string_table,
            KeyConditionExpression=_PLAIN,
            ExpressionAttributeValues={":pk": {"S": "me"}, ":prefix": {"S": "TXN#"}},
            ScanIndexForward=False,
            ConsistentRead=True,
            Limit=2,
        )
    assert set_up.call_count == 0
    assert [item["sk"]["S"] for item in page["Items"]] == ["TXN#0008", "TXN#0007"]
    assert page["Items"][0]["blob"]["B"] == bytes([13, 0, 1])  # "TXN#0008": the 14th item
    assert page["LastEvaluatedKey"] == key("me", "TXN#0007")
