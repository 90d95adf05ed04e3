from __future__ import annotations

import base64

import pytest
from unit_support import TABLE_NAME, Reply, cognito_authorizer, invoke, rest_event

from meridian import aws
from meridian.handlers import profiles

ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"

pytestmark = pytest.mark.usefixtures("aws_backend")

# A transaction as the transactions function stores it, in Alice's partition.
STORED_TRANSACTION = {
    "pk": {"S": f"USER#{ALICE}"},
    "sk": {"S": "TXN#01JBBBBBBBBBBBBBBBBBBBBBBB"},
    "transaction_id": {"S": "01JBBBBBBBBBBBBBBBBBBBBBBB"},
    "amount": {"N": "12.3"},
    "currency": {"S": "USD"},
    "type": {"S": "debit"},
    "status": {"S": "completed"},
    "created_at": {"S": "2026-11-23T18:00:00Z"},
}


def call(method: str, path: str, sub: str = ALICE, **kwargs) -> Reply:
    return invoke(
        profiles.handler, rest_event(method, path, authorizer=cognito_authorizer(sub), **kwargs)
    )


def create(sub: str = ALICE, **fields) -> Reply:
    return call("POST", "/profiles", sub, body={"display_name": "Alice", **fields})


def test_create_then_get_profile() -> None:
    created = create(locale="en-GB", marketing_opt_in=True)
    assert created.status == 201
    assert created.headers["Content-Type"] == "application/json"
    assert created.body["user_id"] == ALICE
    assert created.body["version"] == 1
    assert created.body["locale"] == "en-GB"
    assert created.body["marketing_opt_in"] is True
    fetched = call("GET", "/profiles/me")
    assert fetched.status == 200
    assert fetched.body == created.body


def test_identity_comes_from_claims_not_body() -> None:
    reply = call("POST", "/profiles", body={"display_name": "Mallory", "user_id": BOB})
    assert reply.status == 400
    assert "user_id" in reply.body["error"]["message"]
    assert call("GET", "/profiles/me", BOB).status == 404


def test_create_twice_is_conflict() -> None:
    assert create().status == 201
    second = create()
    assert second.status == 409
    assert second.body["error"]["code"] == "CONFLICT"


def test_get_missing_profile_is_404_with_error_body() -> None:
    event = rest_event("GET", "/profiles/me", authorizer=cognito_authorizer(ALICE))
    reply = invoke(profiles.handler, event)
    assert reply.status == 404
    assert reply.body == {
        "error": {
            "code": "NOT_FOUND",
            "message": "no profile exists for this user",
            "request_id": event["requestContext"]["requestId"],
        }
    }


def test_update_with_optimistic_locking() -> None:
    create()
    updated = call("PUT", "/profiles/me", body={"version": 1, "display_name": "Alicia"})
    assert updated.status == 200
    assert updated.body["display_name"] == "Alicia"
    assert updated.body["version"] == 2
    stale = call("PUT", "/profiles/me", body={"version": 1, "display_name": "Lost update"})
    assert stale.status == 409
    assert stale.body["error"]["code"] == "CONFLICT"
    assert call("GET", "/profiles/me").body["display_name"] == "Alicia"


def test_update_missing_profile_is_404() -> None:
    reply = call("PUT", "/profiles/me", body={"version": 1, "display_name": "Nobody"})
    assert reply.status == 404


def test_delete_erases_profile_and_sessions_only_of_the_caller(dynamodb) -> None:
    create()
    create(BOB)
    for device in ("phone", "laptop"):
        body = {"device_name": device, "platform": "ios"}
        assert call("POST", "/profiles/me/sessions", body=body).status == 201
    call("POST", "/profiles/me/sessions", BOB, body={"device_name": "bob", "platform": "web"})
    reply = call("DELETE", "/profiles/me")
    assert reply.status == 204
    assert reply.body is None
    assert call("GET", "/profiles/me").status == 404
    remaining = dynamodb.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{ALICE}"}},
    )["Items"]
    assert remaining == []
    assert len(call("GET", "/profiles/me/sessions", BOB).body["items"]) == 1
    assert call("DELETE", "/profiles/me").status == 404


