"""Gateway responses (``x-amazon-apigateway-gateway-responses``) and the bit of VTL they use.

A type-specific response in the document wins; parts it leaves out come from the document's
DEFAULT_4XX / DEFAULT_5XX, then from API Gateway's built-in defaults (``{"message": ...}``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devstack.runtime.contracts import HttpResponse

# type -> (default status, x-amzn-ErrorType)
RESPONSE_TYPES: dict[str, tuple[int, str]] = {
    "ACCESS_DENIED": (403, "AccessDeniedException"),
    "API_CONFIGURATION_ERROR": (500, "InternalServerErrorException"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "AuthorizerConfigurationException"),
    "AUTHORIZER_FAILURE": (500, "AuthorizerFailureException"),
    "BAD_REQUEST_PARAMETERS": (400, "BadRequestException"),
    "BAD_REQUEST_BODY": (400, "BadRequestException"),
    "EXPIRED_TOKEN": (403, "ExpiredTokenException"),
    "INTEGRATION_FAILURE": (504, "InternalServerErrorException"),
    "INTEGRATION_TIMEOUT": (504, "InternalServerErrorException"),
    "INVALID_API_KEY": (403, "ForbiddenException"),
    "INVALID_SIGNATURE": (403, "InvalidSignatureException"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "MissingAuthenticationTokenException"),
    "QUOTA_EXCEEDED": (429, "LimitExceededException"),
    "REQUEST_TOO_LARGE": (413, "RequestTooLargeException"),
    "RESOURCE_NOT_FOUND": (404, "NotFoundException"),
    "THROTTLED": (429, "TooManyRequestsException"),
    "UNAUTHORIZED": (401, "UnauthorizedException"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "UnsupportedMediaTypeException"),
    "WAF_FILTERED": (403, "WafFilteredException"),
    # Not a type of its own in API Gateway: a failed Lambda proxy integration (502) or another
    # internal error, rendered with DEFAULT_5XX.
    "DEFAULT_5XX": (502, "InternalServerErrorException"),
    "DEFAULT_4XX": (400, "BadRequestException"),
}
_DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'
_VARIABLE = re.compile(r"\$(!)?(\{)?context((?:\.[A-Za-z_][A-Za-z0-9_:-]*)+)(?(2)\})")
_REQUEST_PARAMETER = re.compile(r"method\.request\.(header|querystring|path)\.(.+)")


@dataclass
class GatewayError(Exception):
    """Ends a request with a gateway response of ``response_type``."""

    response_type: str
    message: str | None
    validation_error: str = ""
    status: int | None = None  # overrides the type's default status (e.g. 500 for DEFAULT_5XX)
    # What a Lambda authorizer returned before its policy denied the request: templates of the
    # gateway response can use it ($context.authorizer.principalId).
    authorizer: dict[str, Any] | None = None


def render_template(template: str, variables: Mapping[str, Any]) -> str:
    """Substitute ``$context.x.y`` / ``${context.x}`` / ``$!context.x`` references (VTL subset).

    A reference to an unknown variable stays as written, as in VTL, unless it is quiet (``$!``).
    """

    def substitute(match: re.Match[str]) -> str:
        name = match.group(3)[1:]
        if name in variables:
            value = variables[name]
            return "" if value is None else str(value)
        return "" if match.group(1) else match.group(0)

    return _VARIABLE.sub(substitute, template)


def _literal(value: str, request_values: Mapping[str, str]) -> str | None:
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    matched = _REQUEST_PARAMETER.fullmatch(value)
    if matched:
        return request_values.get(f"{matched.group(1)}.{matched.group(2).lower()}")
    return None


def header_parameters(
    parameters: Mapping[str, Any], prefix: str, request_values: Mapping[str, str]
) -> list[tuple[str, str]]:
    """Headers from ``responseParameters`` entries ``<prefix>Name: "'literal'"`` (or a request
    parameter mapping such as ``method.request.header.Origin``)."""
    headers: list[tuple[str, str]] = []
    for key, value in parameters.items():
        if key.startswith(prefix) and isinstance(value, str):
            literal = _literal(value, request_values)
            if literal is not None:
                headers.append((key[len(prefix) :], literal))
    return headers


def render_gateway_response(
    document_responses: Mapping[str, Any],
    error: GatewayError,
    variables: dict[str, Any],
    request_values: Mapping[str, str],
) -> HttpResponse:
    default_status, error_type = RESPONSE_TYPES.get(error.response_type, (500, "InternalError"))
    status = error.status or default_status
    family = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
    fallback: dict[str, Any] = document_responses.get(family) or {}
    specific: dict[str, Any] = (
        document_responses.get(error.response_type) or {}
        if not error.response_type.startswith("DEFAULT_")
        else {}
    )
    if specific.get("statusCode"):
        status = int(specific["statusCode"])
    elif fallback.get("statusCode"):
        # As documented: a status set on DEFAULT_4XX / DEFAULT_5XX applies to its whole family.
        status = int(fallback["statusCode"])
    message = error.message
    variables = {
        **variables,
        "error.message": message,
        "error.messageString": json.dumps(message),
        "error.responseType": error.response_type,
        # API Gateway substitutes it JSON-escaped (quotes as \"), ready to sit inside "…".
        "error.validationErrorString": json.dumps(error.validation_error)[1:-1],
    }
    templates: dict[str, str] = (
        specific.get("responseTemplates")
        or fallback.get("responseTemplates")
        or {"application/json": _DEFAULT_TEMPLATE}
    )
    content_type = "application/json" if "application/json" in templates else next(iter(templates))
    body = render_template(templates[content_type], variables)
    parameters = {
        **(fallback.get("responseParameters") or {}),
        **(specific.get("responseParameters") or {}),
    }
    headers = [("Content-Type", content_type), ("x-amzn-ErrorType", error_type)]
    headers += header_parameters(parameters, "gatewayresponse.header.", request_values)
    return HttpResponse(status, _dedupe(headers), body.encode())


def _dedupe(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Later headers replace earlier ones of the same name (case-insensitive)."""
    result: dict[str, tuple[str, str]] = {}
    for name, value in headers:
        result.pop(name.lower(), None)
        result[name.lower()] = (name, value)
    return list(result.values())
