"""The emulator's HTTP listener (``devstack.server.HttpServer``): keep-alive and nested requests."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from devstack.server import SERVER_THREADS, HttpServer


def _echo_peer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = json.dumps({"peer_port": environ.get("REMOTE_PORT")}).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


@contextmanager
def _listening(app: Callable[..., Iterable[bytes]]) -> Iterator[HttpServer]:
    server = HttpServer("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_a_client_connection_is_kept_alive_across_requests() -> None:
    # werkzeug's development server closed every connection: each SDK call (and each DynamoDB
    # call of a Lambda worker) paid a new TCP connection and a new server thread.
    with _listening(_echo_peer) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        peers = []
        for _ in range(3):
            connection.request("GET", "/_devstack/health")
            response = connection.getresponse()
            peers.append(json.loads(response.read())["peer_port"])
            assert response.status == 200
            assert (response.getheader("Connection") or "").lower() != "close"
        connection.close()
    assert len(set(peers)) == 1


def test_requests_that_call_back_into_the_server_do_not_starve_it() -> None:
    # A stage request waits for its function, whose DynamoDB calls come back to the same server:
    # more such requests at once than a small pool has threads must still all be answered.
    port_box: list[int] = []

    def nested(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/outer":
            inner = http.client.HTTPConnection("127.0.0.1", port_box[0], timeout=10)
            inner.request("GET", "/inner")
            body = inner.getresponse().read()
            inner.close()
        else:
            body = b"inner"
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]

    outer_calls = 16
    assert outer_calls < SERVER_THREADS
    with _listening(nested) as server:
        port_box.append(server.port)

        def outer(_: int) -> bytes:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", "/outer")
            answer = connection.getresponse().read()
            connection.close()
            return answer

        with ThreadPoolExecutor(max_workers=outer_calls) as pool:
            answers = list(pool.map(outer, range(outer_calls)))
    assert answers == [b"inner"] * outer_calls


def test_the_path_reaches_the_app_percent_decoded_with_its_slashes() -> None:
    # API Gateway's TagResource puts an ARN in the path: %2F must arrive as "/" (moto routes on
    # the decoded path), and a literal "%" (sent as %25) must stay one.
    seen: list[str] = []

    def record(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen.append(environ["PATH_INFO"])
        start_response("204 No Content", [])
        return [b""]

    with _listening(record) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/tags/arn%3Aaws%3A%3A%2Fclientcertificates%2Fab?x=%2F")
        connection.getresponse().read()
        connection.request("GET", "/a%252Fb/%C3%A9")
        connection.getresponse().read()
        connection.close()
    assert seen == ["/tags/arn:aws::/clientcertificates/ab", "/a%2Fb/\u00c3\u00a9"]
