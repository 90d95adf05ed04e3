"""HTTP plumbing shared by the REST handlers: the router, request parsing, JSON responses and
the ONE place where exceptions become HTTP error responses.

The router is ours, not Powertools' ``APIGatewayRestResolver`` (issue 15, measured by
``make bench``): importing ``aws_lambda_powertools.event_handler`` loads every resolver it ships
(AppSync, Bedrock, VPC Lattice, ...) and ``utilities.data_classes`` about forty event classes,
~10 % of a bare ``import boto3; boto3.client("dynamodb")`` at every cold start, for a dozen
static routes. Logging, metrics and tracing are ``meridian.observability``'s.
It keeps the resolver's observable behaviour: REST proxy responses with ``multiValueHeaders``,
``/v1`` stripped, ``<name>`` path parameters, CORS headers on every response to an allowed
Origin, 404 for a route it does not serve.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from meridian import errors
from meridian.validation import validate

if TYPE_CHECKING:  # typing only: the logger is passed in, never imported here
    from meridian.observability import Logger
    from meridian.regions import WriteFence

MAX_BODY_BYTES = 16 * 1024
JSON_CONTENT_TYPE = "application/json"
# Every request schema is one or two levels deep. An explicit limit gives the same 400 on every
# Python: 3.11's json raises RecursionError near 1,000 levels, 3.12+ parses far deeper.
MAX_JSON_DEPTH = 64
# No field is anywhere near this long; CPython refuses int() beyond 4,300 digits with a ValueError
# (https://docs.python.org/3/library/stdtypes.html#int-max-str-digits), and the limit is
# configurable per process (PYTHONINTMAXSTRDIGITS), so the parser checks its own, lower bound.
MAX_INTEGER_DIGITS = 64
# Request headers a browser client sends, on top of the ones every API Gateway client may send
# (CORS_BASE_HEADERS): the preflight in infra/api/openapi.yaml lists them all.
CORS_ALLOW_HEADERS = ["Idempotency-Key"]
CORS_BASE_HEADERS = [
    "Authorization",
    "Content-Type",
    "X-Amz-Date",
    "X-Api-Key",
    "X-Amz-Security-Token",
]
CORS_MAX_AGE_SECONDS = 600
# A custom domain's base path mapping (`/v1`) may be left in `path`; routes never include it.
STRIP_PREFIX = "/v1"
# `<name>` in a route is one path segment: unreserved and sub-delim characters of RFC 3986
# (https://www.rfc-editor.org/rfc/rfc3986#section-2.2), percent escapes, word characters.
_PATH_PARAMETER = re.compile(r"<(\w+)>")
_SEGMENT = r"[-._~()'!*:@,;=+&$%\w]+"


@dataclass
class Response:
    """What a route returns: status, body text and headers (CORS is added by the router)."""

    status_code: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """The API Gateway REST (v1) proxy event being served and its Lambda context."""

    raw_event: dict[str, Any]

    @property
    def http_method(self) -> str:
        return str(self.raw_event.get("httpMethod") or "").upper()


RouteFunction = Callable[..., Response]
Middleware = Callable[[Request], None]


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    function: RouteFunction


class Router:
    """Routes one function's REST proxy events to its route functions.

    With a Lambda proxy integration API Gateway passes the function's headers through untouched,
    so the function itself must send Access-Control-Allow-Origin on every response, success or
    error (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html).
    Preflights never reach it: API Gateway answers OPTIONS with a mock integration. A request
    that carries an allowed Origin (a browser's cross-origin request always does) gets the CORS
    headers; other callers get none.
    """

    def __init__(self, cors_allow_origin: str) -> None:
        self.cors_allow_origin = cors_allow_origin
        self._routes: list[_Route] = []
        self._before: list[Middleware] = []
        self._error_handler: Callable[[Exception], Response] | None = None
        self.current_event = Request({})
        self.lambda_context: Any = None

    # -- registration ---------------------------------------------------------------------------
    def route(self, method: str, rule: str) -> Callable[[RouteFunction], RouteFunction]:
        pattern = re.compile(
            "^" + _PATH_PARAMETER.sub(lambda name: f"(?P<{name.group(1)}>{_SEGMENT})", rule) + "/*$"
        )

        def register(function: RouteFunction) -> RouteFunction:
            self._routes.append(_Route(method.upper(), pattern, function))
            return function

        return register

    def get(self, rule: str) -> Callable[[RouteFunction], RouteFunction]:
        return self.route("GET", rule)

    def post(self, rule: str) -> Callable[[RouteFunction], RouteFunction]:
        return self.route("POST", rule)

    def put(self, rule: str) -> Callable[[RouteFunction], RouteFunction]:
        return self.route("PUT", rule)

    def delete(self, rule: str) -> Callable[[RouteFunction], RouteFunction]:
        return self.route("DELETE", rule)

    def use(self, middleware: Middleware) -> None:
        """Run ``middleware(request)`` after a route matched and before it runs."""
        self._before.append(middleware)

    def on_error(self, handler: Callable[[Exception], Response]) -> None:
        self._error_handler = handler

    # -- serving --------------------------------------------------------------------------------
    def resolve(self, event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ANN401
        self.current_event, self.lambda_context = Request(event), context
        try:
            response = self._call(self.current_event)
        except Exception as error:
            if self._error_handler is None:
                raise
            response = self._error_handler(error)
        return self._proxy_response(response)

    def _call(self, request: Request) -> Response:
        method = request.http_method
        path = str(request.raw_event.get("path") or "/")
        if path == STRIP_PREFIX:
            path = "/"
        elif path.startswith(STRIP_PREFIX + "/"):
            path = path[len(STRIP_PREFIX) :]
        for route in self._routes:
            match = route.pattern.match(path) if route.method == method else None
            if match:
                for middleware in self._before:
                    middleware(request)
                return route.function(**match.groupdict())
        if method == "OPTIONS" and self._cors_headers():
            return Response(204)  # a preflight, should API Gateway ever pass one on
        raise errors.NotFoundError("no such resource")

    def _cors_headers(self) -> dict[str, str]:
        origin = header(self, "Origin")
        if not origin:
            return {}
        if self.cors_allow_origin == "*":
            allowed = "*"
        elif origin == self.cors_allow_origin:
            allowed = origin
        else:
            return {}
        return {
            "Access-Control-Allow-Origin": allowed,
            "Access-Control-Allow-Headers": ",".join(
                sorted(set(CORS_BASE_HEADERS + CORS_ALLOW_HEADERS))
            ),
            "Access-Control-Max-Age": str(CORS_MAX_AGE_SECONDS),
        }

    def _proxy_response(self, response: Response) -> dict[str, Any]:
        """The REST proxy integration's response shape (``multiValueHeaders``, as Powertools'
        REST resolver answered): https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html"""
        headers = {**response.headers, **self._cors_headers()}
        return {
            "statusCode": response.status_code,
            "multiValueHeaders": {name: [value] for name, value in headers.items()},
            "body": response.body,
            "isBase64Encoded": False,
        }


def new_resolver(cors_allow_origin: str) -> Router:
    """The function's router; every response it builds carries the CORS headers."""
    return Router(cors_allow_origin)


