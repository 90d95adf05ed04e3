"""TransactWriteItems with a ClientRequestToken is idempotent for 10 minutes (moto ignores it).

"Providing a ClientRequestToken makes the call to TransactWriteItems idempotent ... A client
request token is valid for 10 minutes after the first request that uses it is completed ... the
same client token but a change in other parameters within the 10-minute idempotency window,
DynamoDB returns an IdempotentParameterMismatch exception"
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).
botocore fills the token itself (``idempotencyToken`` trait of ``ClientRequestToken`` in
botocore/data/dynamodb/2012-08-10/service-2.json, ``handlers.generate_idempotent_uuid``) and
sends the same request body, token included, on each of its retries.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ClientError
from ddb_support import PRIMARY, create_table, key

from devstack.dynamodb.idempotency import WINDOW_SECONDS, TransactionTokens
from devstack.wsgi import Response


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(emulator: Any) -> Iterator[_Clock]:
    """The emulator's token store on a clock the test moves (no waiting ten minutes)."""
    tokens: TransactionTokens = emulator.app.dynamodb.tokens
    fake, real = _Clock(), tokens.clock
    tokens.clock = fake
    yield fake
    tokens.clock = real


@pytest.fixture
def table(emulator: Any, unique_name: Any) -> tuple[str, Any]:
    """A fresh table (its name) and a client of the emulator's primary Region."""
    client = emulator.client("dynamodb", PRIMARY)
    name = unique_name("idem")
    create_table(client, name)
    return name, client


def _increment(name: str, by: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "Update": {
                "TableName": name,
                "Key": key("u", "counter"),
                "UpdateExpression": "ADD n :by",
                "ExpressionAttributeValues": {":by": {"N": str(by)}},
            }
        }
    ]


def _send(client: Any, name: str, token: str, by: int = 1) -> dict[str, Any]:
    answer: dict[str, Any] = client.transact_write_items(
        TransactItems=_increment(name, by), ClientRequestToken=token
    )
    return answer


def _counter(client: Any, name: str) -> int:
    item = client.get_item(TableName=name, Key=key("u", "counter"), ConsistentRead=True)
    return int(item.get("Item", {}).get("n", {}).get("N", "0"))


def test_the_same_token_and_request_twice_is_applied_once_and_both_succeed(
    table: tuple[str, Any], clock: _Clock
) -> None:
    name, client = table
    first = _send(client, name, "t-1")
    clock.now += WINDOW_SECONDS - 1
    second = _send(client, name, "t-1")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert second["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _counter(client, name) == 1


def test_the_same_token_with_other_parameters_is_an_idempotent_parameter_mismatch(
    table: tuple[str, Any], clock: _Clock
) -> None:
    name, client = table
    _send(client, name, "t-2")
    with pytest.raises(ClientError) as raised:
        _send(client, name, "t-2", by=5)
    assert raised.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert _counter(client, name) == 1


def test_after_ten_minutes_the_token_is_a_new_request(
    table: tuple[str, Any], clock: _Clock
) -> None:
    name, client = table
    _send(client, name, "t-3")
    clock.now += WINDOW_SECONDS + 1
    _send(client, name, "t-3")
    assert _counter(client, name) == 2
    # ... and a change of parameters is no mismatch any more once the window has passed.
    clock.now += WINDOW_SECONDS + 1
    _send(client, name, "t-3", by=5)
    assert _counter(client, name) == 7


def test_tokens_are_per_region_and_requests_without_one_are_never_replayed(
    emulator: Any, table: tuple[str, Any], clock: _Clock
) -> None:
    name, client = table
    _send(client, name, "t-4")
    tokens: TransactionTokens = emulator.app.dynamodb.tokens
    body = {"TransactItems": _increment(name), "ClientRequestToken": "t-4"}
    assert tokens.replay("us-west-2", body) is None
    assert tokens.replay(PRIMARY, {"TransactItems": _increment(name)}) is None


def test_a_cancelled_transaction_is_not_remembered(table: tuple[str, Any], clock: _Clock) -> None:
    """Only an applied transaction holds its token (a cancelled one changed nothing; AWS does
    not say what a retry of it gets: the devstack runs it again)."""
    name, client = table
    guarded = _increment(name)
    guarded[0]["Update"]["ConditionExpression"] = "attribute_exists(pk)"
    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=guarded, ClientRequestToken="t-5")
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    client.put_item(TableName=name, Item={**key("u", "counter"), "n": {"N": "10"}})
    client.transact_write_items(TransactItems=guarded, ClientRequestToken="t-5")
    assert _counter(client, name) == 11


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def test_a_botocore_retry_of_an_applied_transaction_succeeds_without_applying_it_again(
    emulator: Any, table: tuple[str, Any], clock: _Clock
) -> None:
    """The first attempt reaches DynamoDB and is applied, its answer is lost (here: a 500 in its
    place); botocore retries the same body with the same (generated) token."""
    name, _ = table
    client = emulator.client("dynamodb", PRIMARY, retries=3)
    bodies: list[bytes] = []

    def apply_then_lose_the_answer(request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        body = request.body if isinstance(request.body, bytes) else str(request.body).encode()
        bodies.append(body)
        if len(bodies) > 1:
            return None  # the retry goes out as usual
        sent = urllib.request.Request(  # noqa: S310 - the emulator's http:// endpoint
            request.url, data=body, headers=dict(request.headers.items()), method="POST"
        )
        with urllib.request.urlopen(sent) as answer:  # noqa: S310
            assert answer.status == 200  # applied
        lost = b'{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"x"}'
        return AWSResponse(
            request.url, 500, {"x-amzn-ErrorType": "InternalServerError"}, _Raw(lost)
        )

    client.meta.events.register(
        "before-send.dynamodb.TransactWriteItems", apply_then_lose_the_answer
    )
    client.transact_write_items(TransactItems=_increment(name))
    assert len(bodies) == 2
    assert bodies[0] == bodies[1]  # the same token on the retry
    assert b"ClientRequestToken" in bodies[0]
    assert _counter(emulator.client("dynamodb", PRIMARY), name) == 1


def test_the_window_runs_from_the_completion_and_expired_tokens_are_dropped() -> None:
    clock = _Clock()
    tokens = TransactionTokens(clock=clock)
    body = {"TransactItems": [{"ConditionCheck": {}}], "ClientRequestToken": "t"}
    ok = tokens.replay(PRIMARY, body)
    assert ok is None
    tokens.remember(PRIMARY, body, Response(200, [], b"{}"))
    clock.now += WINDOW_SECONDS
    replayed = tokens.replay(PRIMARY, body)
    assert replayed is not None
    assert replayed.status == 200
    clock.now += 0.001
    assert tokens.replay(PRIMARY, body) is None
    assert len(tokens) == 0
