"""WAFv2 rate-based rule settings (devstack.validation.wafv2), through boto3 to the emulator.

https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html:
evaluation window 60, 120, 300 or 600 s; lowest limit 10. moto stores any values. botocore's own
checks are off here (Terraform's SDK does not check these ranges either), so the server decides.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

VISIBILITY = {
    "SampledRequestsEnabled": False,
    "CloudWatchMetricsEnabled": False,
    "MetricName": "validation",
}


def _create(emulator: Any, rate: dict[str, Any]) -> Any:
    return emulator.client("wafv2", validate=False).create_web_acl(
        Name=f"validation-{uuid.uuid4().hex[:12]}",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig=VISIBILITY,
        Rules=[
            {
                "Name": "rate",
                "Priority": 0,
                "Action": {"Block": {}},
                "Statement": {"RateBasedStatement": {"AggregateKeyType": "IP", **rate}},
                "VisibilityConfig": VISIBILITY,
            }
        ],
    )


@pytest.mark.parametrize(
    ("rate", "field"),
    [
        ({"Limit": 9}, "RATE_LIMIT"),
        ({"Limit": 2_000_000_001}, "RATE_LIMIT"),
        ({"Limit": 100, "EvaluationWindowSec": 30}, "EVALUATION_WINDOW_SEC"),
        ({"Limit": 100, "EvaluationWindowSec": 900}, "EVALUATION_WINDOW_SEC"),
    ],
)
def test_invalid_rate_settings_are_refused(emulator: Any, rate: dict[str, Any], field: str) -> None:
    with pytest.raises(ClientError) as refused:
        _create(emulator, rate)
    error = refused.value.response["Error"]
    assert error["Code"] == "WAFInvalidParameterException"
    assert f"field: {field}" in error["Message"]


@pytest.mark.parametrize("window", [60, 120, 300, 600])
def test_valid_rate_settings_are_accepted(emulator: Any, window: int) -> None:
    created = _create(emulator, {"Limit": 10, "EvaluationWindowSec": window})
    assert created["Summary"]["Id"]
