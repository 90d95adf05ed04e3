"""Issue 11 item 7: an Idempotency-Key names one transaction of one caller for ever.

Nothing about it expires, so no answer depends on when DynamoDB's TTL sweeper deletes items (it
deletes lazily, typically within a few days:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html). The same
key with the same body always returns that transaction; with another body it is always 422
(docs/data-model.md).
"""

from __future__ import annotations

from typing import Any

import pytest
from data_helpers import PAYMENT, post_transaction, record_calls
from unit_support import TABLE_NAME

from meridian import aws

OTHER_BODY = {**PAYMENT, "amount": "99.00"}


pytestmark = pytest.mark.usefixtures("aws_backend")


def _stored_transactions(dynamodb: Any) -> int:
    return sum(
        item["sk"]["S"].startswith("TXN#") for item in dynamodb.scan(TableName=TABLE_NAME)["Items"]
    )


def test_a_key_reused_later_never_returns_the_wrong_transaction(dynamodb) -> None:
    first = post_transaction()
    assert first.status == 201

    other = post_transaction(OTHER_BODY)
    assert other.status == 422
    assert other.body["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"

    again = post_transaction()
    assert (again.status, again.body) == (201, first.body)
    assert _stored_transactions(dynamodb) == 1


def test_the_guard_has_no_ttl(dynamodb) -> None:
    post_transaction()
    guards = [
        item
        for item in dynamodb.scan(TableName=TABLE_NAME)["Items"]
        if item["sk"]["S"].startswith("IDEMKEY#")
    ]
    assert len(guards) == 1
    assert "expires_at" not in guards[0]
    # Neither the client's key nor its body is stored in clear.
    assert "key-1" not in guards[0]["sk"]["S"]


def test_a_create_is_one_write_and_a_replay_reads_the_guard_and_its_transaction() -> None:
    """The guard is the whole idempotency record: no other item, no second write."""
    operations: list[str] = []
    aws.client("dynamodb").meta.events.register(
        "before-call.dynamodb", lambda model, **_: operations.append(model.name)
    )
    reads = record_calls("GetItem")
    first = post_transaction()
    assert (first.status, operations, reads) == (201, ["TransactWriteItems"], [])
    operations.clear()
    replay = post_transaction()
    assert (replay.status, replay.body) == (201, first.body)
    assert operations == ["TransactWriteItems", "GetItem", "GetItem"]
    guard, transaction = (read["Key"]["sk"]["S"] for read in reads)
    assert guard.startswith("IDEMKEY#")
    assert transaction == f"TXN#{first.body['transaction_id']}"
