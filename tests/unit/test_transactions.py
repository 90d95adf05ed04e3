from __future__ import annotations

import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from moto.core.botocore_stubber import BotocoreStubber
from test_faults import FailingClient, client_error
from unit_support import TABLE_NAME, Reply, invoke, lambda_authorizer, rest_event

from meridian import aws, ids
from meridian.handlers import transactions

ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "partner-client-42"
PAYMENT = {"amount": "12.30", "currency": "USD", "type": "debit", "reference": "order 7"}


pytestmark = pytest.mark.usefixtures("aws_backend")


def post(
    body=PAYMENT, key: str | None = "key-1", sub: str = ALICE, headers=None, **kwargs
) -> Reply:
    headers = {**({"Idempotency-Key": key} if key is not None else {}), **(headers or {})}
    event = rest_event(
        "POST",
        "/transactions",
        body=body,
        headers=headers,
        authorizer=lambda_authorizer(sub),
        **kwargs,
    )
    return invoke(transactions.handler, event)


def get(path: str = "/transactions", sub: str = ALICE, query=None, **kwargs) -> Reply:
    event = rest_event("GET", path, query=query, authorizer=lambda_authorizer(sub), **kwargs)
    return invoke(transactions.handler, event)


def stored_transactions(dynamodb, sub: str = ALICE) -> list[dict]:
    return dynamodb.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :txn)",
        ExpressionAttributeValues={":pk": {"S": f"USER#{sub}"}, ":txn": {"S": "TXN#"}},
    )["Items"]


def test_create_transaction(dynamodb) -> None:
    reply = post()
    assert reply.status == 201
    body = reply.body
    assert ids.is_ulid(body["transaction_id"])
    assert body["amount"] == "12.30"
    assert body["currency"] == "USD"
    assert body["status"] == "completed"
    assert body["reference"] == "order 7"
    [item] = stored_transactions(dynamodb)
    # A DynamoDB number built from the decimal string, never a float on the way.
    assert Decimal(item["amount"]["N"]) == Decimal("12.30")
    assert item["sk"]["S"] == f"TXN#{body['transaction_id']}"


def test_amount_is_formatted_with_the_currency_minor_units() -> None:
    assert post({"amount": "5", "currency": "JPY", "type": "credit"}).body["amount"] == "5"
    assert (
        post({"amount": "7", "currency": "BHD", "type": "credit"}, key="k2").body["amount"]
        == "7.000"
    )


def test_replay_returns_the_first_response(dynamodb) -> None:
    first = post()
    second = post()
    assert (second.status, second.body) == (first.status, first.body)
    assert len(stored_transactions(dynamodb)) == 1


def test_same_key_different_body_is_422(dynamodb) -> None:
    post()
    reply = post({**PAYMENT, "amount": "99.00"})
    assert reply.status == 422
    assert reply.body["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(stored_transactions(dynamodb)) == 1


def test_keys_are_scoped_per_caller(dynamodb) -> None:
    mine = post()
    theirs = post(sub=BOB)
    assert mine.status == theirs.status == 201
    assert mine.body["transaction_id"] != theirs.body["transaction_id"]
    assert len(stored_transactions(dynamodb, ALICE)) == len(stored_transactions(dynamodb, BOB)) == 1


@pytest.mark.parametrize("key", [None, "", "x" * 65, "bad key", "naïve", "semi;colon"], ids=repr)
def test_idempotency_key_is_required_and_checked(key) -> None:
    reply = post(key=key)
    assert reply.status == 400
    assert "Idempotency-Key" in reply.body["error"]["message"]


def test_idempotency_key_header_is_case_insensitive() -> None:
    event = rest_event(
        "POST",
        "/transactions",
        body=PAYMENT,
        headers={"idempotency-key": "abc_DEF-123"},
        authorizer=lambda_authorizer(ALICE),
    )
    assert invoke(transactions.handler, event).status == 201


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({**PAYMENT, "amount": "12.345"}, "at most 2"),
        ({**PAYMENT, "amount": "0"}, "greater than zero"),
        ({**PAYMENT, "amount": "0.00"}, "greater than zero"),
        ({**PAYMENT, "amount": "1000000.01"}, "must not exceed"),
        ({**PAYMENT, "amount": "1e3"}, "amount"),
        ({**PAYMENT, "amount": "-5"}, "amount"),
        ({**PAYMENT, "amount": 12}, "amount"),
        ({**PAYMENT, "currency": "JPY", "amount": "1.5"}, "at most 0"),
        ({**PAYMENT, "currency": "XXX"}, "currency"),
        ({**PAYMENT, "type": "refund"}, "type"),
        ({**PAYMENT, "fee": "1"}, "fee"),
        ({"amount": "1", "currency": "USD"}, "type"),
        ({**PAYMENT, "reference": ""}, "reference"),
    ],
)
def test_bad_transactions_are_400(dynamodb, body, needle) -> None:
    reply = post(body)
    assert reply.status == 400
    assert reply.body["error"]["code"] == "VALIDATION_ERROR"
    assert needle in reply.body["error"]["message"]
    assert stored_transactions(dynamodb) == []


