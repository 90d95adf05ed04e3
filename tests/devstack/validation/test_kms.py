"""KMS key deletion window (devstack.validation.kms), through boto3 to the emulator.

https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html: 7 to 30 days.
moto answers 200 for other values and schedules nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.mark.parametrize(
    ("days", "bound"), [(6, "greater than or equal to 7"), (31, "less than or equal to 30")]
)
def test_a_window_outside_7_to_30_days_is_refused(emulator: Any, days: int, bound: str) -> None:
    kms = emulator.client("kms")
    key_id = kms.create_key(Description="validation")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as refused:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=days)
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert f"Member must have value {bound}" in error["Message"]
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


@pytest.mark.parametrize("days", [7, 30, None])
def test_7_to_30_days_or_the_default_schedule_the_deletion(emulator: Any, days: int | None) -> None:
    kms = emulator.client("kms")
    key_id = kms.create_key(Description="validation")["KeyMetadata"]["KeyId"]
    window = {} if days is None else {"PendingWindowInDays": days}
    kms.schedule_key_deletion(KeyId=key_id, **window)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
