"""Fixtures: one emulator (moto + middleware + fillers + AWS validation) for the session.

The validation tests send each configuration AWS refuses through boto3 to a real emulator server,
as Terraform would, and expect AWS's error code and message back.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from werkzeug.serving import make_server

from devstack.server import DevstackApp, configure_moto_environment

configure_moto_environment()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RunningEmulator:
    def __init__(self, app: DevstackApp, port: int) -> None:
        self.app = app
        self.endpoint = f"http://127.0.0.1:{port}"

    def client(self, service: str, region: str = "us-east-1", validate: bool = True) -> Any:
        """A boto3 client of the emulator; ``validate=False`` skips botocore's own checks
        (Terraform's Go SDK does not check ranges, so the server must)."""
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}, parameter_validation=validate),
        )


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    state_dir: Path = tmp_path_factory.mktemp("devstack-state")
    port = _free_port()
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
