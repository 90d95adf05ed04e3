"""Issue 11 item 8: the GDPR export succeeds at any size, one page at a time, every page far
below the 6 MB synchronous Lambda response limit
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import pytest
from data_helpers import ALICE
from data_helpers import profile_call as call

from bench.fake_aws import FakeAws, FakeTable
from meridian import aws, ids

LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024
TRANSACTIONS = int(os.environ.get("EXPORT_TEST_TRANSACTIONS", "25000"))
# The longest reference the schema accepts (140 characters), each an astral character that
# json.dumps escapes as a 12-byte surrogate pair: the largest item view there can be.
WORST_REFERENCE = "\U0001f600" * 140


@pytest.fixture(autouse=True)
def table() -> Iterator[FakeTable]:
    """DynamoDB answered in memory by the bench's fake (bench/fake_aws.py) on botocore's public
    ``before-send`` event of the handlers' client (``meridian.aws``'s process-wide one): botocore
    still validates, serialises and parses every call the handler makes, only the network (and
    moto, whose responses cost ~2 ms per item: minutes for 25,000) is left out. No moto here."""
    fake = FakeAws()
    aws.reset_clients()
    fake.install(aws.client("dynamodb").meta.events)
    yield fake.table
    aws.reset_clients()


def _store_transactions(table: FakeTable, count: int) -> set[str]:
    """``count`` transactions in Alice's partition, stored straight into the fake table."""
    start = int(time.time() * 1000) - count
    transaction_ids = [ids.new_ulid(start + n) for n in range(count)]
    for transaction_id in transaction_ids:
        table.put(
            {
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
        )
    return set(transaction_ids)


def test_an_export_of_25000_transactions_succeeds_page_by_page(table) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    call("POST", "/profiles/me/sessions", body={"device_name": "phone", "platform": "ios"})
    stored = _store_transactions(table, TRANSACTIONS)

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
