"""Fixtures: one emulator (moto + middleware + fillers) on a free port, and a global table."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ddb_support import PRIMARY, SECONDARY, Emulator, create_table, key
from werkzeug.serving import make_server

from devstack.server import DevstackApp, configure_moto_environment

configure_moto_environment()
_names = itertools.count()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    app = DevstackApp(port, tmp_path_factory.mktemp("devstack-state"))
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Emulator(app, port)
    finally:
        server.shutdown()
        server.server_close()
        app.shutdown()
        thread.join(timeout=10)


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
