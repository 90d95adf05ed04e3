"""DynamoDB reads whose items skip botocore's shape-directed parser (meridian.aws).

Each case asks the same moto table through two clients, one with the direct item reads and one
plain boto3 client, and expects identical parsed answers: successful reads, error answers (codes,
``CancellationReasons``, the item of a failed condition), a binary item (which must fall back to
botocore's parser), DynamoDB's x-amz-crc32 check and the ``ResponseMetadata`` the X-Ray
subsegments read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from conftest import create_table
from moto import mock_aws
from unit_support import REGION, TABLE_NAME

from meridian import aws

PK = {"S": "USER#reader"}
# Every non-binary AttributeValue type, nested, and text that looks like JSON or a type key.
RICH_ITEM: dict[str, Any] = {
    "pk": PK,
    "sk": {"S": "TXN#01"},
    "amount": {"N": "-12.50"},
    "big": {"N": "12345678901234567890123456789012345678"},
    "flag": {"BOOL": False},
    "nothing": {"NULL": True},
    "tags": {"SS": ["a", "b"]},
    "scores": {"NS": ["1", "2.5"]},
    "nested": {
        "M": {
            "list": {"L": [{"S": "x"}, {"N": "3"}, {"M": {"deep": {"BOOL": True}}}]},
            "quote": {"S": 'say "S": {"N": 1} \\ \u00e9 \U0001f600'},
        }
    },
}


@pytest.fixture
def clients() -> Iterator[tuple[Any, Any]]:
    """(direct, plain): two clients of the same moto table."""
    with mock_aws():
        plain = boto3.client("dynamodb", region_name=REGION, config=aws.CLIENT_CONFIG)
        direct = aws.read_items_directly(
            boto3.client("dynamodb", region_name=REGION, config=aws.CLIENT_CONFIG)
        )
        create_table(plain)
        plain.put_item(TableName=TABLE_NAME, Item=RICH_ITEM)
        for n in range(2, 6):
            plain.put_item(TableName=TABLE_NAME, Item={"pk": PK, "sk": {"S": f"TXN#0{n}"}})
        yield direct, plain


class RawBody:
    """What ``AWSResponse`` reads its body from (the urllib3 response, normally)."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self.payload


def without_metadata(answer: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in answer.items() if name != "ResponseMetadata"}


def body_botocore_parses(client: Any, operation: str) -> list[bytes]:
    """Records the body botocore's parser is given (a before-parse handler registered last)."""
    bodies: list[bytes] = []

    def record(response_dict: dict[str, Any], **_kwargs: Any) -> None:
        bodies.append(response_dict["body"])

    client.meta.events.register(f"before-parse.dynamodb.{operation}", record)
    return bodies


def test_get_item_equals_botocore_and_skips_its_parser(clients: tuple[Any, Any]) -> None:
    direct, plain = clients
    parsed_bodies = body_botocore_parses(direct, "GetItem")
    request = {"TableName": TABLE_NAME, "Key": {"pk": PK, "sk": {"S": "TXN#01"}}}

    answer = direct.get_item(**request)

    assert without_metadata(answer) == without_metadata(plain.get_item(**request))
    assert answer["Item"] == RICH_ITEM
    assert b'"Item"' not in parsed_bodies[0]  # botocore never walked the item


def test_get_item_of_a_missing_item_has_no_item(clients: tuple[Any, Any]) -> None:
    direct, _plain = clients
    answer = direct.get_item(TableName=TABLE_NAME, Key={"pk": PK, "sk": {"S": "NONE"}})
    assert "Item" not in answer


def test_query_pages_equal_botocore(clients: tuple[Any, Any]) -> None:
    direct, plain = clients
    parsed_bodies = body_botocore_parses(direct, "Query")
    request = {
        "TableName": TABLE_NAME,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": PK},
        "Limit": 2,
        "ConsistentRead": True,
        "ReturnConsumedCapacity": "TOTAL",
    }

    first = direct.query(**request)
    second = direct.query(**request, ExclusiveStartKey=first["LastEvaluatedKey"])

    assert without_metadata(first) == without_metadata(plain.query(**request))
    assert without_metadata(second) == without_metadata(
        plain.query(**request, ExclusiveStartKey=first["LastEvaluatedKey"])
    )
    assert first["Count"] == 2
    assert len(first["Items"]) == 2
    assert first["LastEvaluatedKey"] == {"pk": PK, "sk": {"S": "TXN#02"}}
    assert isinstance(first["ConsumedCapacity"]["CapacityUnits"], float)  # still botocore's
    assert not any(b'"Items"' in body for body in parsed_bodies)


def test_update_item_attributes_equal_botocore(clients: tuple[Any, Any]) -> None:
    direct, plain = clients
    parsed_bodies = body_botocore_parses(direct, "UpdateItem")

    def update(client: Any, sk: str) -> dict[str, Any]:
        answer: dict[str, Any] = client.update_item(
            TableName=TABLE_NAME,
            Key={"pk": PK, "sk": {"S": sk}},
            UpdateExpression="SET version = :v",
            ExpressionAttributeValues={":v": {"N": "7"}},
            ReturnValues="ALL_NEW",
        )
        return answer

    answer = update(direct, "TXN#02")

    assert without_metadata(answer) == without_metadata(update(plain, "TXN#03")) | {
        "Attributes": {"pk": PK, "sk": {"S": "TXN#02"}, "version": {"N": "7"}}
    }
    assert b'"Attributes"' not in parsed_bodies[0]


