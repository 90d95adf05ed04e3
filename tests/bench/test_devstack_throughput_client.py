"""The throughput benchmark's load generator: one keep-alive connection, reconnecting once."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from bench.devstack_throughput import Client
from devstack.listener import HttpListener


def _serving(
    app: Callable[..., Iterable[bytes]],
) -> contextlib.AbstractContextManager[HttpListener]:
    return HttpListener("127.0.0.1", 0, app).in_background()


def test_the_client_sends_its_headers_and_body_on_one_kept_alive_connection() -> None:
    seen: list[dict[str, Any]] = []

    def record(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        seen.append(
            {
                "method": environ["REQUEST_METHOD"],
                "path": environ["PATH_INFO"],
                "peer": environ["REMOTE_PORT"],
                "auth": environ.get("HTTP_AUTHORIZATION"),
                "verify": environ.get("HTTP_X_ORIGIN_VERIFY"),
                "body": body,
            }
        )
        start_response("201 Created", [("Content-Type", "application/json")])
        return [json.dumps({"ok": True}).encode()]

    with _serving(record) as listener:
        client = Client(
            f"http://127.0.0.1:{listener.port}/restapis/a/v1/_user_request_",
            {"X-Origin-Verify": "s"},
        )
        assert client.call("GET", "/health", None, {"Authorization": "Bearer t"}) == 201
        assert client.call("POST", "/transactions", b'{"a":1}', {}) == 201
        client.close()
    assert [call["path"] for call in seen] == [
        "/restapis/a/v1/_user_request_/health",
        "/restapis/a/v1/_user_request_/transactions",
    ]
    assert seen[0]["peer"] == seen[1]["peer"]  # the same connection
    assert seen[0]["auth"] == "Bearer t"
    assert seen[1]["verify"] == "s"
    assert seen[1]["body"] == b'{"a":1}'


def test_the_client_reconnects_once_when_the_server_closed_the_connection() -> None:
    def closing(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", [("Connection", "close")])
        return [b"bye"]

    with _serving(closing) as listener:
        client = Client(f"http://127.0.0.1:{listener.port}", {})
        assert client.call("GET", "/a", None, {}) == 200
        assert client.call("GET", "/b", None, {}) == 200
        client.close()
