"""Plain request/response values for the emulator's WSGI middleware, and a way to call moto's app.

The middleware reads each request once into an :class:`AwsRequest` (the body as bytes), decides
which AWS service and region it is for, and hands it to the fillers, the runtimes or moto. Calling
moto goes through :func:`call_wsgi`, which rebuilds a WSGI environ around the already-read body.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Credential=AKID/20260101/us-east-1/dynamodb/aws4_request
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/")
# Signing names that differ from moto's service names.
_SIGNING_ALIASES = {"execute-api": "apigateway", "events": "events", "monitoring": "cloudwatch"}
# Unsigned Cognito calls (InitiateAuth, SignUp, ...) carry only the X-Amz-Target.
_UNSIGNED_TARGET_PREFIXES = {"AWSCognitoIdentityProviderService": "cognito-idp"}


@dataclass
class AwsRequest:
    """One HTTP request to the emulator, read fully."""

    method: str
    path: str
    query_string: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    environ: dict[str, Any] = field(repr=False)
    service: str | None = None  # signing name, e.g. "dynamodb", "cloudfront", "kms"
    region: str | None = None

    @property
    def target(self) -> str:
        """The JSON protocol operation (``X-Amz-Target`` after the dot), or ""."""
        return self.headers.get("x-amz-target", "").rpartition(".")[2]

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)

    def with_body(self, body: bytes) -> AwsRequest:
        """The same request with another body (what a filler forwards to moto)."""
        return AwsRequest(
            method=self.method,
            path=self.path,
            query_string=self.query_string,
            headers=self.headers,
            body=body,
            environ=self.environ,
            service=self.service,
            region=self.region,
        )

    def json(self) -> dict[str, Any]:
        """The body parsed as a JSON object ({} when empty or not an object)."""
        if not self.body:
            return {}
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    def json(self) -> dict[str, Any]:
        try:
            parsed = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}


def json_response(
    status: int, document: object, content_type: str = "application/json"
) -> Response:
    return Response(status, [("Content-Type", content_type)], json.dumps(document).encode())


def aws_json_error(status: int, error_type: str, message: str) -> Response:
    """An error in the shape of the AWS JSON protocols (DynamoDB, KMS, X-Ray, Secrets Manager)."""
    return Response(
        status,
        [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-ErrorType", error_type)],
        json.dumps({"__type": error_type, "message": message}).encode(),
    )


def read_request(environ: dict[str, Any]) -> AwsRequest:
    """Read the body once and work out which service and region the request is for."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ.get("wsgi.input")
    body = stream.read(length) if (stream is not None and length) else b""
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if "CONTENT_TYPE" in environ:
        headers["content-type"] = environ["CONTENT_TYPE"]
    request = AwsRequest(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", "/") or "/",
        query_string=environ.get("QUERY_STRING", ""),
        headers=headers,
        body=body,
        environ=environ,
    )
    match = _CREDENTIAL_SCOPE.search(headers.get("authorization", ""))
    if match:
        service = match.group("service").lower()
        request.service = _SIGNING_ALIASES.get(service, service)
        request.region = match.group("region")
    else:
        prefix = headers.get("x-amz-target", "").partition(".")[0]
        if prefix in _UNSIGNED_TARGET_PREFIXES:
            request.service = _UNSIGNED_TARGET_PREFIXES[prefix]
            request.region = _region_from_body(body) or "us-east-1"
    return request


def _region_from_body(body: bytes) -> str | None:
    """Unsigned Cognito calls name the pool or client; a pool id starts with its region."""
    try:
        document = json.loads(body or b"{}")
    except ValueError:
        return None
    pool_id = document.get("UserPoolId") if isinstance(document, dict) else None
    if isinstance(pool_id, str) and "_" in pool_id:
        return pool_id.split("_", 1)[0]
    return None


def environ_for(
    method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes, remote_addr: str
) -> dict[str, Any]:
    """The WSGI environ an HTTP server would build for this request (PEP 3333).

    For a request that never crossed a socket (a function's AWS call sent through its worker's
    pipe). PATH_INFO is the fully percent-decoded path as latin-1, as the emulator's server gives
    it (moto routes on the decoded path); Host is the URL's, as an HTTP client would send it.
    """
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("latin-1"),
        "QUERY_STRING": parts.query,
        "REQUEST_URI": target,
        "RAW_URI": target,
        "SERVER_NAME": parts.hostname or "127.0.0.1",
        "SERVER_PORT": str(parts.port or 80),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": remote_addr,
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": parts.netloc,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parts.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers:
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            environ[f"HTTP_{key}"] = value
    return environ


def call_wsgi(app: WsgiApp, request: AwsRequest, body: bytes | None = None) -> Response:
    """Run ``app`` on the request (optionally with another body) and collect the response."""
    payload = request.body if body is None else body
    environ = dict(request.environ)
    environ["wsgi.input"] = io.BytesIO(payload)
    environ["CONTENT_LENGTH"] = str(len(payload))
    status, headers, content = run_wsgi(app, environ)
    return Response(int(status.split(" ", 1)[0]), headers, content)


def run_wsgi(app: WsgiApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run a WSGI application: its status line, headers and whole body (the iterable it returned
    closed afterwards, as PEP 3333 asks). ``500 Internal Server Error`` if it never started."""
    captured: dict[str, Any] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], None]:
        captured["status"], captured["headers"] = status, list(headers)
        return lambda _chunk: None

    chunks = app(environ, start_response)
    try:
        content = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    status = str(captured.get("status", "500 Internal Server Error"))
    return status, captured.get("headers", []), content


_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def status_line(status: int) -> str:
    return f"{status} {_REASONS.get(status, 'Status')}"
