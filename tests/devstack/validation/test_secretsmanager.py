"""Secrets Manager's recovery window: AWS enforces it at its API and moto 5.2.1 does too (no
devstack code). Listed in the fidelity table as emulated by moto; these tests keep that claim true
when moto is upgraded.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.mark.parametrize("days", [6, 31])
def test_secret_recovery_window_is_7_to_30_days(emulator: Any, days: int) -> None:
    # https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html
    secrets = emulator.client("secretsmanager")
    name = f"validation/{uuid.uuid4()}"
    secrets.create_secret(Name=name, SecretString="x")
    with pytest.raises(ClientError) as refused:
        secrets.delete_secret(SecretId=name, RecoveryWindowInDays=days)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"


def test_secret_recovery_window_and_force_delete_exclude_each_other(emulator: Any) -> None:
    secrets = emulator.client("secretsmanager")
    name = f"validation/{uuid.uuid4()}"
    secrets.create_secret(Name=name, SecretString="x")
    with pytest.raises(ClientError) as refused:
        secrets.delete_secret(
            SecretId=name, RecoveryWindowInDays=7, ForceDeleteWithoutRecovery=True
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