def test_error_answers_are_botocore_s_own(clients: tuple[Any, Any]) -> None:
    direct, plain = clients

    def failed_condition(client: Any) -> dict[str, Any]:
        with pytest.raises(ClientError) as raised:
            client.update_item(
                TableName=TABLE_NAME,
                Key={"pk": PK, "sk": {"S": "TXN#01"}},
                UpdateExpression="SET version = :v",
                ConditionExpression="attribute_not_exists(pk)",
                ExpressionAttributeValues={":v": {"N": "1"}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        return without_metadata(raised.value.response)

    def cancelled(client: Any) -> dict[str, Any]:
        with pytest.raises(ClientError) as raised:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": TABLE_NAME,
                            "Item": {"pk": PK, "sk": {"S": "TXN#01"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                ]
            )
        return without_metadata(raised.value.response)

    condition = failed_condition(direct)
    assert condition == failed_condition(plain)
    assert condition["Error"]["Code"] == "ConditionalCheckFailedException"
    assert condition["Item"] == RICH_ITEM
    transaction = cancelled(direct)
    assert transaction == cancelled(plain)
    assert transaction["CancellationReasons"][0]["Code"] == "ConditionalCheckFailed"


def test_a_binary_item_falls_back_to_botocore(clients: tuple[Any, Any]) -> None:
    direct, plain = clients
    binary_item = {
        "pk": PK,
        "sk": {"S": "BIN"},
        "blob": {"B": b"\x00\xff"},
        "blobs": {"BS": [b"a"]},
    }
    plain.put_item(TableName=TABLE_NAME, Item=binary_item)
    parsed_bodies = body_botocore_parses(direct, "GetItem")

    answer = direct.get_item(TableName=TABLE_NAME, Key={"pk": PK, "sk": {"S": "BIN"}})

    assert answer["Item"] == binary_item  # bytes, base64-decoded by botocore
    assert b'"Item"' in parsed_bodies[0]


def test_response_metadata_is_still_there(clients: tuple[Any, Any]) -> None:
    direct, _plain = clients
    answer = direct.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": PK},
    )
    metadata = answer["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 200
    assert metadata["RequestId"]
    assert metadata["RetryAttempts"] == 0


def test_a_wrong_crc32_is_retried_as_before() -> None:
    """botocore checks x-amz-crc32 on the raw HTTP body (botocore/retries/special.py
    RetryDDBChecksumError): a mismatch is retried the same with or without the direct reads."""
    body = json.dumps({"Item": {"pk": PK}}).encode()

    def attempts(client: Any) -> tuple[int, dict[str, Any]]:
        sent: list[int] = []

        def answer(**_kwargs: Any) -> AWSResponse:
            sent.append(1)
            headers = {"x-amz-crc32": "1", "x-amzn-RequestId": "r1"}
            return AWSResponse("https://dynamodb", 200, headers, RawBody(body))

        client.meta.events.register("before-send.dynamodb.GetItem", answer)
        parsed = client.get_item(TableName=TABLE_NAME, Key={"pk": PK})
        return len(sent), parsed

    config = aws.CLIENT_CONFIG
    plain = boto3.client("dynamodb", region_name=REGION, config=config)
    direct = aws.read_items_directly(boto3.client("dynamodb", region_name=REGION, config=config))
    plain_attempts, plain_parsed = attempts(plain)
    direct_attempts, direct_parsed = attempts(direct)
    assert direct_attempts == plain_attempts > 1
    assert without_metadata(direct_parsed) == without_metadata(plain_parsed) == {"Item": {"pk": PK}}
    retries = direct_parsed["ResponseMetadata"]["RetryAttempts"]
    assert retries == plain_parsed["ResponseMetadata"]["RetryAttempts"] == direct_attempts - 1


def test_the_process_wide_client_reads_items_directly(aws_backend: None) -> None:
    dynamodb = aws.client("dynamodb")
    parsed_bodies = body_botocore_parses(dynamodb, "GetItem")
    dynamodb.put_item(TableName=TABLE_NAME, Item={"pk": PK, "sk": {"S": "A"}, "n": {"N": "1"}})
    answer = dynamodb.get_item(TableName=TABLE_NAME, Key={"pk": PK, "sk": {"S": "A"}})
    assert answer["Item"]["n"] == {"N": "1"}
    assert b'"Item"' not in parsed_bodies[0]
    assert Decimal(answer["Item"]["n"]["N"]) == 1


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"Item": null}'])
def test_odd_2xx_bodies_parse_as_botocore_parses_them(body: bytes) -> None:
    def parsed(client: Any) -> object:
        def answer(**_kwargs: Any) -> AWSResponse:
            headers = {"x-amzn-RequestId": "r1"}
            return AWSResponse("https://dynamodb", 200, headers, RawBody(body))

        client.meta.events.register("before-send.dynamodb.GetItem", answer)
        try:
            return without_metadata(client.get_item(TableName=TABLE_NAME, Key={"pk": PK}))
        except Exception as error:  # botocore fails on some: so must the direct reads, alike
            return type(error)

    config = aws.CLIENT_CONFIG
    plain = boto3.client("dynamodb", region_name=REGION, config=config)
    direct = aws.read_items_directly(boto3.client("dynamodb", region_name=REGION, config=config))
    assert parsed(direct) == parsed(plain)
