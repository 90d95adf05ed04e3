"""Suite 4: idempotency and optimistic locking under parallel requests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from e2e_support.api import Api, describe, expect_error, expect_status, new_idempotency_key
from e2e_support.users import User


def in_parallel[T](count: int, action: Callable[[int], T]) -> list[T]:
    """Run ``action(i)`` on ``count`` threads released together by a barrier."""
    barrier = threading.Barrier(count)

    def run(index: int) -> T:
        barrier.wait()
        return action(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_parallel_posts_with_one_idempotency_key_store_one_transaction(
    api: Api, user: User
) -> None:
    key = new_idempotency_key()
    body = {"amount": "250.00", "currency": "EUR", "type": "debit", "reference": "rent"}

    def post(_: int) -> requests.Response:
        # One session per thread: requests.Session is not thread-safe.
        return api.clone().post_transaction(user.id_token, body, key)

    responses = in_parallel(20, post)

    statuses = [r.status_code for r in responses]
    assert statuses == [201] * 20, [describe(r) for r in responses if r.status_code != 201]
    bodies = [r.json() for r in responses]
    assert all(b == bodies[0] for b in bodies), bodies
    stored = api.all_transactions(user.id_token)
    assert [t["transaction_id"] for t in stored] == [bodies[0]["transaction_id"]]

    # Same key, another body: rejected, and still one transaction.
    other = api.post_transaction(user.id_token, {**body, "amount": "251.00"}, key)
    expect_error(other, 422, "IDEMPOTENCY_KEY_REUSED")
    assert len(api.all_transactions(user.id_token)) == 1
    # The original request replays the first result.
    replay = api.post_transaction(user.id_token, body, key)
    expect_status(replay, 201)
    assert replay.json() == bodies[0]


def test_idempotency_keys_are_per_caller(api: Api, user: User, other_user: User) -> None:
    """The same key used by two users creates two transactions: one caller cannot replay (and so
    read) another's result."""
    key = new_idempotency_key()
    body = {"amount": "1.00", "currency": "USD", "type": "debit"}
    first = api.post_transaction(user.id_token, body, key)
    second = api.post_transaction(other_user.id_token, body, key)
    expect_status(first, 201)
    expect_status(second, 201)
    assert first.json()["transaction_id"] != second.json()["transaction_id"]
    assert len(api.all_transactions(other_user.id_token)) == 1


def test_parallel_updates_from_one_version_exactly_one_wins(api: Api, user: User) -> None:
    created = api.post("/profiles", token=user.id_token, json_body={"display_name": "v1"})
    expect_status(created, 201)
    version = created.json()["version"]

    def update(index: int) -> tuple[int, requests.Response]:
        client = api.clone()
        response = client.put(
            "/profiles/me",
            token=user.id_token,
            json_body={"display_name": f"writer-{index}", "version": version},
        )
        return index, response

    results = in_parallel(10, update)

    winners = [(i, r) for i, r in results if r.status_code == 200]
    losers = [r for _, r in results if r.status_code != 200]
    assert len(winners) == 1, [describe(r) for _, r in results]
    for response in losers:
        expect_error(response, 409)
    winner_index, winner = winners[0]
    final: Any = api.get("/profiles/me", token=user.id_token)
    expect_status(final, 200)
    # No lost update: the stored profile is exactly the winner's write.
    assert final.json() == winner.json()
    assert final.json()["display_name"] == f"writer-{winner_index}"
    assert final.json()["version"] == version + 1
