"""DynamoDB reads answered by moto's own handler, written out as JSON directly.

moto 5.2.1 renders every answer through its generic botocore-model serializer
(``moto.core.serialize``), which walks each attribute value of each item through the
``AttributeValue`` shape: a Query page of 50 items cost about a second of the emulator's time
under load, 90 % of it there (issue 15). DynamoDB's protocol is plain JSON (``awsJson1_0``) and
moto's handler already builds its read answers in the wire shape (items in DynamoDB JSON), so
for the reads below :class:`DirectDynamoHandler` writes that dict out with ``json.dumps``. Errors,
and every other operation, keep moto's serializer. The request is handed to the handler as moto's
server does (a werkzeug request), without going through moto's Flask application.

A *plain* GetItem (TableName, the table's full key with non-empty values, optionally
ConsistentRead and ReturnConsumedCapacity NONE: what every API function sends) skips even moto's
handler: its per-request set-up (a werkzeug request, the botocore-model parameter parsing, the
handler's method table built by ``inspect`` on every call) cost more than the read. It reads
moto's table through the backend's ``get_item``, the call moto's handler ends in, and answers
with the headers moto's handler sets. Any other shape, and any error, is moto's answer.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import os
import random
import re
import string
from decimal import Decimal
from typing import Any

from moto.core.responses import ActionResult
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.responses import DynamoHandler, DynamoResult
from moto.iam.models import get_account_id_from
from werkzeug.wrappers import Request

from devstack.wsgi import AwsRequest, Response

# The reads whose answer moto builds as the wire document (DynamoDB JSON items).
DIRECT_OPERATIONS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem"})
_CONTENT_TYPE = "application/x-amz-json-1.0"
_PLAIN_GET_ITEM_FIELDS = frozenset({"TableName", "Key", "ConsistentRead", "ReturnConsumedCapacity"})
_ACCESS_KEY = re.compile(r"Credential=([^/]+)/")
# moto's request ids (gen_amzn_requestid_long): 52 letters and digits.
_REQUEST_ID_CHARACTERS = string.ascii_letters + string.digits
_REQUEST_ID_LENGTH = 52


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
    if request.target == "GetItem":
        plain = _plain_get_item(request)
        if plain is not None:
            return plain
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


def _plain_get_item(request: AwsRequest) -> Response | None:
    """The answer to a plain GetItem read from moto's table, or None: moto answers it."""
    document = request.json()
    if (
        not set(document) <= _PLAIN_GET_ITEM_FIELDS
        or document.get("ReturnConsumedCapacity", "NONE") != "NONE"
        or not isinstance(document.get("ConsistentRead", False), bool)
        or "MOTO_ACCOUNT_ID" in os.environ
        or "x-moto-account-id" in request.headers
        or request.region is None
    ):
        return None
    name, key = document.get("TableName"), document.get("Key")
    matched = _ACCESS_KEY.search(request.headers.get("authorization", ""))
    if not isinstance(name, str) or not isinstance(key, dict) or matched is None:
        return None
    backend = dynamodb_backends[get_account_id_from(matched.group(1))][request.region]
    table = backend.tables.get(name)
    if table is None or set(key) != set(table.table_key_attrs):
        return None
    for value in key.values():
        # One typed value each, not empty (moto's handler raises for an empty one).
        if not isinstance(value, dict) or len(value) != 1 or not next(iter(value.values())):
            return None
    try:
        item = backend.get_item(name, key)
    except Exception:  # whatever moto objects to, its handler answers
        return None
    found = {} if item is None else {"Item": item.describe_attrs(attributes=None).get("Item")}
    # DynamoResult: how moto's handler turns its DynamoType values into the wire document.
    body = json.dumps(DynamoResult(found).result, default=_default).encode()
    headers = [
        ("Content-Type", _CONTENT_TYPE),
        ("server", "amazon.com"),
        ("x-amzn-requestid", _request_id()),
        ("x-amz-crc32", str(binascii.crc32(body))),
    ]
    return Response(200, headers, body)


def _request_id() -> str:
    """An id of the shape moto's handler answers, drawn in one call. moto's own
    (``gen_amzn_requestid_long``) draws each of its 52 characters with a ``random.choice`` call
    of its own: 40 µs against 10 µs here (measured on the 2-core dev machine), about half of a
    plain GetItem's time in the emulator. An identifier, not a secret: ``random`` will do."""
    return "".join(random.choices(_REQUEST_ID_CHARACTERS, k=_REQUEST_ID_LENGTH))  # noqa: S311
