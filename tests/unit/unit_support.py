"""Helpers for the unit tests: API Gateway REST (v1) proxy events, a Lambda context and a stand-in
X-Ray daemon."""

from __future__ import annotations

import base64
import json
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any

ACCOUNT_ID = "123456789012"
API_ID = "a1b2c3d4e5"
TABLE_NAME = "meridian-test"
REGION = "us-east-1"


@dataclass
class FakeLambdaContext:
    function_name: str = "meridian-test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = (
        f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:meridian-test-function"
    )
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/meridian-test-function"
    log_stream_name: str = "2026/11/23/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def rest_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
    authorizer: dict[str, Any] | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    """An event shaped exactly like API Gateway's REST API Lambda proxy integration (v1)."""
    all_headers = {"Host": f"{API_ID}.execute-api.{REGION}.amazonaws.com", "Accept": "*/*"}
    if body is not None:
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    if text is not None and base64_body:
        text = base64.b64encode(text.encode()).decode()
    request_id = str(uuid.uuid4())
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": (
            {name: [value] for name, value in query.items()} if query else None
        ),
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "resourceId": "abc123",
            "resourcePath": resource or path,
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": "23/Nov/2026:18:00:00 +0000",
            "requestTimeEpoch": 1795456800000,
            "identity": {"sourceIp": "198.51.100.7", "userAgent": "unit-test"},
            "authorizer": authorizer,
            "domainName": f"{API_ID}.execute-api.{REGION}.amazonaws.com",
        },
        "body": text,
        "isBase64Encoded": base64_body,
    }


def cognito_authorizer(sub: str) -> dict[str, Any]:
    """What the COGNITO_USER_POOLS authorizer puts in requestContext (claims as strings)."""
    return {
        "claims": {
            "sub": sub,
            "email": "someone@example.com",
            "token_use": "id",
            "aud": "client123",
            "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_TestPool1",
            "exp": "Mon Nov 23 19:00:00 UTC 2026",
        }
    }


def lambda_authorizer(
    caller_id: str, kind: str = "user", scopes: str = "transactions:read transactions:write"
) -> dict:
    """What our Lambda authorizer's result becomes in requestContext.authorizer (its context keys
    are copied next to principalId; docs/interfaces.md, shared decision 2)."""
    return {
        "principalId": f"{kind}:{caller_id}",
        "caller_kind": kind,
        "caller_id": caller_id,
        "scopes": scopes,
        "integrationLatency": 12,
    }


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


def invoke(handler: Any, event: dict[str, Any]) -> Reply:
    result = handler(event, FakeLambdaContext())
    text = result.get("body") or ""
    if result.get("isBase64Encoded"):
        text = base64.b64decode(text).decode()
    return Reply(
        status=result["statusCode"],
        body=json.loads(text) if text else None,
        headers={
            **{
                name: values[-1] for name, values in (result.get("multiValueHeaders") or {}).items()
            },
            **(result.get("headers") or {}),
        },
    )


def xray_daemon_socket() -> socket.socket:
    """A UDP socket standing in for the X-Ray daemon (what AWS_XRAY_DAEMON_ADDRESS names)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(0.5)
    return listener


def received_segment_documents(listener: socket.socket) -> list[dict[str, Any]]:
    """The segment documents sent so far: each datagram is the daemon's header line and one JSON
    document, at most 64 KB (https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html)."""
    documents = []
    while True:
        try:
            datagram = listener.recv(65535).decode()
        except TimeoutError:
            return documents
        header, newline, body = datagram.partition("\n")
        assert newline
        assert json.loads(header) == {"format": "json", "version": 1}
        assert len(datagram.encode()) <= 64 * 1024
        documents.append(json.loads(body))
