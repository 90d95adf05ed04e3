"""A deployed OpenAPI 3 (or Swagger 2) document with API Gateway extensions, compiled for serving.

Only what API Gateway itself reads is interpreted: paths and methods, parameters, request bodies,
``security`` / security schemes, and the ``x-amazon-apigateway-*`` extensions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devstack.runtime.routing import Router

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
ANY_METHOD_KEY = "x-amazon-apigateway-any-method"
ANY_METHOD = "ANY"
DOCUMENT_URI = "urn:devstack:openapi-document"
_MAX_REF_DEPTH = 32


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "query", "header", "path" or "cookie"
    required: bool


@dataclass(frozen=True)
class Operation:
    resource_path: str
    method: str  # upper case, or "ANY"
    parameters: tuple[Parameter, ...]
    # content type (lower case) -> JSON pointer of the body schema inside the document
    body_schemas: dict[str, str]
    integration: dict[str, Any] | None
    # None = no authorization; otherwise the first security requirement (API Gateway uses one)
    security: tuple[str, tuple[str, ...]] | None
    validate_body: bool
    validate_parameters: bool
    # apiKeyRequired: a security requirement names the x-api-key scheme (API Gateway's import).
    api_key_required: bool = False


@dataclass
class ApiDocument:
    document: dict[str, Any]
    router: Router
    operations: dict[tuple[str, str], Operation]
    security_schemes: dict[str, dict[str, Any]]
    gateway_responses: dict[str, dict[str, Any]]
    binary_media_types: tuple[str, ...]
    validators: dict[str, Any] = field(default_factory=dict)  # validator cache (validation.py)
    api_key_source: str = "HEADER"  # x-amazon-apigateway-api-key-source: HEADER or AUTHORIZER

    def operation(self, resource_path: str, method: str) -> Operation | None:
        return self.operations.get((resource_path, method.upper())) or self.operations.get(
            (resource_path, ANY_METHOD)
        )

    def has_resource(self, resource_path: str) -> bool:
        return any(path == resource_path for path, _ in self.operations)


def resolve_ref(document: dict[str, Any], value: object, pointer: str = "") -> tuple[Any, str]:
    """Follow local ``$ref`` chains; returns (the target, its JSON pointer in the document)."""
    for _ in range(_MAX_REF_DEPTH):
        if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
            return value, pointer
        ref: str = value["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported: {ref}")
        pointer = ref[1:]
        value = document
        for escaped in ref[2:].split("/"):
            token = escaped.replace("~1", "/").replace("~0", "~")
            if isinstance(value, list):
                value = value[int(token)]
            elif isinstance(value, dict) and token in value:
                value = value[token]
            else:
                raise ValueError(f"unresolvable reference: {ref}")
    raise ValueError("reference chain too long")


def _parameters(
    document: dict[str, Any], raw: list[Any], base_pointer: str
) -> tuple[dict[tuple[str, str], Parameter], list[str]]:
    """Parameters by (location, name), plus the pointers of Swagger 2 body schemas."""
    parameters: dict[tuple[str, str], Parameter] = {}
    body_pointers: list[str] = []
    for index, item in enumerate(raw):
        resolved, pointer = resolve_ref(document, item, f"{base_pointer}/{index}")
        if not isinstance(resolved, dict):
            continue
        location = str(resolved.get("in", ""))
        if location == "body":
            if "schema" in resolved:
                body_pointers.append(f"{pointer}/schema")
            continue
        name = str(resolved.get("name", ""))
        required = bool(resolved.get("required", location == "path"))
        key_name = name.lower() if location == "header" else name
        parameters[(location, key_name)] = Parameter(name, location, required)
    return parameters, body_pointers


def _body_schemas(
    document: dict[str, Any], operation: dict[str, Any], pointer: str, swagger_bodies: list[str]
) -> dict[str, str]:
    if swagger_bodies:
        consumes = operation.get("consumes") or document.get("consumes") or ["application/json"]
        return {str(content_type).lower(): swagger_bodies[-1] for content_type in consumes}
    if "requestBody" not in operation:
        return {}
    body, body_pointer = resolve_ref(document, operation["requestBody"], f"{pointer}/requestBody")
    schemas: dict[str, str] = {}
    if isinstance(body, dict):
        for content_type, media in (body.get("content") or {}).items():
            if isinstance(media, dict) and "schema" in media:
                escaped = escape_pointer_token(content_type)
                schemas[content_type.lower()] = f"{body_pointer}/content/{escaped}/schema"
    return schemas


def _is_authorizer(scheme: object) -> bool:
    return isinstance(scheme, dict) and (
        "x-amazon-apigateway-authorizer" in scheme or "x-amazon-apigateway-authtype" in scheme
    )


def _security(
    document: dict[str, Any], operation: dict[str, Any], schemes: dict[str, Any]
) -> tuple[str, tuple[str, ...]] | None:
    requirements = operation.get("security", document.get("security"))
    if not requirements:
        return None
    for requirement in requirements:
        if isinstance(requirement, dict) and requirement:
            # A requirement may pair the authorizer with the API key scheme: the authorizer is
            # what authorizes; the key is apiKeyRequired (see _api_key_required).
            names = [name for name in requirement if not _is_api_key_scheme(schemes.get(name))]
            if not names:
                return None  # an API key alone: no authorizer
            names.sort(key=lambda name: not _is_authorizer(schemes.get(name)))
            name = names[0]
            return str(name), tuple(str(scope) for scope in requirement[name] or ())
    return None  # only empty requirements: authorization explicitly disabled


def _is_api_key_scheme(scheme: object) -> bool:
    """The scheme API Gateway's OpenAPI import turns into apiKeyRequired: x-api-key in a header."""
    return (
        isinstance(scheme, dict)
        and not _is_authorizer(scheme)
        and str(scheme.get("type", "")).lower() == "apikey"
        and str(scheme.get("name", "")).lower() == "x-api-key"
        and str(scheme.get("in", "")).lower() == "header"
    )


