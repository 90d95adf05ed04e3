"""Suite 5: bad input gets 400 with the error body, and nothing is written (read back)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from e2e_support.api import Api, assert_error_body, describe, expect_error, expect_status
from e2e_support.target import Target
from e2e_support.users import User, UserFactory

VALID_TXN = {"amount": "10.00", "currency": "USD", "type": "debit"}
JSON = {"Content-Type": "application/json"}


def raw(body: str | bytes, content_type: str = "application/json") -> dict[str, Any]:
    return {"data": body.encode() if isinstance(body, str) else body,
            "headers": {"Content-Type": content_type}}  # fmt: skip


def as_json(body: Any) -> dict[str, Any]:
    return raw(json.dumps(body))


def deeply_nested(depth: int) -> str:
    # Deep enough to blow a naive recursive parser; still a small body (about 2 * depth bytes).
    return (
        '{"amount":"1.00","currency":"USD","type":"debit","reference":'
        + ("[" * depth + "]" * depth)
        + "}"
    )


# Bodies every JSON route must refuse, whatever its schema.
NOT_JSON_OBJECT = {
    "empty_body": raw(""),
    "not_json": raw("amount=10&currency=USD"),
    "truncated_json": raw('{"amount": "10.00"'),
    "json_null": raw("null"),
    "json_array": raw("[]"),
    "json_string": raw('"hello"'),
    "json_number": raw("42"),
    "invalid_utf8": raw(b'{"display_name": "\xff\xfe", "amount": "\xc3\x28"}'),
    "utf16_body": raw(json.dumps(VALID_TXN).encode("utf-16")),
    "deeply_nested": raw(deeply_nested(20000)),
    "nan_literal": raw('{"amount": NaN, "currency": "USD", "type": "debit"}'),
    "text_plain_content_type": raw(json.dumps(VALID_TXN), "text/plain"),
    "form_content_type": raw(
        "amount=10.00&currency=USD&type=debit", "application/x-www-form-urlencoded"
    ),
    "xml_content_type": raw("<txn><amount>10.00</amount></txn>", "application/xml"),
}

TRANSACTION_BODIES = {
    **NOT_JSON_OBJECT,
    "empty_object": as_json({}),
    "missing_type": as_json({"amount": "10.00", "currency": "USD"}),
    "amount_number": as_json({**VALID_TXN, "amount": 10}),
    "amount_float": as_json({**VALID_TXN, "amount": 10.5}),
    "amount_null": as_json({**VALID_TXN, "amount": None}),
    "amount_exponent": as_json({**VALID_TXN, "amount": "1e3"}),
    "amount_exponent_upper": as_json({**VALID_TXN, "amount": "1E3"}),
    "amount_too_precise_usd": as_json({**VALID_TXN, "amount": "0.001"}),
    "amount_fraction_jpy": as_json({**VALID_TXN, "amount": "1.5", "currency": "JPY"}),
    "amount_too_precise_bhd": as_json({**VALID_TXN, "amount": "1.0001", "currency": "BHD"}),
    "amount_zero": as_json({**VALID_TXN, "amount": "0"}),
    "amount_zero_fraction": as_json({**VALID_TXN, "amount": "0.00"}),
    "amount_negative": as_json({**VALID_TXN, "amount": "-5.00"}),
    "amount_plus_sign": as_json({**VALID_TXN, "amount": "+5.00"}),
    "amount_whitespace": as_json({**VALID_TXN, "amount": " 5.00"}),
    "amount_leading_zero": as_json({**VALID_TXN, "amount": "05.00"}),
    "amount_trailing_dot": as_json({**VALID_TXN, "amount": "5."}),
    "amount_leading_dot": as_json({**VALID_TXN, "amount": ".5"}),
    "amount_thousands_separator": as_json({**VALID_TXN, "amount": "1,000.00"}),
    "amount_nan_string": as_json({**VALID_TXN, "amount": "NaN"}),
    "amount_infinity_string": as_json({**VALID_TXN, "amount": "Infinity"}),
    "amount_hex": as_json({**VALID_TXN, "amount": "0x10"}),
    "amount_arabic_indic_digits": as_json({**VALID_TXN, "amount": "\u0661\u0662"}),
    "amount_fullwidth_digits": as_json({**VALID_TXN, "amount": "\uff11\uff12"}),
    "amount_above_maximum": as_json({**VALID_TXN, "amount": "999999999999999999"}),
    "amount_huge_json_number": raw('{"amount": 1e400, "currency": "USD", "type": "debit"}'),
    "currency_unknown": as_json({**VALID_TXN, "currency": "XXX"}),
    "currency_lowercase": as_json({**VALID_TXN, "currency": "usd"}),
    "currency_crypto": as_json({**VALID_TXN, "currency": "BTC"}),
    "currency_numeric": as_json({**VALID_TXN, "currency": 840}),
    "currency_fullwidth": as_json({**VALID_TXN, "currency": "\uff35\uff33\uff24"}),
    "type_unknown": as_json({**VALID_TXN, "type": "refund"}),
    "type_uppercase": as_json({**VALID_TXN, "type": "DEBIT"}),
    "unknown_field_status": as_json({**VALID_TXN, "status": "pending"}),
    "unknown_field_user_id": as_json({**VALID_TXN, "user_id": "someone-else"}),
    "reference_empty": as_json({**VALID_TXN, "reference": ""}),
    "reference_too_long": as_json({**VALID_TXN, "reference": "r" * 141}),
    "reference_lone_surrogate": raw(
        '{"amount": "1.00", "currency": "USD", "type": "debit", "reference": "\\ud800"}'
    ),
    "oversized_body": as_json({**VALID_TXN, "reference": "x" * (512 * 1024)}),
}

PROFILE_CREATE_BODIES = {
    **NOT_JSON_OBJECT,
    "empty_object": as_json({}),
    "display_name_number": as_json({"display_name": 123}),
    "display_name_null": as_json({"display_name": None}),
    "display_name_list": as_json({"display_name": ["a"]}),
    "display_name_empty": as_json({"display_name": ""}),
    "display_name_too_long": as_json({"display_name": "n" * 101}),
    # 101 code points of 4 UTF-8 bytes each: too long however the length is counted.
    "display_name_too_many_emoji": as_json({"display_name": "\U0001f600" * 101}),
    "display_name_lone_surrogate": raw('{"display_name": "\\udc00abc"}'),
    "locale_word": as_json({"display_name": "A", "locale": "english"}),
    "locale_underscore": as_json({"display_name": "A", "locale": "en_US"}),
    "locale_fullwidth": as_json({"display_name": "A", "locale": "en-\uff35\uff33"}),
    "opt_in_string": as_json({"display_name": "A", "marketing_opt_in": "yes"}),
    "opt_in_number": as_json({"display_name": "A", "marketing_opt_in": 1}),
    "unknown_field": as_json({"display_name": "A", "is_admin": True}),
    "user_id_in_body": as_json({"display_name": "A", "user_id": "someone-else"}),
    "version_in_create": as_json({"display_name": "A", "version": 7}),
    "oversized_body": as_json({"display_name": "x" * (512 * 1024)}),
}

PROFILE_UPDATE_BODIES = {
    **NOT_JSON_OBJECT,
    "missing_version": as_json({"display_name": "B"}),
    "only_version": as_json({"version": 1}),
    "version_string": as_json({"display_name": "B", "version": "1"}),
    "version_zero": as_json({"display_name": "B", "version": 0}),
    "version_fraction": as_json({"display_name": "B", "version": 1.5}),
    "version_bool": as_json({"display_name": "B", "version": True}),
    "version_huge": as_json({"display_name": "B", "version": 2**63}),
    "display_name_empty": as_json({"display_name": "", "version": 1}),
    "unknown_field": as_json(
        {"display_name": "B", "version": 1, "created_at": "1970-01-01T00:00:00Z"}
    ),
    "oversized_body": as_json({"display_name": "x" * (512 * 1024), "version": 1}),
}

SESSION_BODIES = {
    **NOT_JSON_OBJECT,
    "empty_object": as_json({}),
    "platform_unknown": as_json({"device_name": "d", "platform": "windows"}),
    "device_name_too_long": as_json({"device_name": "d" * 101, "platform": "web"}),
    "device_name_number": as_json({"device_name": 5, "platform": "web"}),
    "client_chosen_expiry": as_json(
        {"device_name": "d", "platform": "web", "expires_at": 4102444800}
    ),
    "client_chosen_session_id": as_json({"device_name": "d", "platform": "web", "session_id": "x"}),
}


# Known bugs, found by this suite and reported to their owners. Only the exact known symptom is
# tolerated (reported as xfail); any other answer is judged normally, so a fix makes the case pass.
NESTING_BUG = (
    500,
    "KNOWN BUG (devstack runtime, and the app's json_body): json.loads raises RecursionError on "
    "20,000-deep JSON, answered 500 instead of 400",
)
SURROGATE_BUG_500 = (
    500,
    "KNOWN BUG (app): a lone UTF-16 surrogate in a string passes validation and fails when the "
    "item is written: 500 instead of 400",
)
SURROGATE_BUG_503 = (
    503,
    "KNOWN BUG (app): a lone UTF-16 surrogate in a string passes validation and the failed write "
    "is reported as 503 (data store unavailable) instead of 400",
)
KNOWN_BUGS: dict[tuple[str, str], tuple[int, str]] = {
    ("transaction", "deeply_nested"): NESTING_BUG,
    ("profile_create", "deeply_nested"): NESTING_BUG,
    ("profile_update", "deeply_nested"): NESTING_BUG,
    ("session", "deeply_nested"): NESTING_BUG,
    ("transaction", "reference_lone_surrogate"): SURROGATE_BUG_500,
    ("profile_create", "display_name_lone_surrogate"): SURROGATE_BUG_503,
}


def tolerate_known_bug(kind: str, case: str, response: Any) -> None:
    known = KNOWN_BUGS.get((kind, case))
    if known is not None and response.status_code == known[0]:
        pytest.xfail(known[1])


@pytest.fixture(scope="module")
def module_user(user_factory: UserFactory) -> User:
    return user_factory.create()


@pytest.fixture(scope="module")
def profiled_user(user_factory: UserFactory, api: Api) -> User:
    user = user_factory.create()
    expect_status(api.post("/profiles", token=user.id_token, json_body={"display_name": "P"}), 201)
    return user


# The edge's web ACL (AWS Core rule set, SizeRestrictions_BODY) blocks bodies over 8 KB before the
# API sees them: https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
WAF_BODY_LIMIT = 8 * 1024


def _send(
    api: Api,
    method: str,
    path: str,
    token: str,
    case: dict[str, Any],
    direct: Api | None = None,
    **extra: Any,
) -> Any:
    """Send the case; a body the edge's WAF refuses is checked there (403) and then sent to the
    active region directly (``direct``, with the origin-verify header) for the API's own answer."""
    headers = {**case["headers"], **extra.pop("headers", {})}
    data = case["data"]
    size = len(data.encode() if isinstance(data, str) else data or b"")
    if api.via == "edge" and size > WAF_BODY_LIMIT and direct is not None:
        blocked = api.request(method, path, token=token, data=data, headers=headers, **extra)
        expect_status(blocked, 403)
        assert "Request blocked" in blocked.text, describe(blocked)
        api = direct
    return api.request(method, path, token=token, data=data, headers=headers, **extra)


