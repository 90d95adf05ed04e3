"""HTTP plumbing shared by the REST handlers: the resolver, request parsing, JSON responses and
the ONE place where exceptions become HTTP error responses."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFoundError
from aws_lambda_powertools.event_handler.middlewares import BaseMiddlewareHandler, NextMiddleware

from meridian import errors
from meridian.regions import WriteFence
from meridian.validation import validate

MAX_BODY_BYTES = 16 * 1024
JSON_CONTENT_TYPE = "application/json"
# Every request schema is one or two levels deep. An explicit limit gives the same 400 on every
# Python: 3.11's json raises RecursionError near 1,000 levels, 3.12+ parses far deeper.
MAX_JSON_DEPTH = 64
# No field is anywhere near this long; CPython refuses int() beyond 4,300 digits with a ValueError
# (https://docs.python.org/3/library/stdtypes.html#int-max-str-digits), and the limit is
# configurable per process (PYTHONINTMAXSTRDIGITS), so the parser checks its own, lower bound.
MAX_INTEGER_DIGITS = 64
# Request headers a browser client sends (CORSConfig adds Authorization, Content-Type,
# X-Amz-Date, X-Api-Key, X-Amz-Security-Token): the preflight in infra/api/openapi.yaml lists them.
CORS_ALLOW_HEADERS = ["Idempotency-Key"]
CORS_MAX_AGE_SECONDS = 600


def new_resolver(cors_allow_origin: str) -> APIGatewayRestResolver:
    """The function's resolver; every response it builds carries the CORS headers.

    With a Lambda proxy integration API Gateway passes the function's headers through untouched,
    so the function itself must send Access-Control-Allow-Origin on every response, success or
    error (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html).
    Preflights never reach it: API Gateway answers OPTIONS with a mock integration. Powertools'
    CORSConfig answers a request that carries an allowed Origin (a browser's cross-origin request
    always does) and adds nothing for other callers.
    """
    cors = CORSConfig(
        allow_origin=cors_allow_origin,
        allow_headers=CORS_ALLOW_HEADERS,
        max_age=CORS_MAX_AGE_SECONDS,
    )
    # A custom domain's base path mapping (`/v1`) may be left in `path`; routes never include it.
    return APIGatewayRestResolver(strip_prefixes=["/v1"], cors=cors)


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
    response = json_response(
        error.status,
        {"error": {"code": error.code, "message": error.message, "request_id": request_id(app)}},
    )
    if error.retry_after_seconds is not None:
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


class WriteFenceMiddleware(BaseMiddlewareHandler[APIGatewayRestResolver]):
    """Refuses a mutating request in a region that does not take writes (meridian.regions),
    before the route runs: before body parsing and before any DynamoDB call. A Powertools
    middleware, so the refusal goes through the one error map like every other error."""

    def __init__(self, fence: WriteFence) -> None:
        super().__init__()
        self.fence = fence

    def handler(
        self,
        app: APIGatewayRestResolver,
        next_middleware: NextMiddleware,
    ) -> Response[str]:
        self.fence.check(app.current_event.http_method)
        return next_middleware(app)


def install_write_fence(app: APIGatewayRestResolver, fence: WriteFence) -> WriteFenceMiddleware:
    """Fence every route of a function that writes (profiles, transactions)."""
    middleware = WriteFenceMiddleware(fence)
    app.use(middlewares=[middleware])
    return middleware


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
    return validate(schema_name, parse_json(text))


def parse_json(text: str) -> Any:  # noqa: ANN401 - any JSON value
    """Strict JSON: one value per key, integers of at most MAX_INTEGER_DIGITS digits, no
    fractions or non-standard constants, at most MAX_JSON_DEPTH levels, no lone surrogates.

    Each violation is a ValidationError (400), never an unexpected exception (500). Duplicate
    keys are refused because "last one wins" is only Python's choice (RFC 8259 section 4: with
    repeated names "the behavior of software that receives such an object is unpredictable"):
    API Gateway's request validator may check a different occurrence than the handler would use.
    """
    try:
        document = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_int=_bounded_int,
            parse_float=_reject_float_parse,
            parse_constant=_reject,
        )
    except json.JSONDecodeError:
        raise errors.ValidationError("request body is not valid JSON") from None
    except RecursionError:
        raise errors.ValidationError(_TOO_DEEP) from None
    except _NonStandardJsonError as problem:
        raise errors.ValidationError(str(problem)) from None
    _check_values(document)
    return document


_TOO_DEEP = f"request body is nested too deeply (at most {MAX_JSON_DEPTH} levels)"


class _NonStandardJsonError(ValueError):
    pass


def _check_values(document: Any) -> None:  # noqa: ANN401 - any JSON value
    """Refuse nesting beyond MAX_JSON_DEPTH and lone surrogates (JSON may escape one,
    ``"\\ud800"``, but it is not text and cannot be stored).

    Iterative, so a deeply nested (but parseable) body cannot exhaust the stack.
    """
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise errors.ValidationError(
                    "request body contains an invalid unicode escape"
                ) from None
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise errors.ValidationError(_TOO_DEEP)
            children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _NonStandardJsonError(f"request body contains the duplicate key {key[:64]!r}")
        document[key] = value
    return document


def _bounded_int(token: str) -> int:
    if len(token.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _NonStandardJsonError(
            f"request body contains an integer with more than {MAX_INTEGER_DIGITS} digits"
        )
    return int(token)


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
        # Also the answer for a known path with a method the function does not serve: API
        # Gateway answers such a request itself (MISSING_AUTHENTICATION_TOKEN, "the client
        # attempts to invoke an unsupported API method or resource", mapped to 404 NOT_FOUND in
        # infra/modules/regional_api) before any function runs, so it never reaches this code on
        # AWS. https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
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
