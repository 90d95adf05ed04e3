"""DynamoDB reads answered by moto's own handler, written out as JSON directly.

moto 5.2.1 renders every answer through its generic botocore-model serializer
(``moto.core.serialize``), which walks each attribute value of each item through the
``AttributeValue`` shape: a Query page of 50 items cost about a second of the emulator's time
under load, 90 % of it there (issue 15). DynamoDB's protocol is plain JSON (``awsJson1_0``) and
moto's handler already builds its read answers in the wire shape (items in DynamoDB JSON), so
for the reads below :class:`DirectDynamoHandler` writes that dict out with ``json.dumps``. Errors,
and every other operation, keep moto's serializer. The request is handed to the handler as moto's
server does (a werkzeug request), without going through moto's Flask application.
"""

from __future__ import annotations

import base64
import io
import json
from decimal import Decimal
from typing import Any

from moto.core.responses import ActionResult
from moto.dynamodb.responses import DynamoHandler
from werkzeug.wrappers import Request

from devstack.wsgi import AwsRequest, Response

# The reads whose answer moto builds as the wire document (DynamoDB JSON items).
DIRECT_OPERATIONS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem"})
_CONTENT_TYPE = "application/x-amz-json-1.0"


def _default(value: object) -> object:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class DirectDynamoHandler(DynamoHandler):
    """moto's DynamoDB handler; a successful read's answer is written out as plain JSON."""

    def serialized(self, action_result: ActionResult) -> tuple[int, dict[str, Any], str | bytes]:
        result = action_result.result
        if not isinstance(result, dict):
            status, moto_headers, moto_body = super().serialized(action_result)
            return status, dict(moto_headers), moto_body
        headers: dict[str, Any] = {"Content-Type": _CONTENT_TYPE}
        headers.update(self.response_headers)
        return 200, headers, json.dumps(result, default=_default)


def serve(request: AwsRequest) -> Response:
    """One DynamoDB read (``request.target`` in DIRECT_OPERATIONS) through moto's handler."""
    environ = dict(request.environ)
    environ["wsgi.input"] = io.BytesIO(request.body)
    environ["CONTENT_LENGTH"] = str(len(request.body))
    incoming = Request(environ)
    status, headers, body = DirectDynamoHandler.dispatch(
        incoming, incoming.url, dict(incoming.headers)
    )
    data = body.encode() if isinstance(body, str) else bytes(body or b"")
    out = [
        (str(k), str(v))
        for k, v in dict(headers).items()
        if k.lower() not in ("status", "content-length")
    ]
    return Response(int(headers.get("status", status)), out, data)
