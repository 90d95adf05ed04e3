"""Suite 3: user B can neither read, change nor delete user A's data (404, A's data unchanged)."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support.api import Api, expect_error, expect_status
from e2e_support.users import User


def snapshot(api: Api, user: User) -> dict[str, Any]:
    """Everything A owns, as A sees it (the export route plus the direct reads)."""
    export = api.get("/profiles/me/export", token=user.id_token)
    expect_status(export, 200)
    data = export.json()
    data["transactions"] = sorted(data["transactions"], key=lambda t: t["transaction_id"])
    data["sessions"] = sorted(data["sessions"], key=lambda s: s["session_id"])
    return dict(data)


@pytest.fixture
def victim(api: Api, user: User) -> dict[str, Any]:
    expect_status(api.post("/profiles", token=user.id_token, json_body={"display_name": "A"}), 201)
    session = api.post(
        "/profiles/me/sessions",
        token=user.id_token,
        json_body={"device_name": "A phone", "platform": "ios"},
    )
    expect_status(session, 201)
    txn = api.post_transaction(
        user.id_token, {"amount": "42.00", "currency": "USD", "type": "credit"}
    )
    expect_status(txn, 201)
    return {
        "user": user,
        "session_id": session.json()["session_id"],
        "transaction_id": txn.json()["transaction_id"],
        "before": snapshot(api, user),
    }


def test_b_cannot_touch_a(api: Api, victim: dict[str, Any], other_user: User) -> None:
    a: User = victim["user"]
    b_token = other_user.id_token
    session_id, transaction_id = victim["session_id"], victim["transaction_id"]

    # B has no profile: /profiles/me is B's own, never A's.
    expect_error(api.get("/profiles/me", token=b_token), 404)
    expect_error(
        api.put("/profiles/me", token=b_token, json_body={"display_name": "B", "version": 1}), 404
    )
    expect_error(api.delete("/profiles/me", token=b_token), 404)
    # A's session and transaction, addressed by id, do not exist for B.
    expect_error(api.delete(f"/profiles/me/sessions/{session_id}", token=b_token), 404)
    expect_error(api.get(f"/transactions/{transaction_id}", token=b_token), 404)
    expect_error(api.get(f"/transactions/{transaction_id}", token=other_user.access_token), 404)
    # B's lists and export hold nothing of A's.
    sessions = api.get("/profiles/me/sessions", token=b_token)
    expect_status(sessions, 200)
    assert sessions.json()["items"] == []
    assert api.all_transactions(b_token) == []
    export = api.get("/profiles/me/export", token=b_token)
    expect_status(export, 200)
    assert export.json() == {
        "profile": None,
        "sessions": [],
        "transactions": [],
        "next_cursor": None,
    }
    # Identity comes from the token only: naming A in the body is refused.
    expect_error(
        api.post("/profiles", token=b_token, json_body={"display_name": "B", "user_id": a.sub}),
        400,
    )

    # Now B has a profile; B's writes still only reach B's own item.
    expect_status(api.post("/profiles", token=b_token, json_body={"display_name": "B"}), 201)
    expect_status(
        api.put("/profiles/me", token=b_token, json_body={"display_name": "B2", "version": 1}),
        200,
    )
    expect_status(api.delete("/profiles/me", token=b_token), 204)

    assert snapshot(api, a) == victim["before"]
    a_profile = api.get("/profiles/me", token=a.id_token)
    expect_status(a_profile, 200)
    assert a_profile.json()["display_name"] == "A"
    assert a_profile.json()["version"] == 1


def test_partner_with_another_sub_cannot_read_a(
    api: Api, victim: dict[str, Any], partner: Any
) -> None:
    token = partner.token()  # the partner's own namespace; a token naming A's sub is a 401
    expect_error(api.get(f"/transactions/{victim['transaction_id']}", token=token), 404)
    listed = api.get("/transactions", token=token)
    expect_status(listed, 200)
    assert victim["transaction_id"] not in {t["transaction_id"] for t in listed.json()["items"]}
    assert snapshot(api, victim["user"]) == victim["before"]
