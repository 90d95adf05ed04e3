"""Dependency faults become 503, unexpected errors 500: always the error body, never a trace."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from unit_support import cognito_authorizer, invoke, rest_event

from meridian import aws
from meridian.handlers import profiles
from meridian.observability import logger

ALICE = "11111111-1111-4111-8111-111111111111"

pytestmark = pytest.mark.usefixtures("aws_backend")


class FailingClient:
    """Stands in for the DynamoDB client: every operation raises the given error."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getattr__(self, name: str):
        def fail(**_: object) -> None:
            raise self.error

        return fail


def client_error(code: str, status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "GetItem",
    )


FAULTS = [
    pytest.param(client_error("ProvisionedThroughputExceededException"), id="throughput"),
    pytest.param(client_error("RequestLimitExceeded"), id="request-limit"),
    pytest.param(client_error("ThrottlingException"), id="throttling"),
    pytest.param(client_error("InternalServerError", 500), id="internal-server-error"),
    pytest.param(client_error("ServiceUnavailable", 503), id="service-unavailable"),
    pytest.param(EndpointConnectionError(endpoint_url="http://x"), id="endpoint-connection"),
    pytest.param(ConnectTimeoutError(endpoint_url="http://x"), id="connect-timeout"),
    pytest.param(ReadTimeoutError(endpoint_url="http://x"), id="read-timeout"),
    pytest.param(ConnectionClosedError(endpoint_url="http://x"), id="connection-closed"),
]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/profiles/me", None),
        ("POST", "/profiles", {"display_name": "Alice"}),
        ("PUT", "/profiles/me", {"version": 1, "display_name": "B"}),
        ("DELETE", "/profiles/me", None),
        ("GET", "/profiles/me/export", None),
    ],
)
def test_dynamodb_faults_are_503(monkeypatch, fault, method, path, body) -> None:
    monkeypatch.setattr(aws, "client", lambda _service: FailingClient(fault))
    event = rest_event(method, path, body=body, authorizer=cognito_authorizer(ALICE))
    reply = invoke(profiles.handler, event)
    assert reply.status == 503
    assert reply.body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert reply.body["error"]["request_id"] == event["requestContext"]["requestId"]


def test_unreachable_endpoint_is_503(monkeypatch) -> None:
    # Nothing listens on this port (our test range): a real connection failure, fast.
    unreachable = boto3.client(
        "dynamodb",
        endpoint_url="http://127.0.0.1:5149",
        config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}),
    )
    monkeypatch.setattr(aws, "client", lambda _service: unreachable)
    reply = invoke(
        profiles.handler, rest_event("GET", "/profiles/me", authorizer=cognito_authorizer(ALICE))
    )
    assert reply.status == 503
    assert reply.body["error"]["code"] == "SERVICE_UNAVAILABLE"


def test_other_client_errors_are_500(monkeypatch) -> None:
    monkeypatch.setattr(
        aws, "client", lambda _s: FailingClient(client_error("ValidationException"))
    )
    reply = invoke(
        profiles.handler, rest_event("GET", "/profiles/me", authorizer=cognito_authorizer(ALICE))
    )
    assert reply.status == 500
    assert reply.body["error"]["code"] == "INTERNAL_ERROR"


def test_unexpected_error_is_500_with_trace_only_in_the_log(monkeypatch, log_output) -> None:
    def explode(_user_id: str) -> None:
        raise RuntimeError("kaboom-internal-detail")

    monkeypatch.setattr(profiles.service, "get_profile", explode)
    event = rest_event("GET", "/profiles/me", authorizer=cognito_authorizer(ALICE))
    reply = invoke(profiles.handler, event)
    assert reply.status == 500
    assert reply.body == {
        "error": {
            "code": "INTERNAL_ERROR",
            "message": "internal error",
            "request_id": event["requestContext"]["requestId"],
        }
    }
    logged = log_output.getvalue()
    assert "kaboom-internal-detail" in logged
    assert "Traceback" in logged


def test_successful_requests_log_nothing_at_info(log_output) -> None:
    event = rest_event(
        "POST", "/profiles", body={"display_name": "A"}, authorizer=cognito_authorizer(ALICE)
    )
    assert invoke(profiles.handler, event).status == 201
    assert log_output.getvalue() == ""  # the stage's access log records every request


@pytest.fixture
def debug_logging() -> Iterator[None]:
    previous = logger.level
    logger.setLevel("DEBUG")
    yield
    logger.setLevel(previous)


@pytest.mark.usefixtures("debug_logging")
def test_logs_carry_no_personal_data(capsys, log_output) -> None:
    # At DEBUG every request logs its line: none of them may hold personal data either.
    event = rest_event(
        "POST",
        "/profiles",
        body={"display_name": "Zelda Secretname"},
        authorizer=cognito_authorizer(ALICE),
        headers={"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.secret.token"},
    )
    assert invoke(profiles.handler, event).status == 201
    logged = log_output.getvalue() + capsys.readouterr().out
    assert "function_request_id" in logged  # the request's log lines were captured
    assert "Zelda" not in logged
    assert "someone@example.com" not in logged
    assert "eyJhbGciOiJSUzI1NiJ9" not in logged
    # The metric line proves the capture works (EMF goes to stdout too).
    assert any("ProfileCreated" in line for line in logged.splitlines())
    for line in logged.splitlines():
        json.loads(line)  # structured: every line is JSON
