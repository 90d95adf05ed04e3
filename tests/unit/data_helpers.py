"""Shared helpers of the data-correctness tests (issue 11): calls through the real handlers."""

from __future__ import annotations

from typing import Any

from unit_support import Reply, cognito_authorizer, invoke, lambda_authorizer, rest_event

from meridian import aws
from meridian.handlers import profiles, transactions

ALICE = "alice-sub"
PAYMENT = {"amount": "12.30", "currency": "USD", "type": "debit", "reference": "rent for Alice"}


def profile_call(method: str, path: str, sub: str = ALICE, **kwargs: Any) -> Reply:
    return invoke(
        profiles.handler, rest_event(method, path, authorizer=cognito_authorizer(sub), **kwargs)
    )


def post_transaction(
    body: dict[str, str] = PAYMENT, key: str = "key-1", caller: str = ALICE, kind: str = "user"
) -> Reply:
    event = rest_event(
        "POST",
        "/transactions",
        body=body,
        headers={"Idempotency-Key": key},
        authorizer=lambda_authorizer(caller, kind),
    )
    return invoke(transactions.handler, event)


def get_transactions(
    path: str = "/transactions", caller: str = ALICE, kind: str = "user", **kwargs: Any
) -> Reply:
    event = rest_event("GET", path, authorizer=lambda_authorizer(caller, kind), **kwargs)
    return invoke(transactions.handler, event)


def items_of(dynamodb: Any, table: str, pk: str) -> list[dict[str, Any]]:
    return dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": pk}},
        ConsistentRead=True,
    )["Items"]


def record_calls(operation: str) -> list[dict[str, Any]]:
    """The parameters of every ``operation`` call the handlers make from now on."""
    calls: list[dict[str, Any]] = []
    aws.client("dynamodb").meta.events.register(
        f"provide-client-params.dynamodb.{operation}",
        lambda params, **_: calls.append(dict(params)),
    )
    return calls
