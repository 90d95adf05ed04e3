"""API Gateway's API key length (devstack.validation.apigateway), through boto3 to the emulator.

AWS: 20 to 128 characters (https://github.com/hashicorp/terraform-provider-aws/pull/30894 quotes
AWS's two BadRequestException texts). moto refuses under 20 itself and stores over 128.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError


def test_a_value_over_128_characters_is_refused(emulator: Any) -> None:
    with pytest.raises(ClientError) as refused:
        emulator.client("apigateway").create_api_key(name="too-long", value="k" * 129)
    error = refused.value.response["Error"]
    assert error["Code"] == "BadRequestException"
    assert error["Message"] == "API Key value exceeds maximum size of 128 characters"


def test_a_value_under_20_characters_is_refused(emulator: Any) -> None:
    with pytest.raises(ClientError) as refused:
        emulator.client("apigateway").create_api_key(name="too-short", value="k" * 19)
    error = refused.value.response["Error"]
    assert error["Code"] == "BadRequestException"
    assert error["Message"] == "API Key value should be at least 20 characters"


@pytest.mark.parametrize("length", [20, 128])
def test_the_bounds_are_accepted(emulator: Any, length: int) -> None:
    value = (uuid.uuid4().hex * 4)[:length]
    created = emulator.client("apigateway").create_api_key(name=f"ok-{length}", value=value)
    assert created["value"] == value


def test_removing_a_stage_the_usage_plan_does_not_have_is_a_bad_request(emulator: Any) -> None:
    """AWS answers BadRequestException "Invalid API Stage specified"
    (https://github.com/boto/boto3/issues/2629); moto 5.2.1 crashes (ValueError → 500), which
    the provider's SDK retries for minutes when a destroy's PATCH is sent twice."""
    apigateway = emulator.client("apigateway")
    plan = apigateway.create_usage_plan(name=f"plan-{uuid.uuid4().hex[:8]}")
    with pytest.raises(ClientError) as refused:
        apigateway.update_usage_plan(
            usagePlanId=plan["id"],
            patchOperations=[{"op": "remove", "path": "/apiStages", "value": "abc123:v1"}],
        )
    error = refused.value.response["Error"]
    assert error["Code"] == "BadRequestException"
    assert error["Message"] == "Invalid API Stage specified"
