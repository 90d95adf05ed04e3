"""The HTTP layer shared by every REST function (meridian.http): JSON body parsing, CORS on
every response, the answer for a route the function does not serve, and no reaching into
Powertools internals."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from unit_support import Reply, cognito_authorizer, invoke, lambda_authorizer, rest_event

from meridian import aws
from meridian.handlers import health, profiles, transactions
from meridian.http import MAX_INTEGER_DIGITS, MAX_JSON_DEPTH

pytestmark = pytest.mark.usefixtures("aws_backend")

ALICE = "11111111-1111-4111-8111-111111111111"
# conftest sets CORS_ALLOW_ORIGIN to this origin: the one a browser app is served from.
APP_ORIGIN = "https://app.example.test"
JSON_HEADERS = {"Content-Type": "application/json"}


def profiles_call(method: str, path: str, **kwargs) -> Reply:
    return invoke(
        profiles.handler, rest_event(method, path, authorizer=cognito_authorizer(ALICE), **kwargs)
    )


def transactions_call(method: str, path: str, **kwargs) -> Reply:
    return invoke(
        transactions.handler,
        rest_event(method, path, authorizer=lambda_authorizer(ALICE), **kwargs),
    )


def assert_validation_error(reply: Reply, needle: str) -> None:
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "VALIDATION_ERROR"
    assert needle in reply.body["error"]["message"]
    assert set(reply.body["error"]) == {"code", "message", "request_id"}


# -- item 10: JSON edge cases ----------------------------------------------------------------


@pytest.mark.parametrize("digits", [4301, 5000, 10_000])
def test_an_integer_beyond_pythons_conversion_limit_is_400_not_500(digits: int) -> None:
    # CPython refuses int() of more than 4,300 decimal digits with a ValueError
    # (https://docs.python.org/3/library/stdtypes.html#int-max-str-digits); json.loads raises it.
    raw = '{"display_name": "a", "marketing_opt_in": ' + "7" * digits + "}"
    reply = profiles_call("POST", "/profiles", raw_body=raw, headers=JSON_HEADERS)
    assert_validation_error(reply, "digits")


def test_an_integer_longer_than_the_limit_is_400_even_below_pythons_limit() -> None:
    raw = '{"version": ' + "1" * (MAX_INTEGER_DIGITS + 1) + ', "display_name": "b"}'
    reply = profiles_call("PUT", "/profiles/me", raw_body=raw, headers=JSON_HEADERS)
    assert_validation_error(reply, f"more than {MAX_INTEGER_DIGITS} digits")


def test_a_long_but_allowed_integer_reaches_the_schema() -> None:
    raw = '{"version": ' + "1" * MAX_INTEGER_DIGITS + ', "display_name": "b"}'
    reply = profiles_call("PUT", "/profiles/me", raw_body=raw, headers=JSON_HEADERS)
    assert_validation_error(reply, "version")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param('{"display_name": "Alice", "display_name": "Mallory"}', id="top-level"),
        pytest.param('{"display_name": "A", "locale": "en", "locale": "en"}', id="same-value"),
    ],
)
def test_duplicate_object_keys_are_400(raw: str) -> None:
    reply = profiles_call("POST", "/profiles", raw_body=raw, headers=JSON_HEADERS)
    assert_validation_error(reply, "duplicate key")
    assert profiles_call("GET", "/profiles/me").status == 404  # nothing was written


def test_duplicate_keys_in_a_nested_object_are_400() -> None:
    raw = '{"display_name": "A", "x": {"k": 1, "k": 2}}'
    reply = profiles_call("POST", "/profiles", raw_body=raw, headers=JSON_HEADERS)
    assert_validation_error(reply, "duplicate key")


def test_duplicate_amount_in_a_transaction_is_400_and_nothing_is_written() -> None:
    # API Gateway's validator and the handler could each read a different "amount".
    raw = '{"amount": "1.00", "currency": "USD", "type": "debit", "amount": "900000.00"}'
    reply = transactions_call(
        "POST",
        "/transactions",
        raw_body=raw,
        headers={**JSON_HEADERS, "Idempotency-Key": "dup-1"},
    )
    assert_validation_error(reply, "duplicate key")
    assert transactions_call("GET", "/transactions").body["items"] == []


def test_distinct_keys_that_differ_only_in_case_are_not_duplicates() -> None:
    raw = '{"display_name": "A", "Display_name": "B"}'
    reply = profiles_call("POST", "/profiles", raw_body=raw, headers=JSON_HEADERS)
    assert_validation_error(reply, "Display_name")  # the schema's unknown-field error


@pytest.mark.parametrize(
    ("depth", "needle"),
    [
        # The same answer on every Python version: 3.11 raises RecursionError at ~1,000 levels,
        # 3.12+ parses far deeper. The limit is ours, not the interpreter's.
        pytest.param(MAX_JSON_DEPTH + 1, "nested too deeply", id="one-too-deep"),
        pytest.param(5000, "nested too deeply", id="very-deep"),
        pytest.param(MAX_JSON_DEPTH, "x", id="at-the-limit-reaches-the-schema"),
    ],
)
def test_nesting_depth_is_limited_identically_on_every_python(depth: int, needle: str) -> None:
    # The body object itself is level 1; "x" holds depth - 1 nested arrays.
    inner = depth - 1
    raw = '{"display_name": "a", "x": ' + "[" * inner + "]" * inner + "}"
    reply = profiles_call("POST", "/profiles", raw_body=raw, headers=JSON_HEADERS)
    assert_validation_error(reply, needle)


# -- item 14: CORS on every function response ------------------------------------------------


def _acao(reply: Reply) -> str | None:
    return {name.lower(): value for name, value in reply.headers.items()}.get(
        "access-control-allow-origin"
    )


def test_every_profiles_response_carries_the_configured_origin() -> None:
    origin = {"Origin": APP_ORIGIN}
    replies = {
        "401 no identity": invoke(profiles.handler, rest_event("GET", "/profiles/me")),
        "404 no profile": profiles_call("GET", "/profiles/me", headers=origin),
        "201 created": profiles_call(
            "POST", "/profiles", body={"display_name": "A"}, headers=origin
        ),
        "200 read": profiles_call("GET", "/profiles/me", headers=origin),
        "400 bad body": profiles_call("POST", "/profiles/me/sessions", body={}, headers=origin),
        "409 exists": profiles_call(
            "POST", "/profiles", body={"display_name": "A"}, headers=origin
        ),
        "404 unknown route": profiles_call("GET", "/nope", headers=origin),
        "204 erased": profiles_call("DELETE", "/profiles/me", headers=origin),
    }
    # The missing-identity call above carried no Origin: give it one and compare.
    replies["401 no identity"] = invoke(
        profiles.handler, rest_event("GET", "/profiles/me", headers=origin)
    )
    for label, reply in replies.items():
        assert str(reply.status) == label.split()[0], (label, reply.body)
        assert _acao(reply) == APP_ORIGIN, label


def test_every_transactions_and_health_response_carries_the_configured_origin(
    dynamodb, monkeypatch
) -> None:
    origin = {"Origin": APP_ORIGIN}
    created = transactions_call(
        "POST",
        "/transactions",
        body={"amount": "1.00", "currency": "USD", "type": "debit"},
        headers={**origin, "Idempotency-Key": "cors-1"},
    )
    transaction_id = created.body["transaction_id"]
    replies = [
        (201, created),
        (200, transactions_call("GET", "/transactions", headers=origin)),
        (200, transactions_call("GET", f"/transactions/{transaction_id}", headers=origin)),
        (404, transactions_call("GET", "/transactions/01ARZ3NDEKTSV4RRFFQ69G5FAV", headers=origin)),
        (400, transactions_call("GET", "/transactions", query={"limit": "0"}, headers=origin)),
        (200, invoke(health.handler, rest_event("GET", "/health", headers=origin))),
    ]
    dynamodb.delete_table(TableName="meridian-test")
    aws.reset_clients()
    replies.append((503, invoke(health.handler, rest_event("GET", "/health", headers=origin))))
    for status, reply in replies:
        assert reply.status == status, reply.body
        assert _acao(reply) == APP_ORIGIN, (status, reply.body)


def test_an_unexpected_error_still_carries_the_configured_origin(monkeypatch) -> None:
    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(profiles.service, "get_profile", explode)
    reply = profiles_call("GET", "/profiles/me", headers={"Origin": APP_ORIGIN})
    assert reply.status == 500
    assert reply.body["error"]["code"] == "INTERNAL_ERROR"
    assert _acao(reply) == APP_ORIGIN


def test_another_origin_is_not_allowed() -> None:
    reply = profiles_call("GET", "/profiles/me", headers={"Origin": "https://evil.example"})
    assert reply.status == 404
    assert _acao(reply) is None


def test_cors_headers_allow_the_request_headers_the_api_uses() -> None:
    reply = profiles_call("GET", "/profiles/me", headers={"Origin": APP_ORIGIN})
    allowed = {
        name.strip().lower() for name in reply.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert {"authorization", "content-type", "idempotency-key"} <= allowed


# -- item 15: unsupported methods, no Powertools internals -----------------------------------


@pytest.mark.parametrize(
    ("handler", "method", "path", "authorizer"),
    [
        (profiles.handler, "PATCH", "/profiles/me", cognito_authorizer(ALICE)),
        (transactions.handler, "DELETE", "/transactions", lambda_authorizer(ALICE)),
        (health.handler, "POST", "/health", None),
    ],
)
def test_a_method_the_function_does_not_serve_is_404(handler, method, path, authorizer) -> None:
    # API Gateway answers a method the OpenAPI document does not define itself
    # (MISSING_AUTHENTICATION_TOKEN, mapped to 404 NOT_FOUND) before any function runs, so the
    # function only needs a safe answer for a request that should never reach it.
    reply = invoke(handler, rest_event(method, path, authorizer=authorizer))
    assert reply.status == 404
    assert reply.body["error"]["code"] == "NOT_FOUND"


SOURCE_DIR = Path(__file__).resolve().parents[2] / "src" / "meridian"


def _private_accesses(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})
        ):
            found.append(f"line {node.lineno}: .{node.attr}")
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
            and node.slice.value.startswith("_")
        ):
            found.append(f"line {node.lineno}: [{node.slice.value!r}]")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and node.args[0].value.startswith("_")
        ):
            found.append(f"line {node.lineno}: .get({node.args[0].value!r})")
    return found


def test_the_guard_finds_private_accesses() -> None:
    tree = ast.parse('app._static_routes\nx = app.context.get("_path")\ny = ctx["_route"]')
    assert len(_private_accesses(tree)) == 3


@pytest.mark.parametrize("path", sorted(SOURCE_DIR.rglob("*.py")), ids=lambda path: path.name)
def test_no_library_private_attributes_are_used(path: Path) -> None:
    # Private names of another object (Powertools' _static_routes, context["_path"], ...) change
    # without notice between releases; only our own module-level helpers may start with "_".
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
    }
    foreign = [access for access in _private_accesses(tree) if access.split(".")[-1] not in own]
    assert foreign == [], path
