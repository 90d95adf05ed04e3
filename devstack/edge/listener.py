"""The edge's own HTTP listener (contract C): a WSGI app around ``Edge.handle``.

The viewer's IP is the TCP peer (``REMOTE_ADDR``, contract D): tests that need their own client
IP bind another loopback source address; no header is trusted for it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from devstack.edge.server import Edge, ViewerRequest, cloudfront_error_page
from devstack.wsgi import status_line

LOGGER = logging.getLogger("devstack.edge")


def _header_case(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


class EdgeApp:
    def __init__(self, edge: Edge) -> None:
        self.edge = edge

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        stream = environ.get("wsgi.input")
        body = stream.read(length) if (stream is not None and length) else b""
        headers = [
            (_header_case(key[5:].replace("_", "-").lower()), str(value))
            for key, value in environ.items()
            if key.startswith("HTTP_")
        ]
        if environ.get("CONTENT_TYPE"):
            headers.append(("Content-Type", str(environ["CONTENT_TYPE"])))
        path = environ.get("PATH_INFO", "/") or "/"
        # werkzeug decodes PATH_INFO as latin-1; CloudFront matches on the decoded UTF-8 path.
        try:
            path = path.encode("latin-1").decode("utf-8")
        except UnicodeError:
            path = unquote(path)
        request = ViewerRequest(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            path=path,
            query_string=str(environ.get("QUERY_STRING", "")),
            headers=tuple(headers),
            body=body,
            client_ip=str(environ.get("REMOTE_ADDR", "127.0.0.1")),
        )
        try:
            response = self.edge.handle(request)
        except Exception:
            LOGGER.error("edge: unhandled error\n%s", traceback.format_exc())
            response = cloudfront_error_page(
                502, "Bad gateway.", "The devstack edge failed (see the log).", "devstack"
            )
        out = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
        out.append(("Content-Length", str(len(response.body))))
        start_response(status_line(response.status), out)
        return [b"" if request.method == "HEAD" else response.body]
