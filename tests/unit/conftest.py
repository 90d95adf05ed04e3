"""Unit-test environment: every AWS call goes to moto's in-process backends."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any

import pytest
from unit_support import REGION, TABLE_NAME

# The handler modules validate their configuration at import (cold start), so the environment
# must be complete before any test imports them.
for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_COGNITO_IDP"):
    os.environ.pop(variable, None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        # The write fence (issue 12): the unit tests' region takes writes unless a test says not.
        "WRITE_REGION": REGION,
        "TABLE_NAME": TABLE_NAME,
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "INFO",
        "POWERTOOLS_SERVICE_NAME": "unit-tests",
        "POWERTOOLS_METRICS_NAMESPACE": "Meridian",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "SESSION_TTL_SECONDS": "3600",
        "MAX_TRANSACTION_AMOUNTS": "{}",
        "CORS_ALLOW_ORIGIN": "https://app.example.test",
        "COGNITO_USER_POOL_ID": f"{REGION}_TestPool1",
        "COGNITO_APP_CLIENT_IDS": "client123,client456",
        "PARTNER_KEY_SECRET_PREFIX": "meridian-test/partner-keys/",
        "PARTNER_KEY_CACHE_SECONDS": "300",
        "PARTNER_TOKEN_MAX_LIFETIME_SECONDS": "3600",
        "PARTNER_ISSUER": "meridian-partners-test",
        "PARTNER_AUDIENCE": "meridian-api-test",
        "USAGE_KEY_PREFIX": "meridian-test-usage-",
        # The transaction events publisher (issue 14): this region's topic.
        "EVENTS_TOPIC_ARN": f"arn:aws:sns:{REGION}:123456789012:meridian-test-transaction-events",
    }
)

from moto import mock_aws  # noqa: E402 - after the environment is set

from meridian import aws  # noqa: E402
from meridian.observability import logger  # noqa: E402


def create_table(client: Any) -> None:
    """The table as Terraform creates it: pk/sk strings, on-demand, TTL on expires_at."""
    client.create_table(
        TableName=TABLE_NAME,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    client.update_time_to_live(
        TableName=TABLE_NAME,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
    )


@pytest.fixture
def aws_backend() -> Iterator[None]:
    """Fresh moto backends with the table created; clients built inside the mock."""
    with mock_aws():
        aws.reset_clients()
        create_table(aws.client("dynamodb"))
        yield
    aws.reset_clients()


@pytest.fixture
def dynamodb(aws_backend: None) -> Any:
    return aws.client("dynamodb")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "build: builds the Lambda zips (make test-build)")


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the functions' logger writes during the test (its handler holds the stream)."""
    buffer = io.StringIO()
    previous = logger.handler.setStream(buffer)
    yield buffer
    if previous is not None:
        logger.handler.setStream(previous)
