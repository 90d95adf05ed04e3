"""Fixtures for the WAF evaluator tests: moto in-process (mock_aws), the gate over it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

sys.path.insert(0, str(Path(__file__).resolve().parent))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def aws() -> Iterator[None]:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        yield


@pytest.fixture
def wafv2(aws: None) -> Any:
    return boto3.client("wafv2", region_name="us-east-1")


@pytest.fixture
def logs(aws: None) -> Any:
    return boto3.client("logs", region_name="us-east-1")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
