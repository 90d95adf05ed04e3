"""Fault injection: PUT/GET/DELETE /_devstack/faults and the 503 answers it causes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError


def control(emulator: Any, method: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - local http
        f"{emulator.endpoint}/_devstack/faults", data=data, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - local http
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def no_faults_after(emulator: Any) -> Iterator[None]:
    yield
    control(emulator, "DELETE")


def test_injected_fault_answers_503_for_that_service_and_region_only(
    emulator: Any, unique_name: Any, no_faults_after: None
) -> None:
    east = emulator.client("dynamodb", "us-east-1")
    west = emulator.client("dynamodb", "us-west-2")
    status, listing = control(emulator, "PUT", {"service": "dynamodb", "region": "us-east-1"})
    assert status == 200
    assert listing == {"faults": [{"service": "dynamodb", "region": "us-east-1"}]}

    with pytest.raises(ClientError) as failure:
        east.list_tables()
    error = failure.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert error["Error"]["Code"] == "ServiceUnavailable"
    assert error["Error"]["Message"] == "injected by devstack"
    west.list_tables()  # other region unaffected
    emulator.client("sqs", "us-east-1").list_queues()  # other service unaffected

    assert control(emulator, "GET")[1]["faults"] == [{"service": "dynamodb", "region": "us-east-1"}]
    assert control(emulator, "DELETE") == (200, {"faults": []})
    east.list_tables()


def test_replication_still_reaches_a_faulted_region(
    emulator: Any, unique_name: Any, no_faults_after: None
) -> None:
    east = emulator.client("dynamodb", "us-east-1")
    west = emulator.client("dynamodb", "us-west-2")
    name = unique_name("faulted")
    east.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    east.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    control(emulator, "PUT", {"service": "dynamodb", "region": "us-west-2"})
    east.put_item(TableName=name, Item={"pk": {"S": "during-fault"}})
    control(emulator, "DELETE")
    # Replication is asynchronous (devstack.dynamodb.replication): wait for it, bounded.
    assert emulator.app.dynamodb.replicator.drain(timeout_seconds=30)
    assert "Item" in west.get_item(TableName=name, Key={"pk": {"S": "during-fault"}})


def test_secretsmanager_fault(emulator: Any, no_faults_after: None) -> None:
    secrets = emulator.client("secretsmanager", "us-west-2")
    control(emulator, "PUT", {"service": "secretsmanager", "region": "us-west-2"})
    with pytest.raises(ClientError) as failure:
        secrets.list_secrets()
    assert failure.value.response["Error"]["Code"] == "ServiceUnavailable"


@pytest.mark.parametrize(
    "body", [{}, {"service": "dynamodb"}, {"service": "", "region": "us-east-1"}, ["x"]]
)
def test_bad_fault_requests_are_rejected(emulator: Any, body: Any, no_faults_after: None) -> None:
    status, _ = control(emulator, "PUT", body)
    assert status == 400
    assert control(emulator, "GET")[1] == {"faults": []}
