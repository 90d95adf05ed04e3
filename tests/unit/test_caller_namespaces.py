"""Issue 11 items 1 (data side) and 13: caller kinds live in separate partitions; the list reads
strongly consistent."""

from __future__ import annotations

import pytest
from data_helpers import ALICE, PAYMENT, get_transactions, items_of, post_transaction, record_calls
from data_helpers import profile_call as call
from unit_support import TABLE_NAME, invoke, rest_event

from meridian.handlers import transactions

pytestmark = pytest.mark.usefixtures("aws_backend")


def test_a_partner_named_like_a_user_never_sees_or_writes_the_users_data(dynamodb) -> None:
    mine = post_transaction(key="same-key").body
    theirs = post_transaction(key="same-key", kind="partner").body
    # Same id string, same Idempotency-Key: two callers, two transactions.
    assert mine["transaction_id"] != theirs["transaction_id"]
    user_items = items_of(dynamodb, TABLE_NAME, f"USER#{ALICE}")
    partner_items = items_of(dynamodb, TABLE_NAME, f"PARTNER#{ALICE}")
    assert [i["transaction_id"]["S"] for i in user_items if i["sk"]["S"].startswith("TXN#")] == [
        mine["transaction_id"]
    ]
    assert [i["transaction_id"]["S"] for i in partner_items if i["sk"]["S"].startswith("TXN#")] == [
        theirs["transaction_id"]
    ]

    assert [t["transaction_id"] for t in get_transactions().body["items"]] == [
        mine["transaction_id"]
    ]
    assert [t["transaction_id"] for t in get_transactions(kind="partner").body["items"]] == [
        theirs["transaction_id"]
    ]
    resource = "/transactions/{transaction_id}"
    mine_path = f"/transactions/{mine['transaction_id']}"
    theirs_path = f"/transactions/{theirs['transaction_id']}"
    assert get_transactions(mine_path, kind="partner", resource=resource).status == 404
    assert get_transactions(theirs_path, resource=resource).status == 404


def test_the_gdpr_export_and_erasure_only_touch_the_users_partition(dynamodb) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    partner = post_transaction(key="p-1", kind="partner").body
    exported = call("GET", "/profiles/me/export").body
    assert exported["transactions"] == []
    assert call("DELETE", "/profiles/me").status == 204
    kept = items_of(dynamodb, TABLE_NAME, f"PARTNER#{ALICE}")
    txn = next(i for i in kept if i["sk"]["S"] == f"TXN#{partner['transaction_id']}")
    assert txn["reference"]["S"] == PAYMENT["reference"]


@pytest.mark.parametrize(
    "authorizer",
    [
        {"principalId": f"user:{ALICE}"},
        {"principalId": ALICE, "sub": ALICE, "token_type": "partner"},
        {"caller_kind": "admin", "caller_id": ALICE},
        {"caller_kind": "user", "caller_id": ""},
        {"caller_kind": "partner"},
    ],
    ids=["principal-only", "legacy-context", "unknown-kind", "empty-id", "no-id"],
)
def test_a_request_without_a_verified_caller_kind_is_401(authorizer) -> None:
    reply = invoke(transactions.handler, rest_event("GET", "/transactions", authorizer=authorizer))
    assert reply.status == 401
    assert reply.body["error"]["code"] == "UNAUTHORIZED"


def test_the_list_reads_strongly_consistent() -> None:
    post_transaction()
    queries = record_calls("Query")
    reply = get_transactions()
    assert reply.status == 200
    assert len(reply.body["items"]) == 1
    assert [query.get("ConsistentRead") for query in queries] == [True]
