"""Fixtures: one emulator (moto + middleware + fillers) served on a free port for the session."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from devstack_support import RunningEmulator, free_port, serving

__all__ = ["RunningEmulator", "free_port"]


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    with serving(tmp_path_factory.mktemp("devstack-state")) as running:
        yield running


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Names unique per test: the emulator is shared by the whole session."""
    counter = iter(range(1000))

    def make(prefix: str) -> str:
        return f"{prefix}-{request.node.name[:40]}-{next(counter)}".replace("[", "-").replace(
            "]", ""
        )

    return make
