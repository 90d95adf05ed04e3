"""Repository paths that moto never takes on its own: pagination and throttled batch writes."""

from __future__ import annotations

import pytest

from meridian import errors, repository
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


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch) -> None:
    monkeypatch.setattr(repository.time, "sleep", lambda _seconds: None)


def item(sk: str) -> dict:
    return {"pk": {"S": "USER#u"}, "sk": {"S": sk}}


def test_query_partition_follows_every_page() -> None:
    client = ScriptedClient([
        {"Items": [item("SESSION#1")], "LastEvaluatedKey": item("SESSION#1")},
        {"Items": [item("SESSION#2")]},
    ])  # fmt: skip
    found = Repository("t", client).query_partition("USER#u", "SESSION#")
    assert [i["sk"] for i in found] == ["SESSION#1", "SESSION#2"]
    assert client.requests[1][1]["ExclusiveStartKey"] == item("SESSION#1")


def test_batch_delete_retries_unprocessed_items() -> None:
    leftover = [{"DeleteRequest": {"Key": item("SESSION#2")}}]
    client = ScriptedClient([
        {"UnprocessedItems": {"t": leftover}},
        {"UnprocessedItems": {}},
    ])  # fmt: skip
    keys = [{"pk": "USER#u", "sk": f"SESSION#{n}"} for n in (1, 2)]
    Repository("t", client).delete_keys(keys)
    assert [len(r["RequestItems"]["t"]) for _, r in client.requests] == [2, 1]


def test_batch_delete_splits_into_chunks_of_25() -> None:
    client = ScriptedClient([{}, {}, {}])
    keys = [{"pk": "USER#u", "sk": f"SESSION#{n}"} for n in range(60)]
    Repository("t", client).delete_keys(keys)
    assert [len(r["RequestItems"]["t"]) for _, r in client.requests] == [25, 25, 10]


def test_batch_delete_that_stays_throttled_is_503() -> None:
    leftover = [{"DeleteRequest": {"Key": item("SESSION#1")}}]
    client = ScriptedClient([{"UnprocessedItems": {"t": leftover}}] * 10)
    with pytest.raises(errors.ServiceUnavailableError):
        Repository("t", client).delete_keys([{"pk": "USER#u", "sk": "SESSION#1"}])
    assert len(client.requests) == 1 + len(repository.BATCH_RETRY_DELAYS)


def test_cause_chains_with_cycles_terminate() -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first
    assert errors.is_unavailable(first) is False
