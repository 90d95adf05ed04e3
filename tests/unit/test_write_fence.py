"""Issue 12, contract A: the write fence. A mutating request handled by a function whose region is
not WRITE_REGION (the standby, or any region while writes are paused for a failover) is refused
before any DynamoDB write: 503, Retry-After: 5, REGION_NOT_WRITABLE. Reads stay served."""

from __future__ import annotations

from typing import Any

import pytest
from data_helpers import PAYMENT, get_transactions, post_transaction, record_calls
from data_helpers import profile_call as call
from unit_support import REGION, TABLE_NAME

from meridian.errors import ConfigError
from meridian.handlers import profiles, transactions
from meridian.profiles.config import ProfilesConfig
from meridian.regions import WriteFence
from meridian.transactions.config import TransactionsConfig

STANDBY = "us-west-2"
SESSION = {"device_name": "Alice's phone", "platform": "ios"}
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


pytestmark = pytest.mark.usefixtures("aws_backend")


@pytest.fixture
def fence(monkeypatch) -> Any:
    """Set both functions' fence (what WRITE_REGION gives them at cold start)."""

    def set_write_region(write_region: str) -> None:
        fence = WriteFence.from_env(REGION, write_region)
        monkeypatch.setattr(profiles.write_fence, "fence", fence)
        monkeypatch.setattr(transactions.write_fence, "fence", fence)

    return set_write_region


def _writes() -> dict[str, list[dict[str, Any]]]:
    return {operation: record_calls(operation) for operation in WRITES}


def _assert_refused(reply: Any, message: str) -> None:
    assert reply.status == 503
    assert reply.headers["Retry-After"] == "5"
    assert reply.body["error"]["code"] == "REGION_NOT_WRITABLE"
    assert message in reply.body["error"]["message"]
    assert reply.body["error"]["request_id"]


def _all_items(dynamodb: Any) -> list[dict[str, Any]]:
    return dynamodb.scan(TableName=TABLE_NAME)["Items"]


MUTATIONS = [
    ("POST", "/profiles", "/profiles", {"display_name": "Alice"}),
    ("PUT", "/profiles/me", "/profiles/me", {"display_name": "Al", "version": 1}),
    ("DELETE", "/profiles/me", "/profiles/me", None),
    ("POST", "/profiles/me/sessions", "/profiles/me/sessions", SESSION),
    (
        "DELETE",
        "/profiles/me/sessions/01JAAAAAAAAAAAAAAAAAAAAAAA",
        "/profiles/me/sessions/{session_id}",
        None,
    ),
]


@pytest.mark.parametrize(("method", "path", "resource", "body"), MUTATIONS)
def test_every_profiles_mutation_is_refused_in_the_standby(
    dynamodb, fence, method, path, resource, body
) -> None:
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    before = _all_items(dynamodb)
    fence(STANDBY)
    writes = _writes()
    kwargs: dict[str, Any] = {"resource": resource}
    if body is not None:
        kwargs["body"] = body
    if "{session_id}" in resource:
        kwargs["path_parameters"] = {"session_id": path.rsplit("/", 1)[1]}
    reply = call(method, path, **kwargs)
    _assert_refused(reply, f"writes are accepted only in {STANDBY}")
    assert REGION in reply.body["error"]["message"]
    assert all(not calls for calls in writes.values())
    assert _all_items(dynamodb) == before


def test_a_transaction_is_refused_in_the_standby_and_nothing_is_stored(dynamodb, fence) -> None:
    fence(STANDBY)
    writes = _writes()
    reply = post_transaction()
    _assert_refused(reply, f"writes are accepted only in {STANDBY}")
    assert all(not calls for calls in writes.values())
    # Not even Powertools' idempotency record: a retry in the write region starts afresh.
    assert _all_items(dynamodb) == []


def test_paused_writes_are_refused_in_every_region_with_a_failover_message(dynamodb, fence) -> None:
    fence("none")
    for reply in (
        post_transaction(),
        call("POST", "/profiles", body={"display_name": "Alice"}),
    ):
        _assert_refused(reply, "paused")
    assert _all_items(dynamodb) == []


def test_reads_are_served_in_the_standby_and_while_paused(fence) -> None:
    created = call("POST", "/profiles", body={"display_name": "Alice"}).body
    transaction = post_transaction().body
    for write_region in (STANDBY, "none"):
        fence(write_region)
        assert call("GET", "/profiles/me").body == created
        assert call("GET", "/profiles/me/sessions").status == 200
        assert call("GET", "/profiles/me/export").status == 200
        assert get_transactions().body["items"] == [transaction]
        one = get_transactions(
            f"/transactions/{transaction['transaction_id']}",
            resource="/transactions/{transaction_id}",
            path_parameters={"transaction_id": transaction["transaction_id"]},
        )
        assert one.status == 200


def test_the_write_region_itself_accepts_writes(fence) -> None:
    fence(REGION)
    assert call("POST", "/profiles", body={"display_name": "Alice"}).status == 201
    assert post_transaction(PAYMENT, key="k-fenced").status == 201


def test_a_refused_request_is_not_validated_first(fence) -> None:
    """Refused before anything else: the client learns to go elsewhere, not to fix a body
    another region may accept (API Gateway validated the schema already)."""
    fence(STANDBY)
    reply = call("POST", "/profiles", raw_body="{not json", headers={"Content-Type": "text/x"})
    assert reply.body["error"]["code"] == "REGION_NOT_WRITABLE"


@pytest.mark.parametrize("factory", [ProfilesConfig, TransactionsConfig])
def test_write_region_is_read_at_cold_start(factory: Any) -> None:
    env = {
        "TABLE_NAME": "meridian-dev",
        "ENVIRONMENT": "dev",
        "CORS_ALLOW_ORIGIN": "*",
        "AWS_REGION": "us-east-1",
    }
    assert factory.from_env({**env, "WRITE_REGION": "us-east-1"}).write_fence.accepts_writes
    assert not factory.from_env({**env, "WRITE_REGION": "us-west-2"}).write_fence.accepts_writes
    paused = factory.from_env({**env, "WRITE_REGION": "none"}).write_fence
    assert not paused.accepts_writes
    assert paused.write_region is None
    for bad in ({}, {"WRITE_REGION": "Mars"}, {"WRITE_REGION": ""}):
        with pytest.raises(ConfigError, match="WRITE_REGION"):
            factory.from_env({**env, **bad})


def test_the_fence_names_the_caller_region_only_in_its_message() -> None:
    refused = WriteFence.from_env("us-west-2", "us-east-1")
    assert refused.region == "us-west-2"
    assert refused.write_region == "us-east-1"
    assert not refused.refuses("GET")
    assert not refused.refuses("HEAD")
    assert all(refused.refuses(method) for method in ("POST", "PUT", "PATCH", "DELETE"))
    assert not WriteFence.from_env("us-east-1", "us-east-1").refuses("DELETE")
