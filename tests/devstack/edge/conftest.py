"""One in-process emulator for the edge tests that read real distribution configs (boto3 → API)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from devstack_support import RunningEmulator, serving


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    with serving(tmp_path_factory.mktemp("edge-emulator")) as running:
        yield running
