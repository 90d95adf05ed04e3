"""The functions' boto3 clients (meridian.aws): one per service and process, short timeouts, and
a User-Agent fixed at cold start instead of rebuilt by botocore on every call."""

from __future__ import annotations

import sys
from typing import Any

import boto3
import botocore
import pytest

from meridian import aws

pytestmark = pytest.mark.usefixtures("aws_backend")


def sent_user_agents(client: Any, calls: int) -> list[str]:
    seen: list[str] = []

    def record(request: Any, **_: Any) -> None:
        value = request.headers["User-Agent"]
        seen.append(value.decode() if isinstance(value, bytes) else value)

    client.meta.events.register("before-send", record)
    for _ in range(calls):
        client.get_item(TableName="meridian-test", Key={"pk": {"S": "a"}, "sk": {"S": "b"}})
    client.meta.events.unregister("before-send", record)
    return seen


def test_every_call_sends_the_user_agent_fixed_at_cold_start() -> None:
    agents = sent_user_agents(aws.client("dynamodb"), 3)
    assert len(set(agents)) == 1
    # botocore appends its session's own extra ("Botocore/<version>") to a configured agent.
    assert agents[0].startswith(aws.USER_AGENT)
    assert " m/" not in agents[0]  # botocore's per-call feature ids: the rebuilt default agent


def test_the_fixed_user_agent_still_names_the_sdk_the_language_and_the_app() -> None:
    version = ".".join(str(part) for part in sys.version_info[:3])
    sdk = f"Boto3/{boto3.__version__} md/Botocore#{botocore.__version__}"
    assert aws.USER_AGENT.startswith(sdk)
    assert f"lang/python#{version}" in aws.USER_AGENT
    assert aws.USER_AGENT.endswith("app/meridian")


def test_the_client_is_made_once_per_service() -> None:
    assert aws.client("dynamodb") is aws.client("dynamodb")
    assert aws.client("sns") is not aws.client("dynamodb")
