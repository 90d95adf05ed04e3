"""Issue 11 item 7: after the idempotency window the outcome never depends on when DynamoDB's
TTL sweeper deletes items (it deletes lazily, typically within a few days:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html).

Semantics (docs/data-model.md): an Idempotency-Key names one transaction of one caller for ever.
The same key with the same body always returns that transaction; with another body it is
always 422, inside the window or after it, whether or not the expired record was swept.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from data_helpers import PAYMENT, post_transaction, record_calls
from unit_support import TABLE_NAME

from meridian.handlers import transactions

OTHER_BODY = {**PAYMENT, "amount": "99.00"}


@pytest.fixture(autouse=True)
def fresh_service(aws_backend, monkeypatch):
    monkeypatch.setattr(transactions.service, "_create_once", None)
    monkeypatch.setattr(transactions.service, "sleep", time.sleep)


def _expire_everything(dynamodb: Any, swept: bool) -> None:
    """The window has passed: every item with a TTL is expired; ``swept`` = TTL deleted them."""
    for item in dynamodb.scan(TableName=TABLE_NAME)["Items"]:
        if "expires_at" not in item:
            continue
        key = {"pk": item["pk"], "sk": item["sk"]}
        if swept:
            dynamodb.delete_item(TableName=TABLE_NAME, Key=key)
        else:
            dynamodb.update_item(
                TableName=TABLE_NAME,
                Key=key,
                UpdateExpression="SET expires_at = :past",
                ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 60)}},
            )


def _stored_transactions(dynamodb: Any) -> int:
    return sum(
        item["sk"]["S"].startswith("TXN#") for item in dynamodb.scan(TableName=TABLE_NAME)["Items"]
    )


@pytest.mark.parametrize("swept", [False, True], ids=["expired-not-swept", "swept"])
def test_a_key_reused_after_the_window_never_returns_the_wrong_transaction(dynamodb, swept) -> None:
    first = post_transaction()
    assert first.status == 201
    _expire_everything(dynamodb, swept)

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


def test_a_first_request_reads_nothing_back_and_a_replay_reads_the_transaction() -> None:
    reads = record_calls("GetItem")
    first = post_transaction()
    assert (first.status, reads) == (201, [])
    replay = post_transaction()
    assert (replay.status, replay.body) == (201, first.body)
    assert [read["Key"]["sk"]["S"] for read in reads] == [f"TXN#{first.body['transaction_id']}"]
