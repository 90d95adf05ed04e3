"""The emulator's HTTP/1.1 listener: a WSGI server, one thread per connection, llhttp's parser.

Both of the emulator's ports (the AWS endpoint and the local edge) are served by
:class:`HttpListener`. Each accepted connection gets its own thread, which reads requests with
``httptools`` (the Python binding of llhttp, the C parser of Node.js, maintained by the uvloop
project), calls the WSGI application and writes the whole answer, for as long as the client
keeps the connection alive. Why not cheroot any more (issue 15, the devstack's throughput): its
parser is pure Python (~0.6 ms of the emulator's single interpreter per request), and every
request of a kept-alive connection went from its selector thread to a pool thread and back,
two hand-offs of the GIL. The clients here hold few connections (the Terraform provider some
tens during an apply, a Lambda worker none: its AWS calls come through its pipe), so a thread
each is cheap.

HTTP behaviour: keep-alive unless the client asks to close (or speaks HTTP/1.0 without
keep-alive); pipelined requests answered in order; chunked request bodies decoded;
``Expect: 100-continue`` answered with ``100 Continue``; a request the parser rejects gets
``400`` and the connection is closed; an idle connection is closed silently after
``idle_timeout`` seconds (longer than aws-sdk-go-v2's 90 s ``IdleConnTimeout``, so the client,
not the server, ends idle connections). The environ is ``devstack.wsgi.wsgi_environ``'s (the
fully percent-decoded PATH_INFO moto routes on, ``RAW_URI`` kept).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httptools

from devstack.wsgi import WsgiApp, run_wsgi, wsgi_environ

LOGGER = logging.getLogger("devstack.listener")

_READ_SIZE = 262144
_NO_BODY_STATUSES = frozenset({204, 304})
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_BAD_REQUEST = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
    b"Connection: close\r\n\r\nBad Request"
)


@dataclass
class _Request:
    target: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)
    method: str = "GET"
    version: str = "1.1"
    keep_alive: bool = True


class _Parsing:
    """httptools' callbacks: collect each request; complete ones wait in ``ready``."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.parser = httptools.HttpRequestParser(self)
        self.current = _Request()
        self.ready: list[_Request] = []

    def on_url(self, url: bytes) -> None:
        self.current.target += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.current.headers.append((name, value))

    def on_headers_complete(self) -> None:
        for name, value in self.current.headers:
            if name.lower() == b"expect" and value.lower() == b"100-continue":
                # The client waits for this before it sends the body (RFC 9110, 10.1.1).
                self.connection.sendall(_CONTINUE)

    def on_body(self, body: bytes) -> None:
        self.current.body.append(body)

    def on_message_complete(self) -> None:
        request = self.current
        request.method = self.parser.get_method().decode("latin-1")
        request.version = self.parser.get_http_version()
        request.keep_alive = self.parser.should_keep_alive()
        self.ready.append(request)
        self.current = _Request()


class HttpListener:
    """Serves a WSGI application on ``host:port`` (bound when constructed, like werkzeug's
    ``make_server``; port 0 picks a free one) until :meth:`shutdown`."""

    def __init__(self, host: str, port: int, app: WsgiApp, *, idle_timeout: float = 120.0) -> None:
        self._app = app
        self._idle_timeout = idle_timeout
        self._socket = socket.create_server((host, port), backlog=128)
        self._address = self._socket.getsockname()
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    @property
    def port(self) -> int:
        return int(self._address[1])

    def serve_forever(self) -> None:
        """Accept connections until :meth:`shutdown` (from another thread)."""
        while not self._stopped.is_set():
            try:
                connection, peer = self._socket.accept()
            except OSError:
                if self._stopped.is_set():
                    return
                raise
            with self._lock:
                if self._stopped.is_set():
                    connection.close()
                    return
                self._connections.add(connection)
            threading.Thread(
                target=self._serve_connection,
                args=(connection, peer),
                name=f"http-{self.port}-{peer[1]}",
                daemon=True,
            ).start()

    @contextlib.contextmanager
    def in_background(self) -> Iterator[HttpListener]:
        """Serve from a daemon thread for the ``with`` block, then shut down (tests, tools)."""
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.shutdown()
            thread.join(timeout=10)

    def shutdown(self) -> None:
        """Stop accepting, close every connection (their threads end) and the socket."""
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    # -- one connection -------------------------------------------------------------------------

    def _serve_connection(self, connection: socket.socket, peer: tuple[Any, ...]) -> None:
        connection.settimeout(self._idle_timeout)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        parsing = _Parsing(connection)
        try:
            while True:
                try:
                    data = connection.recv(_READ_SIZE)
                except (TimeoutError, OSError):
                    return  # idle past the timeout, reset, or shut down
                if not data:
                    return
                try:
                    parsing.parser.feed_data(data)
                except httptools.HttpParserUpgrade:
                    connection.sendall(_BAD_REQUEST)  # no protocol upgrades here
                    return
                except httptools.HttpParserError:
                    connection.sendall(_BAD_REQUEST)
                    return
                while parsing.ready:
                    request = parsing.ready.pop(0)
                    if not self._answer(connection, peer, request):
                        return
        except OSError:
            return  # the client went away while we wrote
        finally:
            with self._lock:
                self._connections.discard(connection)
            with contextlib.suppress(OSError):
                connection.close()

    def _answer(self, connection: socket.socket, peer: tuple[Any, ...], request: _Request) -> bool:
        """Run the application on one request and write its answer; keep the connection?"""
        environ = self._environ(request, peer)
        try:
            status, headers, body = run_wsgi(self._app, environ)
        except Exception:
            LOGGER.error(
                "unhandled error for %s %r\n%s",
                request.method,
                request.target,
                traceback.format_exc(),
            )
            status, headers = "500 Internal Server Error", [("Content-Type", "text/plain")]
            body = b"Internal Server Error"
        code = int(status.split(" ", 1)[0])
        lines = [f"HTTP/1.1 {status}"]
        has_length = False
        for name, value in headers:
            if name.lower() == "content-length":
                has_length = True
            lines.append(f"{name}: {value}")
        no_body = code in _NO_BODY_STATUSES or code < 200
        if not has_length and not no_body:
            lines.append(f"Content-Length: {len(body)}")
        if not request.keep_alive:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        connection.sendall(head if no_body or request.method == "HEAD" else head + body)
        return request.keep_alive

    def _environ(self, request: _Request, peer: tuple[Any, ...]) -> dict[str, Any]:
        return wsgi_environ(
            request.method,
            request.target.decode("latin-1"),
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers],
            b"".join(request.body),
            server=(str(self._address[0]), int(self._address[1])),
            remote_addr=str(peer[0]),
            remote_port=int(peer[1]),
            protocol=f"HTTP/{request.version}",
        )