def _api_key_required(
    document: dict[str, Any], operation: dict[str, Any], schemes: dict[str, Any]
) -> bool:
    requirements = operation.get("security", document.get("security")) or []
    return any(
        _is_api_key_scheme(schemes.get(name))
        for requirement in requirements
        if isinstance(requirement, dict)
        for name in requirement
    )


def compile_document(document: dict[str, Any]) -> ApiDocument:
    validators: dict[str, Any] = document.get("x-amazon-apigateway-request-validators") or {}
    schemes = (document.get("components") or {}).get("securitySchemes") or document.get(
        "securityDefinitions"
    )
    security_schemes: dict[str, Any] = {
        name: resolve_ref(document, scheme)[0] for name, scheme in (schemes or {}).items()
    }
    default_validator = document.get("x-amazon-apigateway-request-validator")
    operations: dict[tuple[str, str], Operation] = {}
    for resource_path, raw_item in (document.get("paths") or {}).items():
        path_pointer = f"/paths/{escape_pointer_token(resource_path)}"
        item, item_pointer = resolve_ref(document, raw_item, path_pointer)
        if not isinstance(item, dict):
            continue
        shared, shared_bodies = _parameters(
            document, item.get("parameters") or [], f"{item_pointer}/parameters"
        )
        for key, operation in item.items():
            if key not in HTTP_METHODS and key != ANY_METHOD_KEY:
                continue
            if not isinstance(operation, dict):
                continue
            method = ANY_METHOD if key == ANY_METHOD_KEY else key.upper()
            op_pointer = f"{item_pointer}/{key}"
            own, own_bodies = _parameters(
                document, operation.get("parameters") or [], f"{op_pointer}/parameters"
            )
            merged = {**shared, **own}
            validator_name = operation.get(
                "x-amazon-apigateway-request-validator", default_validator
            )
            validator = validators.get(validator_name, {}) if validator_name else {}
            operations[(resource_path, method)] = Operation(
                resource_path=resource_path,
                method=method,
                parameters=tuple(merged.values()),
                body_schemas=_body_schemas(
                    document, operation, op_pointer, own_bodies or shared_bodies
                ),
                integration=operation.get("x-amazon-apigateway-integration"),
                security=_security(document, operation, security_schemes),
                validate_body=bool(validator.get("validateRequestBody", False)),
                validate_parameters=bool(validator.get("validateRequestParameters", False)),
                api_key_required=_api_key_required(document, operation, security_schemes),
            )
    return ApiDocument(
        document=document,
        router=Router({path for path, _ in operations}),
        operations=operations,
        security_schemes=security_schemes,
        gateway_responses=dict(document.get("x-amazon-apigateway-gateway-responses") or {}),
        binary_media_types=tuple(
            str(media_type)
            for media_type in document.get("x-amazon-apigateway-binary-media-types") or ()
        ),
        api_key_source=str(document.get("x-amazon-apigateway-api-key-source") or "HEADER").upper(),
    )
