"""API Gateway REST: make moto 5.2.1 accept the OpenAPI bodies real stacks send.

moto's PutRestApi / ImportRestApi build resources and integrations from the document, but crash
(500) on integrations without ``uri`` / ``httpMethod`` (``type: mock``, e.g. CORS preflights) and
treat every key of a path item as an HTTP method (``parameters``, ``summary``,
``x-amazon-apigateway-any-method``), and ImportRestApi needs ``info.description``. This filler
hands moto a cleaned copy: only real methods (``x-amazon-apigateway-any-method`` as ``ANY``),
integrations with both fields present, an ``info.description``. The
document as sent is what the middleware captures for the API Gateway runtime, so nothing the
runtime needs (authorizers, validators, models, gateway responses) is lost.

It also adds what moto lacks around stages: client certificates (Generate/Get/Update/Delete,
their tags) and the stage's ``clientCertificateId`` (moto ignores it on CreateStage/UpdateStage,
so Terraform would plan a change forever).
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import secrets
import threading
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from devstack.backend import parse_openapi
from devstack.fillers import Forward
from devstack.wsgi import AwsRequest, Response, json_response

_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "any"}
_ANY_METHOD = "x-amazon-apigateway-any-method"
_REST_API_PATH = re.compile(r"^/restapis(?:/[^/]+)?$")
_CERTIFICATE_PATH = re.compile(r"^/clientcertificates(?:/(?P<id>[^/]+))?$")
_CERTIFICATE_TAGS_PATH = re.compile(
    r"^/tags/(?P<arn>arn:[^:]+:apigateway:[^:]+::/clientcertificates/.+)$"
)
_STAGE_PATH = re.compile(r"^/restapis/(?P<api>[^/]+)/stages(?:/(?P<stage>[^/]+))?$")


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


def _self_signed_pem(common_name: str) -> tuple[str, datetime.datetime, datetime.datetime]:
    """A real (self-signed) certificate, as API Gateway generates one per client certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    expires = now + datetime.timedelta(days=365)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(expires)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), now, expires


def _with_body(response: Response, document: object) -> Response:
    body = json.dumps(document).encode()
    headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
    return Response(response.status, headers, body)


class ApiGatewayImports:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self._lock = threading.Lock()
        self._certificates: dict[tuple[str, str], dict[str, Any]] = {}  # (region, id) -> cert
        self._stage_certificates: dict[tuple[str, str, str], str] = {}  # (region, api, stage)

    def handle(  # noqa: PLR0911 - one return per route
        self, request: AwsRequest, forward: Forward
    ) -> Response | None:
        if request.service != "apigateway" or not request.region:
            return None
        certificate = _CERTIFICATE_PATH.match(request.path)
        if certificate:
            with self._lock:
                return self._certificate(request, request.region, certificate.group("id"))
        tags = _CERTIFICATE_TAGS_PATH.match(request.path)
        if tags:
            with self._lock:
                return self._certificate_tags(request, request.region, tags.group("arn"))
        stage = _STAGE_PATH.match(request.path)
        if stage:
            return self._stage(
                request, forward, request.region, stage.group("api"), stage.group("stage")
            )
        if not _REST_API_PATH.match(request.path):
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

    # -- client certificates ------------------------------------------------------------------
    def _certificate_arn(self, region: str, certificate_id: str) -> str:
        return f"arn:aws:apigateway:{region}::/clientcertificates/{certificate_id}"

    def _certificate(  # noqa: PLR0911 - one return per REST route
        self, request: AwsRequest, region: str, certificate_id: str | None
    ) -> Response:
        if certificate_id is None:
            if request.method == "POST":
                document = request.json()
                new_id = secrets.token_hex(3)
                pem, created, expires = _self_signed_pem(f"devstack-{new_id}")
                certificate = {
                    "clientCertificateId": new_id,
                    "description": document.get("description", ""),
                    "pemEncodedCertificate": pem,
                    "createdDate": created.timestamp(),
                    "expirationDate": expires.timestamp(),
                    "tags": dict(document.get("tags") or {}),
                }
                self._certificates[(region, new_id)] = certificate
                return json_response(201, certificate)
            if request.method == "GET":
                items = [c for (r, _), c in self._certificates.items() if r == region]
                return json_response(200, {"item": items})
            return _not_found("Invalid method")
        existing = self._certificates.get((region, certificate_id))
        if existing is None:
            return _not_found(f"Invalid Client Certificate identifier specified: {certificate_id}")
        if request.method == "GET":
            return json_response(200, existing)
        if request.method == "PATCH":
            for operation in request.json().get("patchOperations") or []:
                if operation.get("path") == "/description" and operation.get("op") == "replace":
                    existing["description"] = operation.get("value", "")
            return json_response(200, existing)
        if request.method == "DELETE":
            del self._certificates[(region, certificate_id)]
            return Response(202, [], b"")
        return _not_found("Invalid method")

    def _certificate_tags(self, request: AwsRequest, region: str, arn: str) -> Response:
        certificate_id = arn.rsplit("/", 1)[-1]
        certificate = self._certificates.get((region, certificate_id))
        if certificate is None:
            return _not_found(f"Invalid resource: {arn}")
        if request.method == "GET":
            return json_response(200, {"tags": certificate["tags"]})
        if request.method == "PUT":
            certificate["tags"].update(request.json().get("tags") or {})
            return Response(204, [], b"")
        if request.method == "DELETE":
            for key, value in request.query:
                if key == "tagKeys":
                    certificate["tags"].pop(value, None)
            return Response(204, [], b"")
        return _not_found("Invalid method")

    # -- stages: clientCertificateId ----------------------------------------------------------
    def _stage(
        self,
        request: AwsRequest,
        forward: Forward,
        region: str,
        api_id: str,
        stage_name: str | None,
    ) -> Response:
        document = request.json()
        response = forward(request)
        if response.status >= 300:
            return response
        with self._lock:
            if request.method == "PATCH" and stage_name is not None:
                for operation in document.get("patchOperations") or []:
                    if operation.get("path") != "/clientCertificateId":
                        continue
                    key = (region, api_id, stage_name)
                    if operation.get("op") == "replace" and operation.get("value"):
                        self._stage_certificates[key] = str(operation["value"])
                    else:
                        self._stage_certificates.pop(key, None)
            elif request.method == "DELETE" and stage_name is not None:
                self._stage_certificates.pop((region, api_id, stage_name), None)
                return response
            body = response.json()
            stages = body.get("item") if stage_name is None and request.method == "GET" else [body]
            for stage in stages or []:
                certificate = self._stage_certificates.get(
                    (region, api_id, str(stage.get("stageName", "")))
                )
                if certificate:
                    stage["clientCertificateId"] = certificate
            return _with_body(response, body)


def _not_found(message: str) -> Response:
    response = json_response(404, {"message": message})
    response.headers.append(("x-amzn-ErrorType", "NotFoundException"))
    return response
