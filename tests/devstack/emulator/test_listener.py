"""The emulator's HTTP listener (``devstack.listener.HttpListener``): keep-alive, nested and
pipelined requests, chunked bodies, ``Expect: 100-continue``, malformed requests."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from devstack.listener import HttpListener


def _echo_peer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = json.dumps({"peer_port": environ.get("REMOTE_PORT")}).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def _listening(
    app: Callable[..., Iterable[bytes]],
) -> contextlib.AbstractContextManager[HttpListener]:
    return HttpListener("127.0.0.1", 0, app).in_background()


def test_a_client_connection_is_kept_alive_across_requests() -> None:
    # werkzeug's development server closed every connection: each SDK call paid a new TCP
    # connection and a new server thread.
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


def _echo_body(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    answer = json.dumps(
        {"body": body.decode(), "length": environ["CONTENT_LENGTH"], "path": environ["PATH_INFO"]}
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [answer]


def _exchange(port: int, raw: bytes, answers: int = 1) -> bytes:
    """Send raw bytes; read until ``answers`` complete answers (Content-Length framed) came."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(raw)
        received = b""
        while received.count(b"HTTP/1.1 ") < answers or not _complete(received, answers):
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
        return received


def _complete(received: bytes, answers: int) -> bool:
    rest = received
    for _ in range(answers):
        head, separator, rest = rest.partition(b"\r\n\r\n")
        if not separator:
            return False
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        if len(rest) < length:
            return False
        rest = rest[length:]
    return True


def test_a_chunked_request_body_reaches_the_app_whole_with_its_length() -> None:
    # The Go SDK streams some bodies with Transfer-Encoding: chunked.
    with _listening(_echo_body) as server:
        raw = (
            b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        )
        answer = _exchange(server.port, raw)
    document = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert document["body"] == "hello world"
    assert document["length"] == "11"


def test_expect_100_continue_is_answered_before_the_body_is_sent() -> None:
    with (
        _listening(_echo_body) as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection,
    ):
        connection.sendall(
            b"PUT /y HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"
        )
        interim = connection.recv(65536)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        connection.sendall(b"ok")
        final = b""
        while b'"path"' not in final:
            final += connection.recv(65536)
    assert final.startswith(b"HTTP/1.1 200 OK\r\n")
    assert json.loads(final.partition(b"\r\n\r\n")[2])["body"] == "ok"


def test_pipelined_requests_are_answered_in_order_on_one_connection() -> None:
    with _listening(_echo_body) as server:
        raw = b"".join(
            f"POST /{n} HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\n{n}".encode()
            for n in range(3)
        )
        answer = _exchange(server.port, raw, answers=3)
    bodies = [
        json.loads(part.partition(b"\r\n\r\n")[2].partition(b"HTTP/1.1")[0])["path"]
        for part in answer.split(b"HTTP/1.1 200 OK")[1:]
    ]
    assert bodies == ["/0", "/1", "/2"]


def test_a_malformed_request_gets_400_and_the_connection_closes() -> None:
    with _listening(_echo_body) as server:
        answer = _exchange(server.port, b"NOT A REQUEST\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"Connection: close" in answer


def test_connection_close_from_the_client_is_honoured() -> None:
    with _listening(_echo_peer) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/", headers={"Connection": "close"})
        response = connection.getresponse()
        response.read()
        assert response.getheader("Connection") == "close"
        connection.close()


def test_an_application_error_is_a_500_and_the_listener_keeps_serving() -> None:
    def failing(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/fail":
            raise RuntimeError("boom")
        return _echo_peer(environ, start_response)

    with _listening(failing) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/fail")
        failed = connection.getresponse()
        assert failed.status == 500
        assert b"boom" not in failed.read()  # no stack trace or message to the client
        connection.request("GET", "/ok")
        assert connection.getresponse().status == 200
        connection.close()


def test_shutdown_refuses_new_connections_and_ends_kept_alive_ones() -> None:
    with _listening(_echo_peer) as server:
        kept = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        kept.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        assert kept.recv(65536).startswith(b"HTTP/1.1 200 OK")
        server.shutdown()
        assert kept.recv(65536) == b""  # closed by the server
        kept.close()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", server.port), timeout=2)