def test_float_amount_is_rejected() -> None:
    reply = post(
        None,
        raw_body='{"amount": 12.5, "currency": "USD", "type": "debit"}',
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 400


def test_a_rejected_request_does_not_burn_the_key() -> None:
    assert post({**PAYMENT, "amount": "0"}).status == 400
    assert post().status == 201


def test_list_newest_first_with_cursor_pagination() -> None:
    created = [post({**PAYMENT, "amount": f"{n}.00"}, key=f"k{n}").body for n in range(1, 6)]
    seen = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        reply = get(query=query)
        assert reply.status == 200
        seen.extend(reply.body["items"])
        cursor = reply.body["next_cursor"]
        pages += 1
        if cursor is None:
            break
    assert [t["transaction_id"] for t in seen] == [t["transaction_id"] for t in reversed(created)]
    assert pages == 3


def test_list_default_limit_and_other_callers_are_invisible() -> None:
    post()
    post(sub=BOB)
    reply = get()
    assert len(reply.body["items"]) == 1
    assert reply.body["next_cursor"] is None
    assert get(sub="nobody").body == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    "limit", ["0", "101", "abc", "-1", "1.5", "", "\u00b2", "\u0661\u0662", "1e1", " 5", "99999"]
)
def test_bad_limit_is_400(limit) -> None:
    reply = get(query={"limit": limit})
    assert reply.status == 400
    assert "limit" in reply.body["error"]["message"]


def _b64(document) -> str:
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


TXN_SK = "TXN#01JCCCCCCCCCCCCCCCCCCCCCCC"


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "a" * 600,
        _b64(b"\xff\xfe not json"),
        _b64([1, 2]),
        # The cursor names only a position (sort key) inside the caller's own partition.
        _b64({"pk": f"USER#{BOB}", "sk": TXN_SK}),
        _b64({"sk": "PROFILE"}),
        _b64({"sk": "SESSION#01JCCCCCCCCCCCCCCCCCCCCCCC"}),
        _b64({"sk": "IDEMKEY#01JCCCCCCCCCCCCCCCCCCCCCCC"}),
        _b64({"sk": "TXN#not-a-ulid"}),
        _b64({"sk": TXN_SK, "extra": 1}),
        _b64({"sk": 5}),
        "é" * 10,
        "x",
    ],
)
def test_tampered_cursor_is_400(cursor) -> None:
    reply = get(query={"cursor": cursor})
    assert reply.status == 400
    assert reply.body["error"]["message"] == "cursor is invalid"


def test_own_valid_cursor_is_accepted() -> None:
    cursor = _b64({"sk": TXN_SK})
    assert get(query={"cursor": cursor}).status == 200


def test_get_one_transaction_only_if_it_is_the_callers() -> None:
    created = post().body
    path = f"/transactions/{created['transaction_id']}"
    resource = "/transactions/{transaction_id}"
    assert get(path, resource=resource).body == created
    other = get(path, sub=BOB, resource=resource)
    assert other.status == 404
    assert other.body["error"]["code"] == "NOT_FOUND"
    assert get("/transactions/not-a-ulid", resource=resource).status == 404


def test_missing_identity_is_401() -> None:
    reply = invoke(transactions.handler, rest_event("GET", "/transactions"))
    assert reply.status == 401


def test_unknown_method_is_404() -> None:
    # API Gateway answers an undefined method itself (404 NOT_FOUND, see test_http.py).
    reply = get_with_method("DELETE", "/transactions")
    assert reply.status == 404


def get_with_method(method: str, path: str) -> Reply:
    return invoke(
        transactions.handler, rest_event(method, path, authorizer=lambda_authorizer(ALICE))
    )


@pytest.mark.parametrize(
    "fault",
    [client_error("ThrottlingException"), client_error("ServiceUnavailable", 503)],
    ids=["throttled", "unavailable"],
)
@pytest.mark.parametrize("route", ["create", "list", "get"])
def test_dynamodb_faults_are_503(monkeypatch, dynamodb, fault, route) -> None:
    monkeypatch.setattr(aws, "client", lambda _service: FailingClient(fault))
    if route == "create":
        reply = post()
    elif route == "list":
        reply = get()
    else:
        reply = get(f"/transactions/{ids.new_ulid()}", resource="/transactions/{transaction_id}")
    assert reply.status == 503
    assert reply.body["error"]["code"] == "SERVICE_UNAVAILABLE"


def test_a_failed_write_leaves_nothing_and_the_retry_creates_it_once(monkeypatch, dynamodb) -> None:
    real_client = aws.client("dynamodb")

    class FailOnWrite:
        def __getattr__(self, name):
            if name == "transact_write_items":
                return FailingClient(
                    client_error("ProvisionedThroughputExceededException")
                ).__getattr__(name)
            return getattr(real_client, name)

    monkeypatch.setattr(aws, "client", lambda _service: FailOnWrite())
    assert post().status == 503
    assert dynamodb.scan(TableName=TABLE_NAME)["Items"] == []  # no guard burns the key
    monkeypatch.setattr(aws, "client", lambda _service: real_client)
    assert post().status == 201
    assert len(stored_transactions(dynamodb)) == 1


@pytest.fixture
def atomic_moto(monkeypatch):
    """Serialize requests into moto: real DynamoDB applies each conditional write atomically,
    moto's in-process backend has no lock, so concurrent threads could interleave inside it."""
    lock = threading.Lock()
    original = BotocoreStubber.__call__

    def locked(self, *args, **kwargs):
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", locked)


@pytest.mark.usefixtures("atomic_moto")
def test_concurrent_duplicates_create_one_transaction_and_agree(dynamodb) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda _: post(), range(8)))
    assert {reply.status for reply in replies} == {201}
    assert all(reply.body == replies[0].body for reply in replies)
    assert len(stored_transactions(dynamodb)) == 1


def test_everything_a_create_stores_is_in_the_callers_partition(dynamodb) -> None:
    post()
    stored = dynamodb.scan(TableName=TABLE_NAME)["Items"]
    assert {item["pk"]["S"] for item in stored} == {f"USER#{ALICE}"}
    assert sorted(item["sk"]["S"][:4] for item in stored) == ["IDEM", "TXN#"]
    assert all("expires_at" not in item for item in stored)