def test_delete_with_many_sessions_uses_several_batches(dynamodb) -> None:
    create()
    for index in range(60):
        body = {"device_name": f"device {index}", "platform": "web"}
        assert call("POST", "/profiles/me/sessions", body=body).status == 201
    assert call("DELETE", "/profiles/me").status == 204
    remaining = dynamodb.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{ALICE}"}},
    )["Items"]
    assert remaining == []


def test_sessions_lifecycle(dynamodb) -> None:
    create()
    created = call(
        "POST", "/profiles/me/sessions", body={"device_name": "Pixel", "platform": "android"}
    )
    assert created.status == 201
    session = created.body
    assert set(session) == {"session_id", "device_name", "platform", "created_at", "expires_at"}
    stored = dynamodb.get_item(
        TableName=TABLE_NAME,
        Key={"pk": {"S": f"USER#{ALICE}"}, "sk": {"S": f"SESSION#{session['session_id']}"}},
    )["Item"]
    assert int(stored["expires_at"]["N"]) == session["expires_at"]
    listed = call("GET", "/profiles/me/sessions")
    assert listed.body == {"items": [session]}
    # Another user cannot delete it: 404, and it survives.
    create(BOB)
    path = f"/profiles/me/sessions/{session['session_id']}"
    resource = "/profiles/me/sessions/{session_id}"
    other = call(
        "DELETE",
        path,
        BOB,
        resource=resource,
        path_parameters={"session_id": session["session_id"]},
    )
    assert other.status == 404
    assert call("GET", "/profiles/me/sessions").body == {"items": [session]}
    deleted = call(
        "DELETE", path, resource=resource, path_parameters={"session_id": session["session_id"]}
    )
    assert deleted.status == 204
    assert call("GET", "/profiles/me/sessions").body == {"items": []}
    again = call("DELETE", path, resource=resource)
    assert again.status == 404


def test_session_requires_a_profile() -> None:
    reply = call("POST", "/profiles/me/sessions", body={"device_name": "x", "platform": "web"})
    assert reply.status == 404


def test_expired_sessions_are_hidden_before_ttl_deletes_them(dynamodb) -> None:
    create()
    dynamodb.put_item(
        TableName=TABLE_NAME,
        Item={
            "pk": {"S": f"USER#{ALICE}"},
            "sk": {"S": "SESSION#01JAAAAAAAAAAAAAAAAAAAAAAA"},
            "session_id": {"S": "01JAAAAAAAAAAAAAAAAAAAAAAA"},
            "device_name": {"S": "old"},
            "platform": {"S": "web"},
            "created_at": {"S": "2020-01-01T00:00:00Z"},
            "expires_at": {"N": "1600000000"},
        },
    )
    call("POST", "/profiles/me/sessions", body={"device_name": "new", "platform": "web"})
    names = [item["device_name"] for item in call("GET", "/profiles/me/sessions").body["items"]]
    assert names == ["new"]


def test_malformed_session_id_is_404() -> None:
    create()
    reply = call(
        "DELETE", "/profiles/me/sessions/not-a-ulid", resource="/profiles/me/sessions/{session_id}"
    )
    assert reply.status == 404


def test_export_returns_all_the_callers_data(dynamodb) -> None:
    create()
    call("POST", "/profiles/me/sessions", body={"device_name": "Pixel", "platform": "android"})
    dynamodb.put_item(TableName=TABLE_NAME, Item=STORED_TRANSACTION)
    create(BOB)
    exported = call("GET", "/profiles/me/export")
    assert exported.status == 200
    assert exported.body["profile"]["user_id"] == ALICE
    assert [s["device_name"] for s in exported.body["sessions"]] == ["Pixel"]
    assert exported.body["transactions"] == [
        {
            "transaction_id": "01JBBBBBBBBBBBBBBBBBBBBBBB",
            "amount": "12.30",
            "currency": "USD",
            "type": "debit",
            "status": "completed",
            "created_at": "2026-11-23T18:00:00Z",
        }
    ]


