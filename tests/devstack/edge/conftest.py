"""One in-process emulator for the edge tests that read real distribution configs (boto3 → API)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from werkzeug.serving import make_server

from devstack.server import DevstackApp, configure_moto_environment

configure_moto_environment()


class Emulator:
    def __init__(self, app: DevstackApp, port: int) -> None:
        self.app = app
        self.endpoint = f"http://127.0.0.1:{port}"

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    state_dir: Path = tmp_path_factory.mktemp("edge-emulator")
    app = DevstackApp(port, state_dir)
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
