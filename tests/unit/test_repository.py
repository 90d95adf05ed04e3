"""Repository paths that moto never takes on its own: pagination and throttled batch writes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from meridian import errors, repository
from meridian.profiles.model import Session
from meridian.repository import Repository


class ScriptedClient:
    """Answers each call with the next scripted response and records the requests."""

    def __init__(self, responses: list[dict]) -> None:
        self.responses = responses
        self.requests: list[tuple[str, dict]] = []

    def __getattr__(self, operation: str):
        def call(**request):
            self.requests.append((operation, request))
            return self.responses.pop(0)

        return call


def repo(client: ScriptedClient) -> Repository:
    return Repository("t", client, sleep=lambda _seconds: None)  # type: ignore[arg-type]


def item(sk: str) -> dict:
    return {"pk": {"S": "USER#u"}, "sk": {"S": sk}}


def session(n: int, expires_at: int = 2_000_000_000) -> dict:
    session_id = f"01JAAAAAAAAAAAAAAAAAAAAAA{n}"
    return {
        **item(f"SESSION#{session_id}"),
        "session_id": {"S": session_id},
        "device_name": {"S": "phone"},
        "platform": {"S": "ios"},
        "created_at": {"S": "2026-11-23T18:00:00Z"},
        "expires_at": {"N": str(expires_at)},
    }


def test_list_sessions_follows_every_page_and_drops_expired_ones() -> None:
    client = ScriptedClient([
        {"Items": [session(1)], "LastEvaluatedKey": item("SESSION#1")},
        {"Items": [session(2), session(3, expires_at=1)]},
    ])  # fmt: skip
    found = repo(client).list_sessions("u", now=1_800_000_000)
    assert [s.session_id[-1] for s in found] == ["1", "2"]
    assert client.requests[1][1]["ExclusiveStartKey"] == item("SESSION#1")
    assert all(request["ConsistentRead"] for _, request in client.requests)


def test_batch_delete_retries_unprocessed_items() -> None:
    leftover = [{"DeleteRequest": {"Key": item("SESSION#2")}}]
    client = ScriptedClient([
        {"Items": [item("SESSION#1"), item("SESSION#2")]},
        {"UnprocessedItems": {"t": leftover}},
        {"UnprocessedItems": {}},
    ])  # fmt: skip
    repo(client).delete_sessions("u")
    writes = [r for operation, r in client.requests if operation == "batch_write_item"]
    assert [len(r["RequestItems"]["t"]) for r in writes] == [2, 1]


def test_batch_delete_splits_into_chunks_of_25() -> None:
    client = ScriptedClient([{"Items": [item(f"SESSION#{n}") for n in range(60)]}, {}, {}, {}])
    repo(client).delete_sessions("u")
    writes = [r for operation, r in client.requests if operation == "batch_write_item"]
    assert [len(r["RequestItems"]["t"]) for r in writes] == [25, 25, 10]


def test_batch_delete_that_stays_throttled_is_503() -> None:
    leftover = [{"DeleteRequest": {"Key": item("SESSION#1")}}]
    client = ScriptedClient(
        [{"Items": [item("SESSION#1")]}] + [{"UnprocessedItems": {"t": leftover}}] * 10
    )
    with pytest.raises(errors.ServiceUnavailableError):
        repo(client).delete_sessions("u")
    assert len(client.requests) == 1 + 1 + len(repository.BATCH_RETRY_DELAYS)


def test_cause_chains_with_cycles_terminate() -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first
    assert errors.is_unavailable(first) is False


def test_scrub_stops_at_the_deadline_inside_a_page(monkeypatch) -> None:
    clock = iter([0.0, 0.0, 10.0, 10.0])  # the page check, then one value per item
    monkeypatch.setattr(repository.time, "monotonic", lambda: next(clock))
    scrubbable = [{**item(f"TXN#{n}"), "reference": {"S": "x"}} for n in (1, 2, 3)]
    client = ScriptedClient([{"Items": scrubbable}, {}])
    assert repo(client).scrub_personal_data("u", deadline=5.0) is False
    assert [operation for operation, _ in client.requests] == ["query", "update_item"]


def test_scrub_follows_every_page_without_a_deadline() -> None:
    guard = {**item("IDEMKEY#1"), "request_hash": {"S": "x"}}
    client = ScriptedClient([
        {"Items": [guard, item("PROFILE")], "LastEvaluatedKey": item("PROFILE")},
        {},
        {"Items": [{**item("TXN#2"), "reference": {"S": "x"}}, item("TXN#3")]},
        {},
    ])  # fmt: skip
    assert repo(client).scrub_personal_data("u") is True
    assert [operation for operation, _ in client.requests] == [
        "query",
        "update_item",
        "query",
        "update_item",
    ]
    assert client.requests[1][1]["Key"]["sk"] == {"S": "IDEMKEY#1"}
    assert client.requests[3][1]["Key"]["sk"] == {"S": "TXN#2"}
    assert client.requests[2][1]["ExclusiveStartKey"] == item("PROFILE")


class CancellingClient:
    """transact_write_items is cancelled with the given CancellationReasons codes."""

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes

    def transact_write_items(self, **_request):
        raise ClientError(
            {
                "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                "CancellationReasons": [{"Code": code} for code in self.codes],
            },
            "TransactWriteItems",
        )


def a_session() -> Session:
    return Session(
        session_id="01JAAAAAAAAAAAAAAAAAAAAAAA",
        device_name="phone",
        platform="ios",
        created_at="2026-12-02T00:00:00Z",
        expires_at=2_000_000_000,
    )


def test_a_session_without_a_profile_is_404() -> None:
    client = CancellingClient(["ConditionalCheckFailed", "None"])
    with pytest.raises(errors.NotFoundError):
        Repository("t", client).create_session("u", a_session())  # type: ignore[arg-type]


def test_a_session_whose_id_is_taken_is_409_not_a_missing_profile() -> None:
    # The Put's own condition (a session with this id exists) is not "create a profile first".
    client = CancellingClient(["None", "ConditionalCheckFailed"])
    with pytest.raises(errors.ConflictError):
        Repository("t", client).create_session("u", a_session())  # type: ignore[arg-type]