def _dynamodb_operations() -> list[str]:
    """Records the name of every DynamoDB API call the handlers make from now on."""
    operations: list[str] = []
    aws.client("dynamodb").meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: operations.append(model.name)
    )
    return operations


def test_export_reads_one_query_page_and_erasure_keeps_financial_records_only(dynamodb) -> None:
    create()
    call("POST", "/profiles/me/sessions", body={"device_name": "Pixel", "platform": "android"})
    # An idempotency guard sorts before PROFILE and a transaction after the sessions: the export
    # must not leak the guard; the erasure keeps both (financial records are retained) but
    # scrubs their personal data (docs/data-model.md#personal-data-and-retention).
    guard = {
        "pk": {"S": f"USER#{ALICE}"},
        "sk": {"S": "IDEMKEY#" + "0" * 64},
        "transaction_id": STORED_TRANSACTION["transaction_id"],
        "request_hash": {"S": "f" * 64},
    }
    dynamodb.put_item(TableName=TABLE_NAME, Item=guard)
    dynamodb.put_item(
        TableName=TABLE_NAME, Item={**STORED_TRANSACTION, "reference": {"S": "rent for Alice"}}
    )
    operations = _dynamodb_operations()
    exported = call("GET", "/profiles/me/export").body
    assert operations == ["Query"]
    assert exported["profile"]["user_id"] == ALICE
    assert len(exported["sessions"]) == 1
    assert [t["transaction_id"] for t in exported["transactions"]] == ["01JBBBBBBBBBBBBBBBBBBBBBBB"]
    assert exported["next_cursor"] is None

    assert call("DELETE", "/profiles/me").status == 204
    remaining = dynamodb.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{ALICE}"}},
    )["Items"]
    assert sorted(item["sk"]["S"] for item in remaining) == [
        "IDEMKEY#" + "0" * 64,
        "TXN#01JBBBBBBBBBBBBBBBBBBBBBBB",
    ]
    for item in remaining:
        assert "reference" not in item
        assert "request_hash" not in item


def test_export_without_profile() -> None:
    reply = call("GET", "/profiles/me/export")
    assert reply.body == {
        "profile": None,
        "sessions": [],
        "transactions": [],
        "next_cursor": None,
    }


def test_missing_identity_is_rejected() -> None:
    reply = invoke(profiles.handler, rest_event("GET", "/profiles/me"))
    assert reply.status == 401
    assert reply.body["error"]["code"] == "UNAUTHORIZED"


def test_unknown_route_and_wrong_method() -> None:
    # API Gateway answers an undefined method itself (404 NOT_FOUND, see test_http.py).
    for method, path in (("GET", "/nope"), ("PATCH", "/profiles/me")):
        reply = call(method, path)
        assert reply.status == 404
        assert reply.body["error"]["code"] == "NOT_FOUND"


def test_base_path_prefix_is_tolerated() -> None:
    create()
    assert call("GET", "/v1/profiles/me").status == 200


BAD_BODIES = [
    pytest.param({"display_name": "A", "shoe_size": 42}, None, "shoe_size", id="unknown-field"),
    pytest.param({"display_name": 7}, None, "display_name", id="wrong-type"),
    pytest.param({"display_name": ""}, None, "display_name", id="too-short"),
    pytest.param({"display_name": "A", "locale": "english"}, None, "locale", id="bad-pattern"),
    pytest.param(
        {"display_name": "A", "marketing_opt_in": "yes"},
        None,
        "marketing_opt_in",
        id="bool-as-string",
    ),
    pytest.param({}, None, "display_name", id="missing-required"),
    pytest.param(["display_name"], None, "body", id="not-an-object"),
    pytest.param(None, "{not json", "JSON", id="not-json"),
    pytest.param(None, '{"display_name": NaN}', "NaN", id="nan-constant"),
    pytest.param(None, '{"display_name": 1.5}', "non-integer", id="float"),
    pytest.param(None, "", "required", id="empty-body"),
    pytest.param(None, '{"display_name": "' + "x" * 17000 + '"}', "16384", id="oversized"),
]


