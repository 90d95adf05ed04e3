"""Issue 12, contract A: the write fence, end to end. Every mutating request that reaches the
standby region's API is refused (503 REGION_NOT_WRITABLE, Retry-After: 5) and nothing is stored;
reads are served there. The regions are called directly (``api`` / ``api_secondary``; against AWS
``E2E_EXTRA_HEADERS`` carries CloudFront's origin-verify header, which the regional WAFs require).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from e2e_support.api import Api, assert_error_body, expect_error, expect_status, poll
from e2e_support.target import Target
from e2e_support.users import User

# Bounded waits for replication to the standby (the devstack's default delay is about a second).
REPLICATION_SECONDS = 15.0
PAYMENT = {"amount": "3.21", "currency": "EUR", "type": "debit", "reference": "fence"}


@pytest.fixture(scope="module")
def regions(target: Target, api: Api, api_secondary: Api) -> tuple[Api, Api]:
    """(write region's API, standby's API), from the stack's ``write_region`` output."""
    write_region = target.outputs.get("write_region") or target.outputs.get("active_region")
    if write_region == "none":
        pytest.skip("writes are paused on this stack (writes_paused = true)")
    by_region = {api.region: api, api_secondary.region: api_secondary}
    writer = by_region.get(str(write_region or target.primary_region))
    if writer is None:
        pytest.fail(f"write region {write_region!r} is not one of {sorted(by_region)}")
    standby = api_secondary if writer is api else api
    return writer, standby


def expect_refused(response: requests.Response, write_region: str) -> None:
    expect_status(response, 503)
    assert_error_body(response, "REGION_NOT_WRITABLE")
    assert response.headers.get("Retry-After") == "5"
    assert write_region in response.json()["error"]["message"]


def test_profile_writes_are_refused_in_the_standby_and_nothing_is_stored(
    regions: tuple[Api, Api], user: User
) -> None:
    writer, standby = regions
    token = user.id_token
    expect_refused(
        standby.post("/profiles", token=token, json_body={"display_name": "Nowhere"}),
        writer.region,
    )
    # Refused before any write: the write region has no profile either (nothing to replicate).
    expect_error(writer.get("/profiles/me", token=token), 404)
    expect_error(standby.get("/profiles/me", token=token), 404)

    created = writer.post("/profiles", token=token, json_body={"display_name": "Somewhere"})
    expect_status(created, 201)
    replicated = poll(
        lambda: standby.get("/profiles/me", token=token),
        lambda r: r.status_code == 200,
        within_seconds=REPLICATION_SECONDS,
    )
    expect_status(replicated, 200)  # a read is served by the standby
    assert replicated.json() == created.json()

    session_path = f"/profiles/me/sessions/{_ulid_like()}"
    refused: list[tuple[str, dict[str, Any]]] = [
        ("PUT /profiles/me", {"display_name": "Changed", "version": 1}),
        ("POST /profiles/me/sessions", {"device_name": "phone", "platform": "ios"}),
        (f"DELETE {session_path}", {}),
        ("DELETE /profiles/me", {}),
    ]
    for request, body in refused:
        method, path = request.split(" ", 1)
        kwargs: dict[str, Any] = {"token": token}
        if body:
            kwargs["json_body"] = body
        expect_refused(standby.request(method, path, **kwargs), writer.region)

    # Still version 1, no session, not erased: in the write region and in the standby.
    for region in (writer, standby):
        profile = region.get("/profiles/me", token=token)
        expect_status(profile, 200)
        assert profile.json()["version"] == 1
        sessions = region.get("/profiles/me/sessions", token=token)
        expect_status(sessions, 200)
        assert sessions.json() == {"items": []}


def test_a_transaction_refused_in_the_standby_leaves_its_key_unused(
    regions: tuple[Api, Api], user: User
) -> None:
    writer, standby = regions
    key = uuid.uuid4().hex
    expect_refused(standby.post_transaction(user.id_token, PAYMENT, key), writer.region)
    expect_status(standby.get("/transactions", token=user.id_token), 200)  # reads are served

    # The key was not recorded anywhere: in the write region it creates the transaction (201)
    # and a replay returns it; a guard written by the standby would have made this a replay of
    # something else, or a 422.
    first = writer.post_transaction(user.id_token, PAYMENT, key)
    expect_status(first, 201)
    replay = writer.post_transaction(user.id_token, PAYMENT, key)
    expect_status(replay, 201)
    assert replay.json() == first.json()
    assert [t["transaction_id"] for t in writer.all_transactions(user.id_token)] == [
        first.json()["transaction_id"]
    ]
    # The retry that lands in the standby again is refused, never answered from a stale replica.
    expect_refused(standby.post_transaction(user.id_token, PAYMENT, key), writer.region)


def _ulid_like() -> str:
    """A syntactically valid session id nobody owns."""
    return "01J" + uuid.uuid4().hex[:23].upper()  # hex digits are all Crockford base32
