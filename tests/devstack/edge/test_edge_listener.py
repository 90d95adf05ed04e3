"""The edge's listener: the viewer IP is the TCP peer (contract D), HEAD has no body, and the
emulator process serves the edge on DEVSTACK_EDGE_PORT and reports it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from devstack.edge.listener import EdgeApp

from .edge_support import ScriptedOrigin, make_edge

REPO_ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def listener() -> Iterator[tuple[int, ScriptedOrigin]]:
    edge, fetcher, _, _ = make_edge()
    port = _free_port()
    server = make_server("127.0.0.1", port, EdgeApp(edge), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port, fetcher
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _request(port: int, method: str, path: str, source: str = "127.0.0.1") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    try:
        connection.request(method, path, headers={"X-Forwarded-For": "198.51.100.1"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_viewer_ip_is_the_tcp_peer(listener: tuple[int, ScriptedOrigin]) -> None:
    port, fetcher = listener
    assert _request(port, "GET", "/v1/health", source="127.0.0.23")[0] == 200
    sent = dict(fetcher.calls[-1][1].headers)
    # A viewer's own X-Forwarded-For is kept, the TCP peer appended: the peer decides.
    assert sent["X-Forwarded-For"] == "198.51.100.1, 127.0.0.23"
    assert fetcher.calls[-1][1].client_ip == "127.0.0.23"


def test_head_has_no_body(listener: tuple[int, ScriptedOrigin]) -> None:
    port, _ = listener
    status, body = _request(port, "HEAD", "/v1/health")
    assert status == 200
    assert body == b""


def test_the_emulator_process_serves_the_edge(tmp_path: Path) -> None:
    port, edge_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "DEVSTACK_PORT": str(port),
        "DEVSTACK_EDGE_PORT": str(edge_port),
        "DEVSTACK_STATE_DIR": str(tmp_path),
        "PYTHONPATH": str(REPO_ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.server"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            if (tmp_path / "server.json").exists():
                break
            time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        assert json.loads((tmp_path / "server.json").read_text())["edge_port"] == edge_port
        # No distribution yet: CloudFront's own error page, from the edge's listener.
        status, body = _request(edge_port, "GET", "/v1/health")
        assert status == 403
        assert b"The request could not be satisfied" in body
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