@pytest.mark.parametrize(("body", "raw", "needle"), BAD_BODIES)
def test_bad_input_is_400_naming_the_field(body, raw, needle) -> None:
    event = rest_event(
        "POST",
        "/profiles",
        authorizer=cognito_authorizer(ALICE),
        body=body,
        raw_body=raw,
        headers={"Content-Type": "application/json"},
    )
    reply = invoke(profiles.handler, event)
    assert reply.status == 400
    assert reply.body["error"]["code"] == "VALIDATION_ERROR"
    assert needle in reply.body["error"]["message"]
    assert reply.body["error"]["request_id"] == event["requestContext"]["requestId"]


def test_wrong_content_type_is_400() -> None:
    reply = call(
        "POST", "/profiles", body={"display_name": "A"}, headers={"Content-Type": "text/plain"}
    )
    assert reply.status == 400
    assert "Content-Type" in reply.body["error"]["message"]


def test_content_type_is_case_insensitive_and_may_carry_charset() -> None:
    event = rest_event(
        "POST",
        "/profiles",
        authorizer=cognito_authorizer(ALICE),
        raw_body='{"display_name":"A"}',
        headers={"content-type": "Application/JSON; charset=utf-8"},
    )
    assert invoke(profiles.handler, event).status == 201


def test_base64_encoded_body_is_decoded() -> None:
    assert call("POST", "/profiles", body={"display_name": "A"}, base64_body=True).status == 201
    bad = call(
        "POST",
        "/profiles/me/sessions",
        raw_body="%%%",
        base64_body=True,
        headers={"Content-Type": "application/json"},
    )
    assert bad.status == 400


def test_update_needs_a_change_and_a_version() -> None:
    create()
    assert call("PUT", "/profiles/me", body={"version": 1}).status == 400
    assert call("PUT", "/profiles/me", body={"display_name": "B"}).status == 400


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        pytest.param('{"display_name": "\\udc00abc"}', "unicode", id="lone-surrogate"),
        pytest.param(
            '{"display_name": "a", "x": ' + "[" * 5000 + "]" * 5000 + "}",
            "nested",
            id="deeply-nested",
        ),
        pytest.param(
            '{"display_name": "a", "x": ' + "[" * 60 + "]" * 60 + "}",
            "x",
            id="nested-but-parseable",
        ),
        pytest.param("null", "body must be object", id="json-null"),
        pytest.param('{"display_name": 1e400}', "non-integer", id="huge-number"),
    ],
)
def test_awkward_json_is_400(raw, needle) -> None:
    reply = call("POST", "/profiles", raw_body=raw, headers={"Content-Type": "application/json"})
    assert reply.status == 400
    assert needle in reply.body["error"]["message"]


def test_non_utf8_base64_body_is_400() -> None:
    body = base64.b64encode('{"display_name": "x"}'.encode("utf-16")).decode()
    event = rest_event(
        "POST",
        "/profiles",
        authorizer=cognito_authorizer(ALICE),
        raw_body=body,
        headers={"Content-Type": "application/json"},
    )
    event["isBase64Encoded"] = True
    reply = invoke(profiles.handler, event)
    assert reply.status == 400
    assert "UTF-8" in reply.body["error"]["message"]


def test_utf16_text_body_is_400() -> None:
    text = '{"display_name": "x"}'.encode("utf-16-le").decode("latin-1")
    reply = call("POST", "/profiles", raw_body=text, headers={"Content-Type": "application/json"})
    assert reply.status == 400


def test_unicode_round_trips() -> None:
    name = "Zoe\u0308 \U0001f600 \u5317\u4eac \u202eRTL \u200b"
    assert create(display_name=name).body["display_name"] == name
    assert call("GET", "/profiles/me").body["display_name"] == name
