"""Fixtures: one emulator (moto + middleware + fillers) on a free port, and a global table."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ddb_support import PRIMARY, SECONDARY, Emulator, create_table, key
from devstack_support import serving

_names = itertools.count()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with serving(tmp_path_factory.mktemp("devstack-state")) as running:
        yield Emulator(running.app, running.port)


@pytest.fixture(autouse=True)
def realistic_replication(emulator: Emulator) -> Iterator[None]:
    """Each test starts from the default delay with no region isolated, and leaves it so."""
    emulator.app.dynamodb.replicator.configure(delay_seconds=1.0, isolated_regions=[])
    yield
    emulator.app.dynamodb.replicator.configure(delay_seconds=0.0, isolated_regions=[])
    emulator.drain()


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    return lambda prefix: f"{prefix}-{next(_names)}"


@pytest.fixture
def global_table(emulator: Emulator, unique_name: Callable[[str], str]) -> tuple[str, Any, Any]:
    east = emulator.client("dynamodb", PRIMARY)
    west = emulator.client("dynamodb", SECONDARY)
    name = unique_name("gt")
    create_table(east, name)
    east.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )
    east.put_item(TableName=name, Item={**key("u1", "before"), "v": {"N": "1"}})
    east.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": SECONDARY}}])
    return name, east, west
