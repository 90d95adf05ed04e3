"""Issue 11 items 6 and 12: erasure is complete and race-free; an expired session is gone
everywhere (docs/data-model.md#personal-data-and-retention)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from data_helpers import ALICE, PAYMENT, items_of, post_transaction
from data_helpers import profile_call as call
from unit_support import TABLE_NAME, FakeLambdaContext, cognito_authorizer, rest_event

from meridian import aws, errors
from meridian.handlers import profiles

EXPIRED_SESSION = "01JAAAAAAAAAAAAAAAAAAAAAAA"


pytestmark = pytest.mark.usefixtures("aws_backend")


def _all_items(dynamodb: Any) -> list[dict[str, Any]]:
    return dynamodb.scan(TableName=TABLE_NAME)["Items"]


def test_the_idempotency_guard_holds_digests_only(dynamodb) -> None:
    assert post_transaction(key="key-1").status == 201
    [guard] = [i for i in _all_items(dynamodb) if i["sk"]["S"].startswith("IDEMKEY#")]
    assert set(guard) == {"pk", "sk", "transaction_id", "request_hash"}
    assert "key-1" not in json.dumps(guard)
    assert PAYMENT["reference"] not in json.dumps(guard)


def test_erasure_scrubs_the_reference_of_kept_transactions(dynamodb) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    created = post_transaction().body
    assert created["reference"] == PAYMENT["reference"]
    assert call("DELETE", "/profiles/me").status == 204
    kept = items_of(dynamodb, TABLE_NAME, f"USER#{ALICE}")
    assert [i["sk"]["S"] for i in kept if i["sk"]["S"].startswith("TXN#")] == [
        f"TXN#{created['transaction_id']}"
    ]
    assert PAYMENT["reference"] not in json.dumps(_all_items(dynamodb))
    # A replay of the same request after the erasure returns the (scrubbed) transaction: the
    # guard lost its body digest, and its key still names that one transaction.
    replay = post_transaction()
    assert replay.status == 201
    assert replay.body["transaction_id"] == created["transaction_id"]
    assert "reference" not in replay.body
    after = items_of(dynamodb, TABLE_NAME, f"USER#{ALICE}")
    assert len([i for i in after if i["sk"]["S"].startswith("TXN#")]) == 1


def _during_erasure(action: Any) -> list[Any]:
    """Run ``action`` once, just before the erasure's first BatchWriteItem (when it has read
    what to delete); returns what the action returned or raised."""
    outcomes: list[Any] = []

    def hook(**_: Any) -> None:
        if not outcomes:
            try:
                outcomes.append(action())
            except errors.MeridianError as error:
                outcomes.append(error)

    aws.client("dynamodb").meta.events.register("before-call.dynamodb.BatchWriteItem", hook)
    return outcomes


def test_a_session_created_while_erasure_runs_does_not_survive(dynamodb) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    call("POST", "/profiles/me/sessions", body={"device_name": "phone", "platform": "ios"})
    outcomes = _during_erasure(
        lambda: profiles.service.create_session(ALICE, {"device_name": "late", "platform": "web"})
    )
    assert call("DELETE", "/profiles/me").status == 204
    assert len(outcomes) == 1
    assert items_of(dynamodb, TABLE_NAME, f"USER#{ALICE}") == []
    assert isinstance(outcomes[0], errors.NotFoundError)


def test_a_transaction_created_while_erasure_runs_is_refused(dynamodb) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    outcomes = _during_erasure(lambda: post_transaction(key="late"))
    assert call("DELETE", "/profiles/me").status == 204
    assert outcomes[0].status == 409
    assert outcomes[0].body["error"]["code"] == "CONFLICT"
    assert PAYMENT["reference"] not in json.dumps(_all_items(dynamodb))
    # Once the erasure has finished the user may transact again.
    assert post_transaction(key="later").status == 201


def test_an_interrupted_erasure_hides_the_profile_and_finishes_when_repeated(
    dynamodb, monkeypatch
) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    call("POST", "/profiles/me/sessions", body={"device_name": "phone", "platform": "ios"})
    repository = profiles.service.repository

    def crash(*_args: object) -> bool:
        raise errors.ServiceUnavailableError("the data store is temporarily unavailable")

    monkeypatch.setattr(repository, "scrub_personal_data", crash)
    assert call("DELETE", "/profiles/me").status == 503
    assert call("GET", "/profiles/me").status == 404
    assert call("PUT", "/profiles/me", body={"version": 1, "display_name": "X"}).status == 404
    assert call("GET", "/profiles/me/export").body["profile"] is None
    late = call("POST", "/profiles/me/sessions", body={"device_name": "x", "platform": "web"})
    assert late.status == 404
    monkeypatch.undo()
    assert call("DELETE", "/profiles/me").status == 204
    assert items_of(dynamodb, TABLE_NAME, f"USER#{ALICE}") == []
    assert call("DELETE", "/profiles/me").status == 404


def _store_expired_session(dynamodb: Any) -> None:
    dynamodb.put_item(
        TableName=TABLE_NAME,
        Item={
            "pk": {"S": f"USER#{ALICE}"},
            "sk": {"S": f"SESSION#{EXPIRED_SESSION}"},
            "session_id": {"S": EXPIRED_SESSION},
            "device_name": {"S": "old"},
            "platform": {"S": "web"},
            "created_at": {"S": "2020-01-01T00:00:00Z"},
            "expires_at": {"N": "1600000000"},
        },
    )


def test_an_expired_session_not_yet_swept_is_gone_everywhere(dynamodb) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    _store_expired_session(dynamodb)
    assert call("GET", "/profiles/me/sessions").body["items"] == []
    assert call("GET", "/profiles/me/export").body["sessions"] == []
    reply = call(
        "DELETE",
        f"/profiles/me/sessions/{EXPIRED_SESSION}",
        resource="/profiles/me/sessions/{session_id}",
    )
    assert reply.status == 404
    assert reply.body["error"]["code"] == "NOT_FOUND"


@dataclass
class AlmostOutOfTime(FakeLambdaContext):
    def get_remaining_time_in_millis(self) -> int:
        return 1_000  # less than the erasure's safety margin


def test_an_erasure_out_of_time_is_503_and_continues_when_repeated(dynamodb) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    for key in ("k1", "k2", "k3"):
        assert post_transaction(key=key).status == 201
    event = rest_event("DELETE", "/profiles/me", authorizer=cognito_authorizer(ALICE))
    result = profiles.handler(event, AlmostOutOfTime())
    assert result["statusCode"] == 503
    assert json.loads(result["body"])["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert call("GET", "/profiles/me").status == 404
    assert call("DELETE", "/profiles/me").status == 204
    assert PAYMENT["reference"] not in json.dumps(_all_items(dynamodb))
    assert call("DELETE", "/profiles/me").status == 404
