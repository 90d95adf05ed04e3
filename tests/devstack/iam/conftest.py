"""One emulator for the IAM suite, served on a free port (as tests/devstack/emulator does)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from devstack.server import DevstackApp, configure_moto_environment

configure_moto_environment()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def iam_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevstackApp]:
    state_dir: Path = tmp_path_factory.mktemp("devstack-iam")
    port = _free_port()
    app = DevstackApp(port, state_dir)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        app.shutdown()
        thread.join(timeout=10)