@pytest.mark.parametrize("case", sorted(TRANSACTION_BODIES))
def test_bad_transaction_is_400_and_not_written(
    api: Api, api_primary: Api, module_user: User, case: str
) -> None:
    response = _send(
        api, "POST", "/transactions", module_user.id_token, TRANSACTION_BODIES[case],
        api_primary, headers={"Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    tolerate_known_bug("transaction", case, response)
    expect_error(response, 400)
    assert api.all_transactions(module_user.id_token) == []


@pytest.mark.parametrize("case", sorted(PROFILE_CREATE_BODIES))
def test_bad_profile_create_is_400_and_not_written(
    api: Api, api_primary: Api, module_user: User, case: str
) -> None:
    response = _send(
        api, "POST", "/profiles", module_user.id_token, PROFILE_CREATE_BODIES[case], api_primary
    )
    tolerate_known_bug("profile_create", case, response)
    expect_error(response, 400)
    expect_error(api.get("/profiles/me", token=module_user.id_token), 404)


@pytest.mark.parametrize("case", sorted(PROFILE_UPDATE_BODIES))
def test_bad_profile_update_is_400_and_not_written(
    api: Api, api_primary: Api, profiled_user: User, case: str
) -> None:
    before = api.get("/profiles/me", token=profiled_user.id_token).json()
    response = _send(
        api, "PUT", "/profiles/me", profiled_user.id_token, PROFILE_UPDATE_BODIES[case],
        api_primary,
    )  # fmt: skip
    tolerate_known_bug("profile_update", case, response)
    expect_error(response, 400)
    assert api.get("/profiles/me", token=profiled_user.id_token).json() == before


@pytest.mark.parametrize("case", sorted(SESSION_BODIES))
def test_bad_session_is_400_and_not_written(
    api: Api, api_primary: Api, profiled_user: User, case: str
) -> None:
    response = _send(
        api, "POST", "/profiles/me/sessions", profiled_user.id_token, SESSION_BODIES[case],
        api_primary,
    )  # fmt: skip
    tolerate_known_bug("session", case, response)
    expect_error(response, 400)
    listed = api.get("/profiles/me/sessions", token=profiled_user.id_token)
    expect_status(listed, 200)
    assert listed.json()["items"] == []


BAD_IDEMPOTENCY_KEYS = {
    "missing": None,
    "empty": "",
    "too_long": "k" * 65,
    # Large but under API Gateway's 10,240-byte header limit (the JWT rides along), so the key's
    # own validation answers; over the limit: test_huge_unrelated_header_is_refused_without_writing.
    "huge_header": "k" * 5_000,
    "space": "bad key",
    "punctuation": "key!",
    "cyrillic": "\u043a\u043b\u044e\u0447",
}


@pytest.mark.parametrize("case", sorted(BAD_IDEMPOTENCY_KEYS))
def test_bad_idempotency_key_is_400(api: Api, module_user: User, case: str) -> None:
    key = BAD_IDEMPOTENCY_KEYS[case]
    headers = {**JSON}
    if key is not None:
        # requests sends str headers as latin-1; non-latin-1 keys go as their UTF-8 bytes.
        headers["Idempotency-Key"] = key.encode().decode("latin-1")
    response = api.request(
        "POST", "/transactions", token=module_user.id_token,
        data=json.dumps(VALID_TXN).encode(), headers=headers,
    )  # fmt: skip
    expect_error(response, 400)
    assert api.all_transactions(module_user.id_token) == []


def test_huge_unrelated_header_is_refused_without_writing(
    api: Api, user: User, target: Target
) -> None:
    """12 KB of headers is over API Gateway's 10 KB limit. Which 4xx the gateway picks for that
    (400, 413 or 431) is the gateway's business; what matters is: refused, not a 5xx, no write."""
    response = api.request(
        "POST", "/transactions", token=user.id_token,
        data=json.dumps(VALID_TXN).encode(),
        headers={**JSON, "Idempotency-Key": uuid.uuid4().hex, "X-Padding": "p" * 12_000},
    )  # fmt: skip
    if target.is_devstack and response.status_code == 201:
        pytest.xfail(
            "KNOWN GAP (devstack runtime): API Gateway's 10,240-byte limit on the request line "
            "and headers is not enforced; a 12 KB header is accepted"
        )
    assert response.status_code in (400, 413, 431), describe(response)
    if response.status_code == 400:
        assert_error_body(response, "VALIDATION_ERROR")
    assert api.all_transactions(user.id_token) == []


BAD_QUERIES: dict[str, dict[str, str | int]] = {
    "limit_zero": {"limit": 0},
    "limit_over_100": {"limit": 101},
    "limit_negative": {"limit": -1},
    "limit_word": {"limit": "ten"},
    "limit_fraction": {"limit": "1.5"},
    "limit_exponent": {"limit": "1e1"},
    "cursor_garbage": {"cursor": "not-a-cursor"},
    "cursor_base64_junk": {"cursor": "eyJmb28iOiAiYmFyIn0"},
}


@pytest.mark.parametrize("case", sorted(BAD_QUERIES))
def test_bad_list_query_is_400(api: Api, module_user: User, case: str) -> None:
    response = api.get("/transactions", token=module_user.id_token, params=BAD_QUERIES[case])
    expect_error(response, 400)


def test_unicode_round_trips_exactly(api: Api, user: User) -> None:
    """Valid but awkward text is stored and returned unchanged (no normalisation, no mojibake)."""
    name = "Zoe\u0308 \U0001f600 \u5317\u4eac \u202eRTL \u200b"  # combining mark, emoji, CJK, bidi
    created = api.post("/profiles", token=user.id_token, json_body={"display_name": name})
    expect_status(created, 201)
    assert created.json()["display_name"] == name
    assert api.get("/profiles/me", token=user.id_token).json()["display_name"] == name
    txn = api.post_transaction(
        user.id_token, {"amount": "1.000", "currency": "KWD", "type": "credit", "reference": name}
    )
    expect_status(txn, 201)
    assert txn.json()["reference"] == name
    assert txn.json()["amount"] == "1.000"
