"""Issue 11 items 6, 8 and 12 through the gateway: the GDPR export is paged (the cursor crosses
API Gateway), an erasure leaves no personal data and no late session, an expired session is gone.

Seeding writes items straight into the table (the e2e credentials may; on AWS too), exactly as
the functions store them (docs/data-model.md).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from e2e_support import aws
from e2e_support.api import Api, expect_error, expect_status
from e2e_support.target import Target
from e2e_support.users import User

LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024
SEEDED = 1_200  # > 2 pages of 500; the unit suite proves 25,000 (tests/unit/test_export_pages.py)
WORST_REFERENCE = "\U0001f600" * 140
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _ulid(millis: int, counter: int) -> str:
    value = (millis << 80) | counter
    return "".join(_CROCKFORD[(value >> (5 * (25 - i))) & 31] for i in range(26))


def _table(target: Target) -> tuple[Any, str]:
    if not target.table_name:
        pytest.skip("the target's outputs name no table")
    return aws.client(target, "dynamodb"), target.table_name


def _seed_transactions(target: Target, sub: str, count: int) -> set[str]:
    dynamodb, table = _table(target)
    start = int(time.time() * 1000) - 1_000_000
    ids = [_ulid(start, n) for n in range(count)]
    for offset in range(0, count, 25):
        batch = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": f"USER#{sub}"},
                        "sk": {"S": f"TXN#{transaction_id}"},
                        "transaction_id": {"S": transaction_id},
                        "amount": {"N": "1"},
                        "currency": {"S": "USD"},
                        "type": {"S": "debit"},
                        "status": {"S": "completed"},
                        "created_at": {"S": "2026-11-23T18:00:00Z"},
                        "reference": {"S": WORST_REFERENCE},
                    }
                }
            }
            for transaction_id in ids[offset : offset + 25]
        ]
        pending: dict[str, Any] = {table: batch}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return set(ids)


def _with_profile(api: Api, user: User) -> None:
    expect_status(api.post("/profiles", token=user.id_token, json_body={"display_name": "A"}), 201)


def test_the_export_is_paged_through_the_gateway(api: Api, target: Target, user: User) -> None:
    _with_profile(api, user)
    stored = _seed_transactions(target, user.sub, SEEDED)
    seen: list[str] = []
    pages, cursor = 0, None
    while True:
        response = api.get(
            "/profiles/me/export",
            token=user.id_token,
            params={"cursor": cursor} if cursor else None,
        )
        expect_status(response, 200)
        assert len(response.content) < LAMBDA_RESPONSE_LIMIT // 2
        page = response.json()
        if pages == 0:
            assert page["profile"]["user_id"] == user.sub
        seen.extend(t["transaction_id"] for t in page["transactions"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages >= 3
    assert set(seen) == stored
    assert len(seen) == SEEDED


def test_a_tampered_export_cursor_is_400(api: Api, user: User) -> None:
    _with_profile(api, user)
    response = api.get("/profiles/me/export", token=user.id_token, params={"cursor": "!!!"})
    expect_error(response, 400, "VALIDATION_ERROR")


def test_an_expired_session_is_gone_before_ttl_sweeps_it(
    api: Api, target: Target, user: User
) -> None:
    _with_profile(api, user)
    dynamodb, table = _table(target)
    session_id = _ulid(int(time.time() * 1000) - 10**9, 1)
    dynamodb.put_item(
        TableName=table,
        Item={
            "pk": {"S": f"USER#{user.sub}"},
            "sk": {"S": f"SESSION#{session_id}"},
            "session_id": {"S": session_id},
            "device_name": {"S": "old"},
            "platform": {"S": "web"},
            "created_at": {"S": "2020-01-01T00:00:00Z"},
            "expires_at": {"N": str(int(time.time()) - 3600)},
        },
    )
    listed = api.get("/profiles/me/sessions", token=user.id_token)
    expect_status(listed, 200)
    assert listed.json()["items"] == []
    expect_error(
        api.delete(f"/profiles/me/sessions/{session_id}", token=user.id_token), 404, "NOT_FOUND"
    )


def test_erasure_leaves_no_personal_data(api: Api, user: User) -> None:
    _with_profile(api, user)
    session = api.post(
        "/profiles/me/sessions",
        token=user.id_token,
        json_body={"device_name": "A phone", "platform": "ios"},
    )
    expect_status(session, 201)
    txn = api.post_transaction(
        user.id_token,
        {"amount": "42.00", "currency": "USD", "type": "credit", "reference": "gift for Ann"},
    )
    expect_status(txn, 201)
    expect_status(api.delete("/profiles/me", token=user.id_token), 204)

    export = api.get("/profiles/me/export", token=user.id_token)
    expect_status(export, 200)
    assert export.json()["profile"] is None
    assert export.json()["sessions"] == []
    kept = api.get(f"/transactions/{txn.json()['transaction_id']}", token=user.id_token)
    expect_status(kept, 200)
    assert "reference" not in kept.json()
    # No session can be registered without a profile: nothing survives the erasure.
    late = api.post(
        "/profiles/me/sessions",
        token=user.id_token,
        json_body={"device_name": "late", "platform": "web"},
    )
    expect_error(late, 404)
