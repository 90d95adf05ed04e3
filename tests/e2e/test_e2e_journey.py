"""Suite 1: one user's whole journey through the API, and cross-region replication."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from e2e_support.api import Api, expect_error, expect_status, new_idempotency_key, poll
from e2e_support.target import Target
from e2e_support.users import User, UserFactory, jwt_claims

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
REPLICATION_SECONDS = 5.0


def test_health_in_every_region(target: Target, api: Api) -> None:
    for region, url in target.api_urls.items():
        response = Api(url, region).get("/health")  # /health needs no origin header, as on AWS
        expect_status(response, 200)
        assert response.json() == {"status": "ok", "region": region}
    through_client_url = api.get("/health")
    expect_status(through_client_url, 200)
    expected_region = target.active_region if api.via == "edge" else target.primary_region
    assert through_client_url.json() == {"status": "ok", "region": expected_region}


def test_sign_up_confirm_sign_in(user_factory: UserFactory, target: Target) -> None:
    username, _, password = user_factory.sign_up()
    try:
        user_factory.confirm(username)
        result = user_factory.sign_in(username, password)
    finally:
        user_factory.delete(username)
    id_claims = jwt_claims(result["IdToken"])
    access_claims = jwt_claims(result["AccessToken"])
    assert id_claims["token_use"] == "id"
    assert id_claims["aud"] == target.client_id
    assert id_claims["iss"] == target.issuer
    assert access_claims["token_use"] == "access"
    assert access_claims["client_id"] == target.client_id
    assert access_claims["sub"] == id_claims["sub"]


def test_journey(api: Api, user: User) -> None:
    token = user.id_token

    # Nothing yet.
    expect_error(api.get("/profiles/me", token=token), 404)

    # Profile: create -> read -> update -> read.
    created = api.post(
        "/profiles",
        token=token,
        json_body={"display_name": "Ada Lovelace", "locale": "en-GB", "marketing_opt_in": False},
    )
    expect_status(created, 201)
    profile = created.json()
    assert profile["user_id"] == user.sub
    assert profile["display_name"] == "Ada Lovelace"
    assert profile["locale"] == "en-GB"
    assert profile["marketing_opt_in"] is False
    assert profile["version"] == 1
    assert RFC3339_UTC.match(profile["created_at"]), profile
    assert RFC3339_UTC.match(profile["updated_at"]), profile
    expect_error(api.post("/profiles", token=token, json_body={"display_name": "Again"}), 409)

    read = api.get("/profiles/me", token=token)
    expect_status(read, 200)
    assert read.json() == profile

    updated = api.put(
        "/profiles/me",
        token=token,
        json_body={"display_name": "Ada King", "marketing_opt_in": True, "version": 1},
    )
    expect_status(updated, 200)
    assert updated.json()["version"] == 2
    assert updated.json()["display_name"] == "Ada King"
    assert updated.json()["marketing_opt_in"] is True
    assert updated.json()["locale"] == "en-GB"  # untouched fields stay
    assert updated.json()["created_at"] == profile["created_at"]
    expect_error(
        api.put("/profiles/me", token=token, json_body={"display_name": "Stale", "version": 1}),
        409,
    )
    reread = api.get("/profiles/me", token=token)
    expect_status(reread, 200)
    assert reread.json() == updated.json()

    # Sessions: create two, list, delete one.
    sessions = []
    for device, platform in (("Pixel 9", "android"), ("Firefox", "web")):
        response = api.post(
            "/profiles/me/sessions",
            token=token,
            json_body={"device_name": device, "platform": platform},
        )
        expect_status(response, 201)
        session = response.json()
        assert session["device_name"] == device
        assert session["platform"] == platform
        assert isinstance(session["expires_at"], int)
        sessions.append(session)
    listed = api.get("/profiles/me/sessions", token=token)
    expect_status(listed, 200)
    assert {s["session_id"] for s in listed.json()["items"]} == {s["session_id"] for s in sessions}
    gone = sessions.pop()
    expect_status(api.delete(f"/profiles/me/sessions/{gone['session_id']}", token=token), 204)
    expect_error(api.delete(f"/profiles/me/sessions/{gone['session_id']}", token=token), 404)
    listed = api.get("/profiles/me/sessions", token=token)
    assert [s["session_id"] for s in listed.json()["items"]] == [sessions[0]["session_id"]]

    # Transactions: two posted (ID token, then access token: both are accepted), read, list.
    first = api.post_transaction(
        token, {"amount": "12.34", "currency": "EUR", "type": "debit", "reference": "coffee"}
    )
    expect_status(first, 201)
    txn = first.json()
    assert txn["amount"] == "12.34"
    assert txn["currency"] == "EUR"
    assert txn["type"] == "debit"
    assert txn["reference"] == "coffee"
    assert txn["status"] == "completed"
    assert RFC3339_UTC.match(txn["created_at"]), txn
    second = api.post_transaction(
        user.access_token, {"amount": "1500", "currency": "JPY", "type": "credit"}
    )
    expect_status(second, 201)
    fetched = api.get(f"/transactions/{txn['transaction_id']}", token=token)
    expect_status(fetched, 200)
    assert fetched.json() == txn
    listed_txns = api.get("/transactions", token=token, params={"limit": 10})
    expect_status(listed_txns, 200)
    assert [t["transaction_id"] for t in listed_txns.json()["items"]] == [
        second.json()["transaction_id"],
        txn["transaction_id"],
    ], "newest first"
    assert listed_txns.json()["next_cursor"] is None

    # Pagination: limit=1 gives a cursor that leads to the other one.
    page = api.get("/transactions", token=token, params={"limit": 1})
    expect_status(page, 200)
    assert len(page.json()["items"]) == 1
    cursor = page.json()["next_cursor"]
    assert isinstance(cursor, str)
    assert cursor
    rest = api.get("/transactions", token=token, params={"limit": 1, "cursor": cursor})
    expect_status(rest, 200)
    assert rest.json()["items"] == [txn]

    # Export: everything of the caller.
    export = api.get("/profiles/me/export", token=token)
    expect_status(export, 200)
    exported = export.json()
    assert exported["profile"] == reread.json()
    assert [s["session_id"] for s in exported["sessions"]] == [sessions[0]["session_id"]]
    assert {t["transaction_id"] for t in exported["transactions"]} == {
        txn["transaction_id"],
        second.json()["transaction_id"],
    }

    # Erasure: profile and sessions go, then 404.
    expect_status(api.delete("/profiles/me", token=token), 204)
    expect_error(api.get("/profiles/me", token=token), 404)
    expect_error(
        api.put("/profiles/me", token=token, json_body={"display_name": "x", "version": 2}), 404
    )
    after = api.get("/profiles/me/export", token=token)
    expect_status(after, 200)
    assert after.json()["profile"] is None
    assert after.json()["sessions"] == []
    expect_status(api.get("/profiles/me/sessions", token=token), 200)
    assert api.get("/profiles/me/sessions", token=token).json()["items"] == []


def test_unknown_transaction_is_404(api: Api, user: User) -> None:
    expect_error(api.get(f"/transactions/{uuid.uuid4().hex}", token=user.id_token), 404)
    expect_error(api.get("/transactions/01ARZ3NDEKTSV4RRFFQ69G5FAV", token=user.id_token), 404)


@pytest.mark.parametrize("direction", ["primary_to_secondary", "secondary_to_primary"])
def test_writes_replicate_across_regions(
    api: Api, api_secondary: Api, new_user: Callable[[], User], direction: str
) -> None:
    user = new_user()
    writer, reader = (
        (api, api_secondary)
        if direction == "primary_to_secondary"
        else (
            api_secondary,
            api,
        )
    )
    name = f"Replicated {uuid.uuid4().hex[:8]}"
    expect_status(
        writer.post("/profiles", token=user.id_token, json_body={"display_name": name}), 201
    )
    txn = writer.post_transaction(
        user.id_token, {"amount": "5.00", "currency": "USD", "type": "credit"}
    )
    expect_status(txn, 201)
    transaction_id = txn.json()["transaction_id"]

    profile = poll(
        lambda: reader.get("/profiles/me", token=user.id_token),
        lambda r: r.status_code == 200,
        within_seconds=REPLICATION_SECONDS,
    )
    expect_status(profile, 200)
    assert profile.json()["display_name"] == name
    replicated_txn = poll(
        lambda: reader.get(f"/transactions/{transaction_id}", token=user.id_token),
        lambda r: r.status_code == 200,
        within_seconds=REPLICATION_SECONDS,
    )
    expect_status(replicated_txn, 200)
    assert replicated_txn.json() == txn.json()


def test_idempotent_replay_returns_first_result(api: Api, user: User) -> None:
    key = new_idempotency_key()
    body = {"amount": "9.99", "currency": "GBP", "type": "debit"}
    first = api.post_transaction(user.id_token, body, key)
    expect_status(first, 201)
    replay = api.post_transaction(user.id_token, body, key)
    expect_status(replay, 201)
    assert replay.json() == first.json()
    assert [t["transaction_id"] for t in api.all_transactions(user.id_token)] == [
        first.json()["transaction_id"]
    ]
