"""Issue 11 item 8: the GDPR export succeeds at any size, one page at a time, every page far
below the 6 MB synchronous Lambda response limit
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest
from data_helpers import ALICE
from data_helpers import profile_call as call
from moto.dynamodb.responses import DynamoResult
from unit_support import TABLE_NAME

from meridian import ids

LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024
TRANSACTIONS = int(os.environ.get("EXPORT_TEST_TRANSACTIONS", "25000"))
# The longest reference the schema accepts (140 characters), each an astral character that
# json.dumps escapes as a 12-byte surrogate pair: the largest item view there can be.
WORST_REFERENCE = "\U0001f600" * 140

pytestmark = pytest.mark.usefixtures("aws_backend")


@pytest.fixture(autouse=True)
def fast_moto_responses(monkeypatch):
    """moto serialises every DynamoDB response through botocore's output model, which costs
    ~2 ms per item: 25,000 items would take minutes. DynamoDB's JSON protocol body is exactly
    the wire-format dict moto already holds, so emit it with json.dumps (same bytes for the
    client, which still parses them with its model). Emulator speed-up only; our code and the
    requests it sends are unchanged."""

    original = DynamoResult.execute_result

    def execute_result(self: DynamoResult, context: Any) -> Any:
        if context.operation_model.name not in ("Query", "BatchWriteItem"):
            return original(self, context)
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, json.dumps(self.result)

    monkeypatch.setattr(DynamoResult, "execute_result", execute_result)


def _store_transactions(dynamodb: Any, count: int) -> set[str]:
    """``count`` transactions in Alice's partition, 25 per BatchWriteItem (fast, in moto)."""
    start = int(time.time() * 1000) - count
    transaction_ids = [ids.new_ulid(start + n) for n in range(count)]
    for offset in range(0, count, 25):
        requests = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": f"USER#{ALICE}"},
                        "sk": {"S": f"TXN#{transaction_id}"},
                        "transaction_id": {"S": transaction_id},
                        "amount": {"N": "12.3"},
                        "currency": {"S": "USD"},
                        "type": {"S": "debit"},
                        "status": {"S": "completed"},
                        "created_at": {"S": "2026-11-23T18:00:00Z"},
                        "reference": {"S": WORST_REFERENCE},
                    }
                }
            }
            for transaction_id in transaction_ids[offset : offset + 25]
        ]
        dynamodb.batch_write_item(RequestItems={TABLE_NAME: requests})
    return set(transaction_ids)


def test_an_export_of_25000_transactions_succeeds_page_by_page(dynamodb) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    call("POST", "/profiles/me/sessions", body={"device_name": "phone", "platform": "ios"})
    stored = _store_transactions(dynamodb, TRANSACTIONS)

    exported: list[str] = []
    profiles, sessions, pages, largest = [], 0, 0, 0
    cursor = None
    while True:
        reply = call("GET", "/profiles/me/export", query={"cursor": cursor} if cursor else None)
        assert reply.status == 200
        size = len(json.dumps(reply.body, separators=(",", ":"), sort_keys=True).encode())
        largest = max(largest, size)
        pages += 1
        if reply.body["profile"] is not None:
            profiles.append(reply.body["profile"]["user_id"])
        sessions += len(reply.body["sessions"])
        exported.extend(t["transaction_id"] for t in reply.body["transactions"])
        cursor = reply.body["next_cursor"]
        if cursor is None:
            break
    assert profiles == [ALICE]
    assert sessions == 1
    assert len(exported) == TRANSACTIONS
    assert set(exported) == stored
    assert pages >= TRANSACTIONS // 500
    # "Well under": every page, even of the largest items there can be, is below half the limit.
    assert largest < LAMBDA_RESPONSE_LIMIT // 2


@pytest.mark.parametrize(
    "cursor",
    ["!!!", "a" * 600, "eyJzayI6IklERU1LRVkjeCJ9", "eyJwayI6IlVTRVIjYm9iIiwic2siOiJQUk9GSUxFIn0"],
    ids=["not-base64", "too-long", "guard-key", "other-partition"],
)
def test_a_tampered_export_cursor_is_400(cursor) -> None:
    reply = call("GET", "/profiles/me/export", query={"cursor": cursor})
    assert reply.status == 400
    assert reply.body["error"]["message"] == "cursor is invalid"
