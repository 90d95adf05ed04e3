"""Request validation as API Gateway's request validators do it (parameters, then body).

Bodies are checked against the operation's JSON schema with draft-04 semantics (what API Gateway
models use); ``$ref`` resolves anywhere inside the deployed document. Messages imitate the ones API
Gateway puts in ``$context.error.validationErrorString``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # ships without type information
from referencing import Registry
from referencing.jsonschema import DRAFT4

from devstack.runtime.gateway_responses import GatewayError
from devstack.runtime.openapi import DOCUMENT_URI, ApiDocument, Operation


def check_parameters(
    operation: Operation, query: Mapping[str, list[str]], headers: Mapping[str, list[str]]
) -> None:
    missing = [
        parameter.name
        for parameter in operation.parameters
        if parameter.required
        and (
            (parameter.location == "query" and parameter.name not in query)
            or (parameter.location == "header" and parameter.name.lower() not in headers)
        )
    ]
    if missing:
        message = f"Missing required request parameters: [{', '.join(missing)}]"
        raise GatewayError("BAD_REQUEST_PARAMETERS", message, message)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _quoted(values: object) -> str:
    return json.dumps(values, separators=(",", ":"))


def _describe(error: jsonschema.ValidationError) -> str:  # noqa: PLR0911 - one per keyword
    """One error in the wording of the validator API Gateway uses."""
    keyword, expected, instance = error.validator, error.validator_value, error.instance
    if keyword == "required" and isinstance(instance, dict):
        missing = [name for name in expected if name not in instance]
        return f"object has missing required properties ({_quoted(missing)})"
    if keyword == "type":
        allowed = expected if isinstance(expected, list) else [expected]
        return (
            f"instance type ({_json_type(instance)}) does not match any allowed primitive type "
            f"(allowed: {_quoted(allowed)})"
        )
    if keyword == "minLength":
        return (
            f"string {_quoted(instance)} is too short (length: {len(instance)}, "
            f"required minimum: {expected})"
        )
    if keyword == "maxLength":
        return (
            f"string {_quoted(instance)} is too long (length: {len(instance)}, "
            f"maximum allowed: {expected})"
        )
    if keyword == "enum":
        return (
            f"instance value ({_quoted(instance)}) not found in enum "
            f"(possible values: {_quoted(expected)})"
        )
    if keyword == "pattern":
        return f"ECMA 262 regex {_quoted(expected)} does not match input string {_quoted(instance)}"
    if keyword == "additionalProperties" and isinstance(instance, dict):
        declared = set(error.schema.get("properties") or {})
        extra = sorted(name for name in instance if name not in declared)
        return (
            f"object instance has properties which are not allowed by the schema: {_quoted(extra)}"
        )
    if keyword == "minimum":
        return (
            "numeric instance is lower than the required minimum "
            f"(minimum: {expected}, found: {instance})"
        )
    if keyword == "maximum":
        return (
            "numeric instance is greater than the required maximum "
            f"(maximum: {expected}, found: {instance})"
        )
    return str(error.message)


def _validator(api: ApiDocument, pointer: str) -> jsonschema.Draft4Validator:
    cached = api.validators.get(pointer)
    if cached is None:
        registry: Registry[Any] = Registry().with_resource(
            DOCUMENT_URI, DRAFT4.create_resource(api.document)
        )
        cached = jsonschema.Draft4Validator(
            {"$ref": f"{DOCUMENT_URI}#{pointer}"}, registry=registry
        )
        api.validators[pointer] = cached
    return cached


def check_body(api: ApiDocument, operation: Operation, content_type: str, body: bytes) -> None:
    media_type = (content_type or "application/json").split(";", 1)[0].strip().lower()
    pointer = operation.body_schemas.get(media_type)
    if pointer is None:
        return  # no model for this content type: API Gateway passes the body through
    try:
        instance = json.loads(body) if body.strip() else {}
    except ValueError as exc:
        detail = f"[Unable to parse JSON: {exc}]"
        raise GatewayError("BAD_REQUEST_BODY", "Invalid request body", detail) from exc
    errors = sorted(
        _validator(api, pointer).iter_errors(instance),
        key=lambda error: [str(part) for part in error.path],
    )
    if errors:
        detail = "[" + ", ".join(_describe(error) for error in errors) + "]"
        raise GatewayError("BAD_REQUEST_BODY", "Invalid request body", detail)
