"""Fixtures: one emulator (moto + middleware + fillers) served on a free port for the session."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from werkzeug.serving import make_server

from devstack.server import DevstackApp, configure_moto_environment

configure_moto_environment()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RunningEmulator:
    def __init__(self, app: DevstackApp, port: int) -> None:
        self.app = app
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"

    def client(self, service: str, region: str = "us-east-1", retries: int = 1) -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": retries, "mode": "standard"}),
        )


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    state_dir: Path = tmp_path_factory.mktemp("devstack-state")
    port = free_port()
    app = DevstackApp(port, state_dir)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RunningEmulator(app, port)
    finally:
        server.shutdown()
        server.server_close()
        app.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Names unique per test: the emulator is shared by the whole session."""
    counter = iter(range(1000))

    def make(prefix: str) -> str:
        return f"{prefix}-{request.node.name[:40]}-{next(counter)}".replace("[", "-").replace(
            "]", ""
        )

    return make
