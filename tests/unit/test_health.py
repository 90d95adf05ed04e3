from __future__ import annotations

import pytest
from test_faults import FAULTS, FailingClient
from unit_support import invoke, rest_event

from meridian import aws
from meridian.handlers import health

pytestmark = pytest.mark.usefixtures("aws_backend")


def test_health_ok_names_the_region() -> None:
    reply = invoke(health.handler, rest_event("GET", "/health"))
    assert reply.status == 200
    assert reply.body == {"status": "ok", "region": "us-east-1"}


@pytest.mark.parametrize("fault", FAULTS)
def test_health_is_503_when_the_table_does_not_answer(monkeypatch, fault) -> None:
    monkeypatch.setattr(aws, "client", lambda _service: FailingClient(fault))
    event = rest_event("GET", "/health")
    reply = invoke(health.handler, event)
    assert reply.status == 503
    assert reply.body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert reply.body["error"]["request_id"] == event["requestContext"]["requestId"]


def test_health_on_a_missing_table_is_503(dynamodb) -> None:
    # Any failed probe means "do not route traffic here", so Route 53 must see a 503.
    dynamodb.delete_table(TableName="meridian-test")
    reply = invoke(health.handler, rest_event("GET", "/health"))
    assert reply.status == 503
    assert reply.body["error"]["code"] == "SERVICE_UNAVAILABLE"


def test_health_only_answers_get() -> None:
    # API Gateway answers an undefined method itself (404 NOT_FOUND, see test_http.py).
    assert invoke(health.handler, rest_event("POST", "/health")).status == 404
