"""Issue 12 item 3: answers that hold under replication lag.

A global table replicates items one by one, not transactions: "Items are replicated
individually. Items that are updated within a single transaction might not be replicated
together" (https://docs.aws.amazon.com/prescriptive-guidance/latest/dynamodb-global-tables/overview.html).
So a replica can hold an idempotency guard whose transaction has not arrived yet: after an
unplanned failover the new write region may be that replica. A retry of the same request there
must get a retryable 503 (the transaction is on its way), never a 409 (which tells the client its
request conflicts) and never a second transaction.

The tests build that replica state by deleting the transaction item that a first request wrote,
and restore it as replication would.
"""

from __future__ import annotations

from typing import Any

import pytest
from data_helpers import ALICE, PAYMENT, post_transaction
from unit_support import TABLE_NAME

pytestmark = pytest.mark.usefixtures("aws_backend")


def _items(dynamodb: Any, prefix: str) -> list[dict[str, Any]]:
    return [
        item
        for item in dynamodb.scan(TableName=TABLE_NAME)["Items"]
        if item["sk"]["S"].startswith(prefix) or item["pk"]["S"].startswith(prefix)
    ]


def _remove(dynamodb: Any, item: dict[str, Any]) -> None:
    dynamodb.delete_item(TableName=TABLE_NAME, Key={"pk": item["pk"], "sk": item["sk"]})


def _assert_not_yet_replicated(reply: Any) -> None:
    assert reply.status == 503
    assert reply.body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert "not arrived" in reply.body["error"]["message"]
    assert reply.headers["Retry-After"] == "1"


def test_guard_without_its_transaction_is_a_retryable_503_then_the_same_transaction(
    dynamodb,
) -> None:
    """The guard's condition fails; the guard names a transaction this replica does not hold
    yet."""
    first = post_transaction()
    assert first.status == 201
    [transaction] = _items(dynamodb, "TXN#")
    _remove(dynamodb, transaction)

    _assert_not_yet_replicated(post_transaction())
    assert _items(dynamodb, "TXN#") == []  # no second transaction

    dynamodb.put_item(TableName=TABLE_NAME, Item=transaction)  # replication catches up
    replay = post_transaction()
    assert replay.status == 201
    assert replay.body == first.body


def test_a_different_body_under_a_replicated_guard_is_still_422(dynamodb) -> None:
    """The guard alone decides a reuse: its request digest arrived with it."""
    post_transaction()
    [transaction] = _items(dynamodb, "TXN#")
    _remove(dynamodb, transaction)
    reply = post_transaction({**PAYMENT, "amount": "99.00"})
    assert reply.status == 422
    assert reply.body["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_transaction_items_carry_their_key_digest_for_reconciliation(dynamodb) -> None:
    """After an unplanned failover the same key can name two transactions (one acknowledged
    by the lost region, one by the new write region); the digest on every transaction item lets
    the reconciliation query (docs/operations.md) find them."""
    post_transaction(key="k-one")
    post_transaction(key="k-two", caller=ALICE)
    [guard_one, guard_two] = sorted(
        (item for item in _items(dynamodb, "IDEMKEY#")), key=lambda i: i["transaction_id"]["S"]
    )
    transactions = {item["transaction_id"]["S"]: item for item in _items(dynamodb, "TXN#")}
    for guard in (guard_one, guard_two):
        digest = guard["sk"]["S"].removeprefix("IDEMKEY#")
        assert transactions[guard["transaction_id"]["S"]]["key_digest"]["S"] == digest
