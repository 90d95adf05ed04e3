"""API Gateway REST: make moto 5.2.1 accept the OpenAPI bodies real stacks send.

moto's PutRestApi / ImportRestApi build resources and integrations from the document, but crash
(500) on integrations without ``uri`` / ``httpMethod`` (``type: mock``, e.g. CORS preflights) and
treat every key of a path item as an HTTP method (``parameters``, ``summary``,
``x-amazon-apigateway-any-method``), and ImportRestApi needs ``info.description``. This filler
hands moto a cleaned copy: only real methods (``x-amazon-apigateway-any-method`` as ``ANY``),
integrations with both fields present, an ``info.description``. The
document as sent is what the middleware captures for the API Gateway runtime, so nothing the
runtime needs (authorizers, validators, models, gateway responses) is lost.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from devstack.backend import parse_openapi
from devstack.fillers import Forward
from devstack.wsgi import AwsRequest, Response

_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "any"}
_ANY_METHOD = "x-amazon-apigateway-any-method"
_REST_API_PATH = re.compile(r"^/restapis(?:/[^/]+)?$")


def document_for_moto(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of the OpenAPI document that moto can import without crashing."""
    cleaned = copy.deepcopy(document)
    # ImportRestApi reads info.title and info.description unconditionally.
    info = cleaned.get("info")
    if not isinstance(info, dict):
        info = {}
    info.setdefault("title", "imported")
    info.setdefault("description", "")
    cleaned["info"] = info
    paths = cleaned.get("paths")
    if not isinstance(paths, dict):
        cleaned["paths"] = {}
        return cleaned
    for path, item in list(paths.items()):
        if not isinstance(item, dict):
            paths[path] = {}
            continue
        methods: dict[str, Any] = {}
        for key, operation in item.items():
            name = "any" if key.lower() == _ANY_METHOD else key.lower()
            if name not in _HTTP_METHODS or not isinstance(operation, dict):
                continue
            integration = operation.get("x-amazon-apigateway-integration")
            if isinstance(integration, dict):
                integration.setdefault("uri", "")
                integration.setdefault("httpMethod", "POST")
            methods[name] = operation
        paths[path] = methods
    return cleaned


class ApiGatewayImports:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id

    def handle(self, request: AwsRequest, forward: Forward) -> Response | None:
        if request.service != "apigateway" or not _REST_API_PATH.match(request.path):
            return None
        is_put = request.method == "PUT" and request.path != "/restapis"
        is_import = (
            request.method == "POST"
            and request.path == "/restapis"
            and (dict(request.query).get("mode") == "import")
        )
        if not (is_put or is_import):
            return None
        document = parse_openapi(request.body)
        if document is None:
            return None  # let moto report the malformed body
        body = json.dumps(document_for_moto(document)).encode()
        return forward(request.with_body(body))
