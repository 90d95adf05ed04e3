"""HTTP plumbing shared by the REST handlers: the resolver, request parsing, JSON responses and
the ONE place where exceptions become HTTP error responses."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFoundError

from meridian import errors
from meridian.validation import validate

MAX_BODY_BYTES = 16 * 1024
JSON_CONTENT_TYPE = "application/json"


def new_resolver() -> APIGatewayRestResolver:
    # A custom domain's base path mapping (`/v1`) may be left in `path`; routes never include it.
    return APIGatewayRestResolver(strip_prefixes=["/v1"])


def request_id(app: APIGatewayRestResolver) -> str:
    """The API Gateway request id (what the gateway's own error bodies carry)."""
    context = app.current_event.raw_event.get("requestContext") or {}
    value = context.get("requestId") or ""
    if not value and app.lambda_context is not None:
        value = getattr(app.lambda_context, "aws_request_id", "")
    return str(value)


def json_response(status: int, body: Any | None = None) -> Response[str]:  # noqa: ANN401
    """A JSON response; ``None`` gives an empty body (204)."""
    if body is None:
        return Response(status_code=status, body="", headers={})
    return Response(
        status_code=status,
        content_type=JSON_CONTENT_TYPE,
        body=json.dumps(body, separators=(",", ":"), sort_keys=True),
    )


def error_response(error: errors.MeridianError, app: APIGatewayRestResolver) -> Response[str]:
    return json_response(
        error.status,
        {"error": {"code": error.code, "message": error.message, "request_id": request_id(app)}},
    )


def header(app: APIGatewayRestResolver, name: str) -> str | None:
    """A request header, case-insensitively (API Gateway keeps the client's spelling)."""
    headers = app.current_event.raw_event.get("headers") or {}
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value) if value is not None else None
    return None


def query_parameter(app: APIGatewayRestResolver, name: str) -> str | None:
    parameters = app.current_event.raw_event.get("queryStringParameters") or {}
    value = parameters.get(name)
    return str(value) if value is not None else None


def json_body(app: APIGatewayRestResolver, schema_name: str) -> dict[str, Any]:
    """The request body parsed as JSON and validated against ``schemas/<schema_name>.json``."""
    content_type = (header(app, "Content-Type") or "").split(";")[0].strip().lower()
    if content_type != JSON_CONTENT_TYPE:
        raise errors.ValidationError("Content-Type must be application/json")
    raw_event = app.current_event.raw_event
    body = raw_event.get("body")
    if body is None or body == "":
        raise errors.ValidationError("request body is required")
    try:
        if raw_event.get("isBase64Encoded"):
            text = base64.b64decode(str(body), validate=True).decode("utf-8")
        else:
            text = str(body)
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        raise errors.ValidationError("request body must be UTF-8 encoded JSON") from None
    if len(text.encode("utf-8", errors="surrogatepass")) > MAX_BODY_BYTES:
        raise errors.ValidationError(f"request body must not exceed {MAX_BODY_BYTES} bytes")
    try:
        document = json.loads(text, parse_float=_reject_float_parse, parse_constant=_reject)
    except json.JSONDecodeError:
        raise errors.ValidationError("request body is not valid JSON") from None
    except RecursionError:
        raise errors.ValidationError("request body is nested too deeply") from None
    except _NonStandardJsonError as problem:
        raise errors.ValidationError(str(problem)) from None
    _reject_lone_surrogates(document)
    return validate(schema_name, document)


class _NonStandardJsonError(ValueError):
    pass


def _reject_lone_surrogates(document: Any) -> None:  # noqa: ANN401 - any JSON value
    """JSON may escape a lone surrogate (``"\\ud800"``); it is not text and cannot be stored.

    Iterative, so a deeply nested (but parseable) body cannot exhaust the stack.
    """
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise errors.ValidationError(
                    "request body contains an invalid unicode escape"
                ) from None
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def _reject(token: str) -> Any:  # noqa: ANN401 - json hook signature
    raise _NonStandardJsonError(f"request body contains {token}, which is not valid JSON")


def _reject_float_parse(token: str) -> Any:  # noqa: ANN401 - json hook signature
    # No floats anywhere: a JSON number with a fraction never becomes a float. Every schema
    # field that is a number is an integer, so a fraction is always a type error.
    raise _NonStandardJsonError(f"request body contains the non-integer number {token}")


def install_error_handlers(app: APIGatewayRestResolver, logger: Logger) -> None:
    """Map every exception a route can raise to the standard error body."""

    def _domain_error(error: errors.MeridianError) -> Response[str]:
        if error.status >= 500:
            logger.warning("request failed", extra={"error_code": error.code})
        return error_response(error, app)

    def _route_not_found(_: RouteNotFoundError) -> Response[str]:
        method = app.current_event.http_method.upper()
        path = str(app.context.get("_path") or app.current_event.path)
        if _path_has_other_methods(app, path, method):
            return error_response(
                errors.MethodNotAllowedError(f"method {method} is not allowed on this resource"),
                app,
            )
        return error_response(errors.NotFoundError("no such resource"), app)

    def _unexpected(error: Exception) -> Response[str]:
        if errors.is_unavailable(error):
            logger.warning("dependency unavailable", extra={"error_type": type(error).__name__})
            return error_response(
                errors.ServiceUnavailableError("the service is temporarily unavailable"), app
            )
        # The stack trace goes to the log only; the client gets the request id to quote.
        logger.exception("unexpected error")
        return error_response(errors.MeridianError("internal error"), app)

    # Powertools' exception_handler decorator is untyped, hence the plain calls.
    app.exception_handler(errors.MeridianError)(_domain_error)
    app.exception_handler(RouteNotFoundError)(_route_not_found)
    app.exception_handler(Exception)(_unexpected)


def _path_has_other_methods(app: APIGatewayRestResolver, path: str, method: str) -> bool:
    # Powertools keeps its compiled routes in these two lists; it has no public accessor.
    routes = app._static_routes + app._dynamic_routes
    return any(route.method != method and route.rule.match(path) for route in routes)


def resolve(
    app: APIGatewayRestResolver,
    logger: Logger,
    event: dict[str, Any],
    context: Any,  # noqa: ANN401 - the Lambda context object
) -> dict[str, Any]:
    """Route the event; at DEBUG, log one line per request: route and status, never personal data.

    DEBUG, not INFO: the stage's JSON access log already records method, route, status, latency
    and principal of every request, and this line cost ~70 µs per request (`make bench`) plus the
    CloudWatch ingestion of a second line per request. Failures are logged at WARNING and above.
    """
    response = app.resolve(event, context)
    logger.debug(
        "request completed",
        extra={
            "http_method": event.get("httpMethod"),
            "resource": event.get("resource"),
            "status_code": response.get("statusCode"),
        },
    )
    return response
