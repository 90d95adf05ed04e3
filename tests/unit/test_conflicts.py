"""Issue 11 item 9: DynamoDB transaction conflicts are retried a bounded number of times and
then answered 409 CONFLICT, never 500; a failed condition stays final (not retried).
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from data_helpers import post_transaction
from data_helpers import profile_call as call

from meridian import aws
from meridian.handlers import transactions
from meridian.repository import CONFLICT_RETRY_DELAYS

pytestmark = pytest.mark.usefixtures("aws_backend")


def cancelled(*codes: str) -> ClientError:
    """TransactionCanceledException exactly as DynamoDB sends it (reasons in request order)."""
    reasons = [
        {"Code": code, "Message": "Transaction is ongoing for the item"}
        if code == "TransactionConflict"
        else {
            "Code": code,
            **({"Message": "The conditional request failed"} if code != "None" else {}),
        }
        for code in codes
    ]
    return ClientError(
        {
            "Error": {
                "Code": "TransactionCanceledException",
                "Message": f"Transaction cancelled, please refer cancellation reasons for specific"
                f" reasons [{', '.join(codes)}]",
            },
            "CancellationReasons": reasons,
            "ResponseMetadata": {"HTTPStatusCode": 400},
        },
        "TransactWriteItems",
    )


def conflict_exception(operation: str) -> ClientError:
    return ClientError(
        {
            "Error": {
                "Code": "TransactionConflictException",
                "Message": "Transaction is ongoing for the item",
            },
            "ResponseMetadata": {"HTTPStatusCode": 400},
        },
        operation,
    )


class Flaky:
    """The real (moto) client, except that ``operation`` raises ``error`` ``times`` times."""

    def __init__(self, real: Any, operation: str, error: Exception, times: int) -> None:
        self.real, self.operation, self.error, self.remaining = real, operation, error, times
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.real, name)
        if name != self.operation:
            return attribute

        def call(**kwargs: Any) -> Any:
            self.calls += 1
            if self.remaining:
                self.remaining -= 1
                raise self.error
            return attribute(**kwargs)

        return call


def flaky(monkeypatch, operation: str, error: Exception, times: int) -> Flaky:
    client = Flaky(aws.client("dynamodb"), operation, error, times)
    monkeypatch.setattr(aws, "client", lambda _service: client)
    return client


def session_body() -> dict[str, Any]:
    return {"body": {"device_name": "phone", "platform": "ios"}}


def test_a_persistent_transaction_conflict_is_409_after_bounded_retries(monkeypatch) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    client = flaky(
        monkeypatch, "transact_write_items", cancelled("None", "TransactionConflict"), 99
    )
    reply = call("POST", "/profiles/me/sessions", **session_body())
    assert reply.status == 409
    assert reply.body["error"]["code"] == "CONFLICT"
    assert 2 <= client.calls <= 5


def test_a_transient_transaction_conflict_is_retried_and_succeeds(monkeypatch) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    client = flaky(monkeypatch, "transact_write_items", cancelled("TransactionConflict", "None"), 1)
    assert call("POST", "/profiles/me/sessions", **session_body()).status == 201
    assert client.calls == 2


def test_a_failed_condition_mixed_with_a_conflict_is_final_not_retried(monkeypatch) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    error = cancelled("ConditionalCheckFailed", "TransactionConflict")
    client = flaky(monkeypatch, "transact_write_items", error, 99)
    reply = call("POST", "/profiles/me/sessions", **session_body())
    assert reply.status == 404
    assert client.calls == 1


def test_a_profile_update_conflicting_with_a_transaction_is_409(monkeypatch) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    flaky(monkeypatch, "update_item", conflict_exception("UpdateItem"), 99)
    reply = call("PUT", "/profiles/me", body={"version": 1, "display_name": "Alicia"})
    assert reply.status == 409
    assert reply.body["error"]["code"] == "CONFLICT"


def test_a_duplicate_that_conflicts_with_the_first_request_gets_its_transaction(
    monkeypatch,
) -> None:
    """Parallel duplicates write the same guard: on DynamoDB the later ones are cancelled with
    TransactionConflict while the first commits; retried, their guard condition fails and they
    answer with the first request's transaction (moto never conflicts: stubbed here)."""
    first = post_transaction()
    client = flaky(
        monkeypatch, "transact_write_items", cancelled("TransactionConflict", "None", "None"), 1
    )
    duplicate = post_transaction()
    assert (duplicate.status, duplicate.body) == (201, first.body)
    assert client.calls == 2


def test_conflict_retries_are_jittered(monkeypatch) -> None:
    """Duplicates that conflicted together must not retry in lockstep."""
    naps: list[float] = []
    monkeypatch.setattr(transactions.service.repository, "_sleep", naps.append)
    flaky(monkeypatch, "transact_write_items", cancelled("TransactionConflict", "None", "None"), 99)
    for _ in range(3):
        assert post_transaction().status == 409
    assert len(naps) == 3 * len(CONFLICT_RETRY_DELAYS)
    assert len(set(naps)) > len(CONFLICT_RETRY_DELAYS)
    for nap, delay in zip(naps, CONFLICT_RETRY_DELAYS * 3, strict=True):
        assert 0.5 * delay <= nap <= 1.5 * delay


def test_a_transaction_write_conflict_is_409_not_500(monkeypatch) -> None:
    flaky(
        monkeypatch,
        "transact_write_items",
        cancelled("TransactionConflict", "None", "None"),
        99,
    )
    reply = post_transaction()
    assert reply.status == 409
    assert reply.body["error"]["code"] == "CONFLICT"
