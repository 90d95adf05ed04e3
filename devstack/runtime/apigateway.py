"""Serves deployed API Gateway REST API stages from the OpenAPI document Terraform sent.

``RestApiRuntime.handle`` runs one request through what API Gateway does, in its order: resource
and method selection, stage/method throttling, authorization (Cognito user pools, Lambda TOKEN /
REQUEST authorizers), the API key and its usage plan on methods with apiKeyRequired (key source
HEADER or AUTHORIZER; see ``usage_plans``), request validation, then the integration (Lambda proxy
v1, or mock), with gateway responses for every failure and the request id headers on every answer.

Nothing here knows a particular application: any REST API deployed with the API Gateway OpenAPI
extensions is served. Known simplifications: the current document is served (not a snapshot per
deployment); IAM (SigV4) authorization and non-proxy ``aws`` / ``http`` integrations are answered
with a 500 API_CONFIGURATION_ERROR rather than emulated.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from devstack import jsoncodec, timings
from devstack.runtime.authorizers import (
    LambdaAuthorizers,
    function_arn_from_uri,
    identity_header,
    unauthorized,
    verify_cognito_token,
)
from devstack.runtime.contracts import (
    Backend,
    HttpRequest,
    HttpResponse,
    InvokePermission,
    StageConfig,
)
from devstack.runtime.gateway_responses import (
    GatewayError,
    header_parameters,
    render_gateway_response,
    render_template,
)
from devstack.runtime.openapi import ApiDocument, Operation, compile_document
from devstack.runtime.routing import RouteMatch
from devstack.runtime.throttling import Throttler, method_limits
from devstack.runtime.usage_plans import UsagePlans
from devstack.runtime.validation import check_body, check_parameters

LOGGER = logging.getLogger("devstack.runtime.apigateway")

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's request payload limit
MAX_HEADER_BYTES = 10 * 1024  # API Gateway's limit on the request line and headers together
DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_STATUS_IN_TEMPLATE = re.compile(r"[\"']?statusCode[\"']?\s*:\s*[\"']?(\d{3})")
_INTERNAL_ERROR = "Internal server error"
_PROXY_RESPONSE_FIELDS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}


def _matches_media_type(patterns: tuple[str, ...], media_type: str) -> bool:
    media_type = media_type.split(";", 1)[0].strip().lower()
    if not media_type:
        return False
    for raw_pattern in patterns:
        # The document stores "/" as "~1" in binary media types set through the REST API.
        pattern = raw_pattern.replace("~1", "/").lower()
        regex = re.escape(pattern).replace(r"\*", "[^/]*" if "/" in pattern else ".*")
        if pattern == "*/*" or re.fullmatch(regex, media_type):
            return True
    return False


@dataclass
class _Call:
    """Everything known about one request while it goes through the pipeline."""

    region: str
    api_id: str
    stage_name: str
    request: HttpRequest
    request_id: str
    extended_request_id: str
    epoch: float
    trace_id: str
    stage: StageConfig | None = None
    api: ApiDocument | None = None
    route: RouteMatch | None = None
    operation: Operation | None = None
    authorizer: dict[str, Any] | None = None
    usage_identifier_key: str | None = None  # a Lambda authorizer's usageIdentifierKey
    headers: dict[str, list[str]] = field(default_factory=dict)  # lower-case name -> values
    header_names: dict[str, str] = field(default_factory=dict)  # lower-case -> first spelling
    query: dict[str, list[str]] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[-1] if values else None

    @property
    def method(self) -> str:
        return self.request.method.upper()

    @property
    def resource_path(self) -> str:
        return self.route.resource_path if self.route else self.request.path

    def method_arn(self, account_id: str) -> str:
        path = self.request.path.lstrip("/")
        return (
            f"arn:aws:execute-api:{self.region}:{account_id}:{self.api_id}/"
            f"{self.stage_name}/{self.method}/{path}"
        )

    def request_time(self) -> str:
        moment = datetime.fromtimestamp(self.epoch, UTC)
        month = _MONTHS[moment.month - 1]
        return moment.strftime(f"%d/{month}/%Y:%H:%M:%S +0000")

    def variables(self) -> dict[str, Any]:
        """``$context`` variables for templates."""
        variables: dict[str, Any] = {
            "requestId": self.request_id,
            "extendedRequestId": self.extended_request_id,
            "apiId": self.api_id,
            "stage": self.stage_name,
            "resourcePath": self.resource_path,
            "httpMethod": self.method,
            "path": f"/{self.stage_name}{self.request.path}",
            "protocol": "HTTP/1.1",
            "requestTime": self.request_time(),
            "requestTimeEpoch": int(self.epoch * 1000),
            "domainName": self.header("Host") or "127.0.0.1",
            "identity.sourceIp": self.request.source_ip,
            "identity.userAgent": self.header("User-Agent"),
        }
        for name, value in (self.authorizer or {}).items():
            if isinstance(value, dict):
                for claim, claim_value in value.items():
                    variables[f"authorizer.{name}.{claim}"] = claim_value
            else:
                variables[f"authorizer.{name}"] = value
        return variables

    def request_values(self) -> dict[str, str]:
        """Request parameters for ``method.request.*`` mappings (lower-case names)."""
        values = {f"header.{name}": items[-1] for name, items in self.headers.items()}
        values.update({f"querystring.{k.lower()}": v[-1] for k, v in self.query.items()})
        if self.route:
            values.update({f"path.{k.lower()}": v for k, v in self.route.path_parameters.items()})
        return values


class RestApiRuntime:
    def __init__(
        self,
        backend: Backend,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        may_invoke: InvokePermission | None = None,
    ) -> None:
        """``clock`` drives throttling and authorizer caching; ``wall_clock`` drives token expiry
        and request timestamps (both injectable for tests). ``may_invoke(function_arn,
        source_arn)`` is the functions' resource policies (``aws_lambda_permission``), asked
        before each integration or authorizer invocation; None allows every invocation."""
        self._backend = backend
        self._wall_clock = wall_clock
        self._may_invoke = may_invoke
        self._throttler = Throttler(clock)
        self._lambda_authorizers = LambdaAuthorizers(backend, clock, may_invoke)
        self._usage_plans = UsagePlans(clock, wall_clock)
        self._lock = threading.Lock()
        # (region, api id) -> (the backend's document, a copy of it, what was compiled from it)
        self._documents: dict[
            tuple[str, str], tuple[dict[str, Any], dict[str, Any], ApiDocument]
        ] = {}
        self._documents_replaced = getattr(backend, "documents_replaced", False) is True

    def handle(self, region: str, api_id: str, stage: str, request: HttpRequest) -> HttpResponse:
        call = self._new_call(region, api_id, stage, request)
        record = timings.current()
        if record is not None:
            record.request_id = call.request_id
        with timings.Timings.gateway(record):
            return self._handle(call)

    def _handle(self, call: _Call) -> HttpResponse:
        try:
            response = self._serve(call)
        except GatewayError as error:
            if error.authorizer is not None:
                call.authorizer = error.authorizer
            response = self._gateway_response(call, error)
        except Exception:
            LOGGER.exception("request %s failed inside the runtime", call.request_id)
            response = self._gateway_response(
                call, GatewayError("DEFAULT_5XX", _INTERNAL_ERROR, status=500)
            )
        LOGGER.info(
            "%s %s %s/%s%s -> %s (%s)",
            call.region,
            call.method,
            call.api_id,
            call.stage_name,
            call.request.path,
            response.status,
            call.request_id,
        )
        headers = [
            *response.headers,
            ("x-amzn-RequestId", call.request_id),
            ("x-amz-apigw-id", call.extended_request_id),
        ]
        if call.stage is not None and call.stage.tracing_enabled:
            headers.append(("X-Amzn-Trace-Id", call.trace_id))
        return HttpResponse(response.status, headers, response.body)

    # -- pipeline -----------------------------------------------------------------------------

    def gateway_response(
        self, region: str, api_id: str, stage: str, request: HttpRequest, response_type: str
    ) -> HttpResponse:
        """The stage's gateway response of ``response_type`` for a request refused before any
        route runs: ``WAF_FILTERED`` (message "Forbidden") when the stage's web ACL blocked it.
        https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
        """
        call = self._new_call(region, api_id, stage, request)
        document = self._backend.openapi_document(region, api_id)
        if document is not None:
            call.api = self._compiled(region, api_id, document)
        return self._gateway_response(call, GatewayError(response_type, "Forbidden"))

    def _new_call(self, region: str, api_id: str, stage: str, request: HttpRequest) -> _Call:
        call = _Call(
            region=region,
            api_id=api_id,
            stage_name=stage,
            request=request,
            request_id=str(uuid.uuid4()),
            extended_request_id=base64.b64encode(secrets.token_bytes(11)).decode(),
            epoch=self._wall_clock(),
            trace_id=f"Root=1-{int(self._wall_clock()):08x}-{secrets.token_hex(12)}",
        )
        for name, value in request.headers:
            call.headers.setdefault(name.lower(), []).append(value)
            call.header_names.setdefault(name.lower(), name)
        for name, value in request.query:
            call.query.setdefault(name, []).append(value)
        return call

    def _serve(self, call: _Call) -> HttpResponse:
        call.stage = self._backend.stage(call.region, call.api_id, call.stage_name)
        document = self._backend.openapi_document(call.region, call.api_id)
        if call.stage is None or document is None:
            return HttpResponse(
                403,
                [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ForbiddenException")],
                b'{"message":"Forbidden"}',
            )
        call.api = self._compiled(call.region, call.api_id, document)
        route = call.route = call.api.router.match(call.request.path)
        operation = call.api.operation(route.resource_path, call.method) if route else None
        if route is None or operation is None:
            raise GatewayError("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token")
        call.operation = operation
        limits = method_limits(call.stage, route.resource_path, operation.method)
        scope = (call.region, call.api_id, call.stage_name, route.resource_path, call.method)
        if not self._throttler.allow(scope, limits):
            raise GatewayError("THROTTLED", "Too Many Requests")
        if (
            len(call.request.body) > MAX_PAYLOAD_BYTES
            or _header_bytes(call.request) > MAX_HEADER_BYTES
        ):
            raise GatewayError("REQUEST_TOO_LARGE", "Request Too Long")
        if operation.security is None:
            call.authorizer = None
        else:
            timings.mark("authorizer_cached", False)
            with timings.hop("authorizer_ms"):
                call.authorizer = self._authorize(call, call.api, operation)
        if operation.api_key_required:
            self._check_api_key(call, call.api)
        if operation.validate_parameters:
            check_parameters(operation, call.query, call.headers)
        if operation.validate_body:
            content_type = call.header("Content-Type") or ""
            check_body(call.api, operation, content_type, call.request.body)
        return self._integrate(call, operation)

    def _compiled(self, region: str, api_id: str, document: dict[str, Any]) -> ApiDocument:
        with self._lock:
            cached = self._documents.get((region, api_id))
            if cached is not None:
                source, snapshot, compiled = cached
                # A backend that replaces its documents, never changing one in place
                # (``documents_replaced``, see Backend), hands out a new object for a new body.
                # Otherwise a copy is kept and compared, so a change in place is noticed too
                # (comparing the whole document on every request cost the stage runtime time).
                if (source is document and self._documents_replaced) or snapshot == document:
                    return compiled
        snapshot = copy.deepcopy(document)
        compiled = compile_document(snapshot)
        with self._lock:
            self._documents[(region, api_id)] = (document, snapshot, compiled)
        return compiled

    def _gateway_response(self, call: _Call, error: GatewayError) -> HttpResponse:
        document_responses = call.api.gateway_responses if call.api else {}
        return render_gateway_response(
            document_responses, error, call.variables(), call.request_values()
        )

    # -- authorization ------------------------------------------------------------------------

    def _authorize(
        self, call: _Call, api: ApiDocument, operation: Operation
    ) -> dict[str, Any] | None:
        if operation.security is None:
            return None
        scheme_name, scopes = operation.security
        scheme = api.security_schemes.get(scheme_name)
        if not isinstance(scheme, dict):
            LOGGER.error("security scheme %s is not defined in the document", scheme_name)
            raise GatewayError("API_CONFIGURATION_ERROR", _INTERNAL_ERROR)
        authorizer: dict[str, Any] = scheme.get("x-amazon-apigateway-authorizer") or {}
        kind = str(authorizer.get("type") or scheme.get("x-amazon-apigateway-authtype") or "")
        kind = kind.lower()
        method_arn = call.method_arn(self._backend.account_id)
        cache_scope = (call.region, call.api_id, call.stage_name, scheme_name)
        # The authorizer's own source ARN for its invocation; moto keeps no authorizer ids, so the
        # security scheme's name stands in for the id (the stack's permission uses authorizers/*).
        authorizer_arn = (
            f"arn:aws:execute-api:{call.region}:{self._backend.account_id}:"
            f"{call.api_id}/authorizers/{scheme_name}"
        )
        if kind == "cognito_user_pools":
            token = call.header(identity_header(scheme, authorizer))
            providers = [str(arn) for arn in authorizer.get("providerARNs") or []]
            claims = verify_cognito_token(
                self._backend, providers, token, scopes, self._wall_clock()
            )
            return {"claims": claims}
        if kind == "token":
            token = call.header(identity_header(scheme, authorizer))
            if not token:
                raise unauthorized()
            expression = authorizer.get("identityValidationExpression")
            if expression and not re.fullmatch(str(expression), token):
                raise unauthorized()
            event = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
            decision = self._lambda_authorizers.authorize(
                cache_scope, authorizer, [token], event, authorizer_arn
            )
            call.usage_identifier_key = decision.usage_identifier_key
            return decision.authorizer
        if kind == "request":
            sources = [
                source.strip()
                for source in str(authorizer.get("identitySource") or "").split(",")
                if source.strip()
            ]
            values = [self._identity_source(call, source) for source in sources]
            event = self._proxy_event(call)
            for body_field in ("body", "isBase64Encoded"):
                event.pop(body_field)
            event = {"type": "REQUEST", "methodArn": method_arn, **event}
            decision = self._lambda_authorizers.authorize(
                cache_scope, authorizer, values, event, authorizer_arn
            )
            call.usage_identifier_key = decision.usage_identifier_key
            return decision.authorizer
        LOGGER.error("security scheme %s (%s) is not supported by the devstack", scheme_name, kind)
        raise GatewayError("API_CONFIGURATION_ERROR", _INTERNAL_ERROR)

    def _check_api_key(self, call: _Call, api: ApiDocument) -> None:
        """apiKeyRequired: an enabled key of a usage plan of this stage, within its limits."""
        if api.api_key_source == "AUTHORIZER":
            # Only a Lambda authorizer supplies it; the client's X-API-Key header is not read.
            api_key = call.usage_identifier_key
        else:
            api_key = call.header("X-API-Key")
        keys = self._backend.usage_plan_keys(call.region, call.api_id, call.stage_name)
        self._usage_plans.admit((call.region, call.api_id, call.stage_name), keys, api_key)

    @staticmethod
    def _identity_source(call: _Call, source: str) -> str | None:
        for prefix in ("method.request.header.", "method.request.querystring.", "stageVariables."):
            if source.startswith(prefix):
                name = source[len(prefix) :]
                if prefix == "method.request.header.":
                    return call.header(name)
                if prefix == "method.request.querystring.":
                    values = call.query.get(name)
                    return values[-1] if values else None
                return (call.stage.variables if call.stage else {}).get(name)
        if source.startswith("context."):
            value = call.variables().get(source[len("context.") :])
            return None if value is None else str(value)
        return None

    # -- integrations -------------------------------------------------------------------------

    def _integrate(self, call: _Call, operation: Operation) -> HttpResponse:
        integration = operation.integration or {}
        kind = str(integration.get("type", "")).lower()
        if kind == "aws_proxy":
            return self._lambda_proxy(call, integration)
        if kind == "mock":
            return self._mock(call, integration)
        LOGGER.error(
            "%s %s: integration type %r is not supported by the devstack",
            operation.method,
            operation.resource_path,
            kind,
        )
        raise GatewayError("API_CONFIGURATION_ERROR", _INTERNAL_ERROR)

    def _proxy_event(self, call: _Call) -> dict[str, Any]:
        headers: dict[str, list[str]] = {}
        for lower, values in call.headers.items():
            headers[call.header_names[lower]] = list(values)
        defaults = {
            "X-Amzn-Trace-Id": call.trace_id,
            "X-Forwarded-For": call.request.source_ip,
            "X-Forwarded-Port": "443",
            "X-Forwarded-Proto": "https",
        }
        for name, value in defaults.items():
            if name.lower() not in call.headers:
                headers[name] = [value]
        stage_variables = call.stage.variables if call.stage else {}
        body = call.request.body
        binary_types = call.api.binary_media_types if call.api else ()
        is_binary = bool(body) and _matches_media_type(
            binary_types, call.header("Content-Type") or ""
        )
        if not body:
            body_text: str | None = None
        elif is_binary:
            body_text = base64.b64encode(body).decode()
        else:
            body_text = body.decode("utf-8", "replace")
        request_context: dict[str, Any] = {
            "accountId": self._backend.account_id,
            "apiId": call.api_id,
            "resourceId": call.resource_path,
            "stage": call.stage_name,
            "resourcePath": call.resource_path,
            "httpMethod": call.method,
            "requestId": call.request_id,
            "extendedRequestId": call.extended_request_id,
            "path": f"/{call.stage_name}{call.request.path}",
            "protocol": "HTTP/1.1",
            "requestTime": call.request_time(),
            "requestTimeEpoch": int(call.epoch * 1000),
            "domainName": call.header("Host") or "127.0.0.1",
            "domainPrefix": (call.header("Host") or "127.0.0.1").split(".", 1)[0],
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": call.request.source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": call.header("User-Agent"),
                "user": None,
            },
        }
        if call.authorizer is not None:
            request_context["authorizer"] = call.authorizer
        return {
            "resource": call.resource_path,
            "path": call.request.path,
            "httpMethod": call.method,
            "headers": {name: values[-1] for name, values in headers.items()} or None,
            "multiValueHeaders": headers or None,
            "queryStringParameters": {k: v[-1] for k, v in call.query.items()} or None,
            "multiValueQueryStringParameters": {k: list(v) for k, v in call.query.items()} or None,
            "pathParameters": (dict(call.route.path_parameters) if call.route else None) or None,
            "stageVariables": dict(stage_variables) or None,
            "requestContext": request_context,
            "body": body_text,
            "isBase64Encoded": is_binary,
        }

    def _lambda_proxy(self, call: _Call, integration: dict[str, Any]) -> HttpResponse:
        variables = call.stage.variables if call.stage else {}
        uri = _STAGE_VARIABLE.sub(
            lambda matched: variables.get(matched.group(1), ""), str(integration.get("uri", ""))
        )
        try:
            function_arn = function_arn_from_uri(uri)
        except ValueError as exc:
            LOGGER.error("integration uri %r does not name a Lambda function", uri)
            raise GatewayError("API_CONFIGURATION_ERROR", _INTERNAL_ERROR) from exc
        source_arn = call.method_arn(self._backend.account_id)
        if self._may_invoke is not None and not self._may_invoke(function_arn, source_arn):
            # API Gateway's answer when the function's policy does not let it invoke: 500
            # "Internal server error", "Invalid permissions on Lambda function" in its log
            # (https://repost.aws/knowledge-center/api-gateway-internal-server-error).
            LOGGER.error(
                "request %s: Execution failed due to configuration error: "
                "Invalid permissions on Lambda function %s (source %s)",
                call.request_id,
                function_arn,
                source_arn,
            )
            raise GatewayError("DEFAULT_5XX", _INTERNAL_ERROR, status=500)
        event = self._proxy_event(call)
        timeout_ms = int(integration.get("timeoutInMillis") or DEFAULT_INTEGRATION_TIMEOUT_MS)
        try:
            with timings.hop("function_ms"):
                result = self._backend.invoke_function_waiting(
                    function_arn, jsoncodec.dumps(event), timeout_ms / 1000
                )
        except Exception as exc:
            LOGGER.error("invoking %s failed: %r", function_arn, exc)
            raise GatewayError("DEFAULT_5XX", _INTERNAL_ERROR, status=500) from exc
        if result is None:
            LOGGER.warning(
                "request %s: %s did not answer within the %d ms integration timeout",
                call.request_id,
                function_arn,
                timeout_ms,
            )
            raise GatewayError("INTEGRATION_TIMEOUT", "Endpoint request timed out")
        if result.function_error:
            LOGGER.warning(
                "request %s: %s returned a function error: %s",
                call.request_id,
                function_arn,
                result.payload[:2000].decode("utf-8", "replace"),
            )
            raise GatewayError("DEFAULT_5XX", _INTERNAL_ERROR, status=502)
        return self._proxy_response(call, function_arn, result.payload)

    def _proxy_response(self, call: _Call, function_arn: str, payload: bytes) -> HttpResponse:
        try:
            return _parse_proxy_response(json.loads(payload), call)
        except (ValueError, TypeError, binascii.Error) as exc:
            LOGGER.warning(
                "request %s: malformed Lambda proxy response from %s: %s",
                call.request_id,
                function_arn,
                exc,
            )
            raise GatewayError("DEFAULT_5XX", _INTERNAL_ERROR, status=502) from exc

    def _mock(self, call: _Call, integration: dict[str, Any]) -> HttpResponse:
        variables = call.variables()
        templates: dict[str, str] = integration.get("requestTemplates") or {}
        media_type = (call.header("Content-Type") or "application/json").split(";")[0].strip()
        template = templates.get(media_type) or templates.get("application/json") or ""
        matched = _STATUS_IN_TEMPLATE.search(render_template(template, variables))
        status = matched.group(1) if matched else "200"
        responses: dict[str, Any] = integration.get("responses") or {}
        chosen: dict[str, Any] = next(
            (
                response
                for pattern, response in responses.items()
                if str(pattern) != "default" and re.fullmatch(str(pattern), status)
            ),
            responses.get("default") or {},
        )
        headers = [("Content-Type", "application/json")]
        headers += header_parameters(
            chosen.get("responseParameters") or {},
            "method.response.header.",
            call.request_values(),
        )
        response_templates: dict[str, str] = chosen.get("responseTemplates") or {}
        body_template = response_templates.get("application/json") or next(
            iter(response_templates.values()), ""
        )
        body = render_template(body_template, variables)
        return HttpResponse(int(chosen.get("statusCode") or status), headers, body.encode())


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError(f"header value {value!r} is not a string, number or boolean")


def _proxy_response_headers(single: object, multi: object) -> list[tuple[str, str]]:
    """``headers`` and ``multiValueHeaders`` merged; a name in both keeps the multi values."""
    single = single or {}
    multi = multi or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise TypeError("headers / multiValueHeaders must be objects")
    headers: list[tuple[str, str]] = []
    multi_names = {str(name).lower() for name in multi}
    for name, value in single.items():
        if str(name).lower() not in multi_names:
            headers.append((str(name), _scalar(value)))
    for name, values in multi.items():
        if not isinstance(values, list):
            raise TypeError(f"multiValueHeaders[{name!r}] must be a list")
        headers.extend((str(name), _scalar(value)) for value in values)
    return headers


def _parse_proxy_response(output: object, call: _Call) -> HttpResponse:
    """The Lambda proxy (v1) response as an HTTP response; ValueError/TypeError if malformed."""
    if not isinstance(output, dict):
        raise TypeError("the response is not a JSON object")
    unexpected = sorted(set(output) - _PROXY_RESPONSE_FIELDS)
    if unexpected:
        # API Gateway rejects fields it does not know (e.g. an HTTP API v2 "cookies").
        raise ValueError(f"unexpected fields {unexpected}")
    status = output.get("statusCode")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"statusCode {status!r} is not an HTTP status code")
    headers = _proxy_response_headers(output.get("headers"), output.get("multiValueHeaders"))
    body = output.get("body")
    if body is not None and not isinstance(body, str):
        raise TypeError("body must be a string")
    is_base64 = output.get("isBase64Encoded", False)
    if not isinstance(is_base64, bool):
        raise TypeError("isBase64Encoded must be a boolean")
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    data = (body or "").encode()
    if is_base64 and body:
        decoded = base64.b64decode(body, validate=True)
        accepted = [part.strip() for part in (call.header("Accept") or "").split(",")]
        binary_types = call.api.binary_media_types if call.api else ()
        # API Gateway returns binary only when the client accepts a binary media type.
        if any(_matches_media_type(binary_types, media_type) for media_type in accepted):
            data = decoded
    return HttpResponse(status, headers, data)


def _header_bytes(request: HttpRequest) -> int:
    """Size of the request line and headers, as API Gateway counts it against its 10 KB quota."""
    line = (
        len(request.method) + len(request.path) + sum(len(k) + len(v) + 1 for k, v in request.query)
    )
    return line + sum(len(name) + len(value) + 4 for name, value in request.headers)
