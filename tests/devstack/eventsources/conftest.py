"""Fixtures: one emulator for the module, a stream-enabled table and a test function whose
invocations are written to a file (the function runs in the devstack's Lambda workers)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from devstack_support import serving
from es_support import PRIMARY, Emulator, StreamSetup

_names = itertools.count()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with serving(tmp_path_factory.mktemp("devstack-state")) as running:
        running.app.dynamodb.replicator.configure(delay_seconds=0.0)
        yield Emulator(running.app, running.port)


@pytest.fixture
def name() -> str:
    return f"es-{next(_names)}"


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal"


@pytest.fixture
def stream(emulator: Emulator, name: str, journal: Path) -> StreamSetup:
    """Builds this test's table, function and mapping (``stream.build(...)``)."""
    return StreamSetup(emulator, name, journal)


__all__ = ["PRIMARY"]
