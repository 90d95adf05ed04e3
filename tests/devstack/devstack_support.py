"""One running emulator for a test session or module: the app, its port and boto3 clients.

Shared by the devstack suites (emulator, edge, validation, dynamodb): each starts the whole
middleware (moto, fillers, runtimes, edge) in-process on a free port with :func:`serving`.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from devstack.listener import HttpListener
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

    def client(
        self, service: str, region: str = "us-east-1", retries: int = 1, validate: bool = True
    ) -> Any:
        """A client with test credentials; ``validate=False`` sends what botocore would refuse
        (to see the emulator answer as AWS does)."""
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(
                retries={"max_attempts": retries, "mode": "standard"},
                parameter_validation=validate,
            ),
        )


@contextmanager
def serving(state_dir: Path) -> Iterator[RunningEmulator]:
    """The emulator on a free port for the duration of the block, then stopped."""
    port = free_port()
    app = DevstackApp(port, state_dir)
    server = HttpListener("127.0.0.1", port, app)  # the listener `make up` runs
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RunningEmulator(app, port)
    finally:
        server.shutdown()
        app.shutdown()
        thread.join(timeout=10)
