"""CloudWatch Logs retention values (devstack.validation.logs), through boto3 to the emulator.

https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
lists the values AWS accepts; moto stores any number.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.mark.parametrize("days", [0, 2, 10, 100, 3650])
def test_a_retention_aws_does_not_offer_is_refused(emulator: Any, days: int) -> None:
    logs = emulator.client("logs")
    name = f"/validation/{uuid.uuid4()}"
    logs.create_log_group(logGroupName=name)
    with pytest.raises(ClientError) as refused:
        logs.put_retention_policy(logGroupName=name, retentionInDays=days)
    error = refused.value.response["Error"]
    assert error["Code"] == "InvalidParameterException"
    assert f"Value '{days}' at 'retentionInDays' failed to satisfy constraint" in error["Message"]
    group = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
    assert "retentionInDays" not in group  # nothing was stored


@pytest.mark.parametrize("days", [1, 90, 1096, 3653])
def test_aws_retention_values_are_stored(emulator: Any, days: int) -> None:
    logs = emulator.client("logs")
    name = f"/validation/{uuid.uuid4()}"
    logs.create_log_group(logGroupName=name)
    logs.put_retention_policy(logGroupName=name, retentionInDays=days)
    group = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
    assert group["retentionInDays"] == days
