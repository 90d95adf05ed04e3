"""Fixtures: one emulator (moto + middleware + fillers + AWS validation) for the session.

The validation tests send each configuration AWS refuses through boto3 to a real emulator server,
as Terraform would, and expect AWS's error code and message back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from devstack_support import RunningEmulator, serving


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    with serving(tmp_path_factory.mktemp("devstack-state")) as running:
        yield running
