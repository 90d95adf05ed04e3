"""DynamoDB reads answered by moto's handler and written out as plain JSON: what a client reads
is DynamoDB's answer (items, binary values, paging, consumed capacity, errors)."""

from __future__ import annotations

import json
import zlib
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError
from ddb_support import PRIMARY, create_table, key
from moto.core.serialize import ResponseSerializer
from moto.dynamodb.responses import DynamoHandler


def _table(emulator: Any, unique_name: Any) -> tuple[str, Any]:
    client = emulator.client("dynamodb", PRIMARY)
    name = unique_name("wire")
    create_table(client, name)
    client.put_item(
        TableName=name,
        Item={
            **key("p", "1"),
            "blob": {"B": b"\x00\x01binary"},
            "nums": {"NS": ["1", "2.5"]},
            "doc": {"M": {"list": {"L": [{"S": "a"}, {"BOOL": True}, {"NULL": True}]}}},
        },
    )
    client.put_item(TableName=name, Item={**key("p", "2"), "n": {"N": "-12.50"}})
    return name, client


def test_reads_answer_what_dynamodb_answers(emulator: Any, unique_name: Any) -> None:
    name, client = _table(emulator, unique_name)
    item = client.get_item(TableName=name, Key=key("p", "1"))["Item"]
    assert item["blob"] == {"B": b"\x00\x01binary"}
    assert sorted(item["nums"]["NS"]) == ["1", "2.5"]
    assert item["doc"]["M"]["list"]["L"] == [{"S": "a"}, {"BOOL": True}, {"NULL": True}]
    assert "Item" not in client.get_item(TableName=name, Key=key("p", "missing"))
    projected = client.get_item(TableName=name, Key=key("p", "2"), ProjectionExpression="n")
    assert projected["Item"] == {"n": {"N": "-12.50"}}
    page = client.query(
        TableName=name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Limit=1,
        ReturnConsumedCapacity="TOTAL",
    )
    assert (page["Count"], page["LastEvaluatedKey"]) == (1, key("p", "1"))
    assert page["ConsumedCapacity"]["TableName"] == name
    assert client.scan(TableName=name)["Count"] == 2
    batch = client.batch_get_item(RequestItems={name: {"Keys": [key("p", "1"), key("p", "2")]}})
    assert len(batch["Responses"][name]) == 2
    assert batch["UnprocessedKeys"] == {}


def test_errors_keep_dynamodbs_shape(emulator: Any) -> None:
    client = emulator.client("dynamodb", PRIMARY)
    with pytest.raises(ClientError) as raised:
        client.get_item(TableName="no-such-table", Key=key("p", "1"))
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_reads_skip_motos_generic_serializer(emulator: Any, unique_name: Any) -> None:
    name, client = _table(emulator, unique_name)
    with mock.patch.object(
        ResponseSerializer, "serialize", autospec=True, side_effect=ResponseSerializer.serialize
    ) as serializer:
        client.query(
            TableName=name,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
        )
        client.get_item(TableName=name, Key=key("p", "1"))
    assert serializer.call_count == 0


def test_a_plain_get_item_skips_motos_request_set_up(emulator: Any, unique_name: Any) -> None:
    # The hottest call of the API (health probe, profile read, idempotency lookups): answered
    # from moto's table without moto's per-request handler set-up (devstack.dynamodb.wire).
    name, client = _table(emulator, unique_name)
    with mock.patch.object(
        DynamoHandler, "setup_class", autospec=True, side_effect=DynamoHandler.setup_class
    ) as set_up:
        found = client.get_item(TableName=name, Key=key("p", "2"), ConsistentRead=True)
        missing = client.get_item(TableName=name, Key=key("p", "missing"))
    assert set_up.call_count == 0
    assert found["Item"] == {**key("p", "2"), "n": {"N": "-12.50"}}
    assert "Item" not in missing


def test_get_item_outside_the_plain_shape_is_moto_s_answer(emulator: Any, unique_name: Any) -> None:
    name, client = _table(emulator, unique_name)
    errors = {}
    for label, call in {
        "missing table": {"TableName": "no-such-table", "Key": key("p", "1")},
        "wrong key": {"TableName": name, "Key": {"nope": {"S": "x"}}},
        "partial key": {"TableName": name, "Key": {"pk": {"S": "p"}}},
        "empty key": {"TableName": name, "Key": {"pk": {"S": ""}, "sk": {"S": "1"}}},
    }.items():
        with pytest.raises(ClientError) as raised:
            client.get_item(**call)
        errors[label] = raised.value.response["Error"]["Code"]
    assert errors == {
        "missing table": "ResourceNotFoundException",
        "wrong key": "ValidationException",
        "partial key": "ValidationException",
        "empty key": "ValidationException",
    }
    counted = client.get_item(TableName=name, Key=key("p", "1"), ReturnConsumedCapacity="TOTAL")
    assert counted["ConsumedCapacity"]["TableName"] == name


def test_a_plain_get_item_has_a_request_id_of_motos_shape_drawn_at_once(
    emulator: Any, unique_name: Any
) -> None:
    # moto's gen_amzn_requestid_long draws each of the 52 characters with a random.choice of
    # its own: that was most of the plain GetItem's time. The id keeps its shape.
    name, client = _table(emulator, unique_name)
    with mock.patch(
        "moto.moto_api._internal.mock_random.choice",
        side_effect=AssertionError("one draw per character"),
    ):
        answers = [client.get_item(TableName=name, Key=key("p", "2")) for _ in range(2)]
    ids = [answer["ResponseMetadata"]["RequestId"] for answer in answers]
    assert all(len(value) == 52 and value.isalnum() and value.isascii() for value in ids)
    assert ids[0] != ids[1]
    assert answers[0]["Item"] == {**key("p", "2"), "n": {"N": "-12.50"}}


def test_read_answers_are_compact_utf8_json_with_the_crc32_of_the_bytes_sent(
    emulator: Any, unique_name: Any
) -> None:
    # The plain GetItem, the plain Query and moto's handler (Scan) write their answer with
    # devstack.jsoncodec: compact UTF-8 text, the same JSON to the client. botocore checks the
    # body it received against x-amz-crc32 and retries on a mismatch, so the header must be
    # the CRC-32 of those very bytes (botocore/retryhandler.py CRC32Checker, the legacy retry
    # mode; botocore/retries/special.py RetryDDBChecksumError, the standard mode).
    name, client = _table(emulator, unique_name)
    client.put_item(TableName=name, Item={**key("p", "3"), "name": {"S": "Zoë ✓"}})
    received: list[Any] = []
    client.meta.events.register(
        "after-call.dynamodb", lambda http_response, **_: received.append(http_response)
    )
    found = client.get_item(TableName=name, Key=key("p", "3"))
    page = client.query(
        TableName=name,
        KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
        ExpressionAttributeValues={":p": {"S": "p"}, ":s": {"S": "3"}},
    )
    scanned = client.scan(TableName=name)
    assert found["Item"]["name"] == page["Items"][0]["name"] == {"S": "Zoë ✓"}
    assert {"S": "Zoë ✓"} in [item.get("name") for item in scanned["Items"]]
    assert len(received) == 3
    for response in received:
        compact = json.dumps(
            json.loads(response.content), separators=(",", ":"), ensure_ascii=False
        )
        assert response.content == compact.encode()
        assert int(response.headers["x-amz-crc32"]) == zlib.crc32(response.content)
