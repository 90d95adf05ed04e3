"""Seeded fuzzing: whatever a client sends, the answer is never a 5xx and always the error body."""

from __future__ import annotations

import json
import random
import string

import pytest
from unit_support import cognito_authorizer, invoke, lambda_authorizer, rest_event

from meridian.handlers import profiles, transactions

pytestmark = pytest.mark.usefixtures("aws_backend")

ALPHABET = string.printable + "\u00e9\u00b2\u0661\ufeff\u202e\U0001f600\x00"
SCALARS = [None, True, False, 0, -1, 1, 10**30, "", "0", "1.00", "USD", "debit", "web", "x" * 200]
FIELDS = ["display_name", "locale", "marketing_opt_in", "version", "device_name", "platform",
          "amount", "currency", "type", "reference", "user_id", "extra"]  # fmt: skip


def random_text(rng: random.Random, longest: int = 40) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def random_value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth < 3 and roll < 0.15:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if depth < 3 and roll < 0.3:
        return {random_text(rng, 8): random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    if roll < 0.6:
        return rng.choice(SCALARS)
    return random_text(rng)


def random_body(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.2:
        return random_text(rng, 200)
    document = {rng.choice(FIELDS): random_value(rng) for _ in range(rng.randint(0, 5))}
    text = json.dumps(document)
    if roll < 0.3 and text:
        cut = rng.randint(0, len(text))
        text = text[:cut] + random_text(rng, 5) + text[cut:]
    return text


CASES = [
    ("POST", "/profiles", profiles, "cognito"),
    ("PUT", "/profiles/me", profiles, "cognito"),
    ("POST", "/profiles/me/sessions", profiles, "cognito"),
    ("POST", "/transactions", transactions, "lambda"),
]


@pytest.mark.parametrize("seed", range(8))
def test_random_requests_never_fail_with_5xx(seed: int) -> None:
    rng = random.Random(seed)
    invoke(
        profiles.handler,
        rest_event("POST", "/profiles", body={"display_name": "Fuzz"},
                   authorizer=cognito_authorizer("fuzz-user")),
    )  # fmt: skip
    for _ in range(40):
        method, path, module, auth = rng.choice(CASES)
        authorizer = (
            cognito_authorizer("fuzz-user") if auth == "cognito" else lambda_authorizer("fuzz-user")
        )
        headers = {"Content-Type": rng.choice(["application/json", "text/plain", random_text(rng)])}
        if rng.random() < 0.7:
            headers["Idempotency-Key"] = rng.choice(["k-1", random_text(rng, 70)])
        event = rest_event(method, path, raw_body=random_body(rng), headers=headers,
                           authorizer=authorizer)  # fmt: skip
        reply = invoke(module.handler, event)
        assert reply.status < 500, (event["body"], reply.body)
        if reply.status >= 400:
            assert set(reply.body["error"]) == {"code", "message", "request_id"}


@pytest.mark.parametrize("seed", range(4))
def test_random_queries_and_ids_never_fail_with_5xx(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        garbage = random_text(rng, 60)
        choice = rng.randrange(3)
        if choice == 0:
            query = {rng.choice(["limit", "cursor", "other"]): garbage}
            event = rest_event("GET", "/transactions", query=query,
                               authorizer=lambda_authorizer("fuzz-user"))  # fmt: skip
            module = transactions
        elif choice == 1:
            event = rest_event("GET", f"/transactions/{garbage}", resource="/transactions/{id}",
                               authorizer=lambda_authorizer("fuzz-user"))  # fmt: skip
            module = transactions
        else:
            event = rest_event("DELETE", f"/profiles/me/sessions/{garbage}",
                               authorizer=cognito_authorizer("fuzz-user"))  # fmt: skip
            module = profiles
        reply = invoke(module.handler, event)
        assert reply.status < 500, (event["path"], event["queryStringParameters"], reply.body)


TRAPS = [
    pytest.param('{"amount": "1.00", "amount": "2.00"}', id="repeated-key"),
    pytest.param('{"display_name": ' + "9" * 4301 + "}", id="int-beyond-4300-digits"),
    pytest.param('{"version": ' + "9" * 200 + "}", id="long-int"),
    pytest.param('{"x": ' + "[" * 3000 + "]" * 3000 + "}", id="deep"),
    pytest.param('{"x": {"y": 1, "y": {"z": 2, "z": 3}}}', id="nested-repeats"),
]


@pytest.mark.parametrize("raw", TRAPS)
@pytest.mark.parametrize(("method", "path", "module", "auth"), CASES)
def test_strict_json_traps_are_400_on_every_body_route(raw, method, path, module, auth) -> None:
    authorizer = (
        cognito_authorizer("fuzz-user") if auth == "cognito" else lambda_authorizer("fuzz-user")
    )
    headers = {"Content-Type": "application/json", "Idempotency-Key": "trap-1"}
    reply = invoke(module.handler, rest_event(method, path, raw_body=raw, headers=headers,
                                              authorizer=authorizer))  # fmt: skip
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "VALIDATION_ERROR"