def request_id(app: Router) -> str:
    """The API Gateway request id (what the gateway's own error bodies carry)."""
    context = app.current_event.raw_event.get("requestContext") or {}
    value = context.get("requestId") or ""
    if not value and app.lambda_context is not None:
        value = getattr(app.lambda_context, "aws_request_id", "")
    return str(value)


def json_response(status: int, body: Any | None = None) -> Response:  # noqa: ANN401
    """A JSON response; ``None`` gives an empty body (204)."""
    if body is None:
        return Response(status_code=status)
    return Response(
        status_code=status,
        body=json.dumps(body, separators=(",", ":"), sort_keys=True),
        headers={"Content-Type": JSON_CONTENT_TYPE},
    )


def error_response(error: errors.MeridianError, app: Router) -> Response:
    response = json_response(
        error.status,
        {"error": {"code": error.code, "message": error.message, "request_id": request_id(app)}},
    )
    if error.retry_after_seconds is not None:
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


@dataclass
class WriteFenceMiddleware:
    """Refuses a mutating request in a region that does not take writes (meridian.regions),
    before the route runs: before body parsing and before any DynamoDB call. Raised as a domain
    error, so the refusal goes through the one error map like every other error."""

    fence: WriteFence

    def __call__(self, request: Request) -> None:
        self.fence.check(request.http_method)


def install_write_fence(app: Router, fence: WriteFence) -> WriteFenceMiddleware:
    """Fence every route of a function that writes (profiles, transactions)."""
    middleware = WriteFenceMiddleware(fence)
    app.use(middleware)
    return middleware


def header(app: Router, name: str) -> str | None:
    """A request header, case-insensitively (API Gateway keeps the client's spelling)."""
    headers = app.current_event.raw_event.get("headers") or {}
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value) if value is not None else None
    return None


def query_parameter(app: Router, name: str) -> str | None:
    parameters = app.current_event.raw_event.get("queryStringParameters") or {}
    value = parameters.get(name)
    return str(value) if value is not None else None


def json_body(app: Router, schema_name: str) -> dict[str, Any]:
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


def install_error_handlers(app: Router, logger: Logger) -> None:
    """Map every exception a route can raise to the standard error body."""

    def _on_error(error: Exception) -> Response:
        if isinstance(error, errors.MeridianError):
            if error.status >= 500:
                logger.warning("request failed", extra={"error_code": error.code})
            # Also the answer for a known path with a method the function does not serve: API
            # Gateway answers such a request itself (MISSING_AUTHENTICATION_TOKEN, "the client
            # attempts to invoke an unsupported API method or resource", mapped to 404 NOT_FOUND
            # in infra/modules/regional_api) before any function runs, so it never reaches this
            # code on AWS. https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
            return error_response(error, app)
        if errors.is_unavailable(error):
            logger.warning("dependency unavailable", extra={"error_type": type(error).__name__})
            return error_response(
                errors.ServiceUnavailableError("the service is temporarily unavailable"), app
            )
        # The stack trace goes to the log only; the client gets the request id to quote.
        logger.exception("unexpected error")
        return error_response(errors.MeridianError("internal error"), app)

    app.on_error(_on_error)


def resolve(
    app: Router,
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
