"""The devstack emulator: moto 5.2.1 in-process, behind our WSGI middleware, on 127.0.0.1.

Run ``python -m devstack.server`` (port from ``DEVSTACK_PORT``, default 4566; state directory from
``DEVSTACK_STATE_DIR``, default ``.devstack``). ``devstack.cli up`` starts it in the background.
The same process serves the local edge (``devstack.edge``: the CloudFront distributions) on
``DEVSTACK_EDGE_PORT`` (default the emulator's port + 1); a CloudFront write through this emulator
makes the edge re-read its configuration, an invalidation empties its cache.

Every request is read once and dispatched, in this order:

* ``GET /_devstack/health``: ``{"status": "ok", "instance": <id of this server process>, ...}``.
* ``/_devstack/faults`` (GET/PUT/DELETE): fault injection, see ``devstack.faults``.
* ``/_devstack/replication`` (GET/PUT, ``POST .../drain``): global-table replication delay,
  isolation and drain, see ``devstack.dynamodb.control``.
* ``/_devstack/timings`` (GET ``?limit=N``, DELETE): per-request hop timings, see
  ``devstack.timings``.
* ``/restapis/{api_id}/{stage}/_user_request_/{path}``: the deployed stage, served by the API
  Gateway runtime from the OpenAPI document Terraform sent.
* ``GET /{user_pool_id}/.well-known/jwks.json``: the pool's signing keys (404 for unknown pools).
* Lambda ``Invoke`` (``POST /2015-03-31/functions/{name}/invocations``): runs the deployed code in
  the Lambda runtime (``X-Amz-Invocation-Type`` RequestResponse, Event or DryRun).
* Everything else is an AWS API call: refused with 503 if its service and region are faulted;
  if it is signed with a function's role session, authorised against the role's policies
  (``devstack.iam``: AWS's AccessDenied when not allowed); then offered to each gap filler
  (``devstack.fillers``) and finally to moto. PutRestApi and
  ImportRestApi bodies are captured on the way, because moto drops authorizers and models.
"""

from __future__ import annotations

# moto must only be imported after configure_moto_environment(): its imports are deliberately late.
# ruff: noqa: PLC0415
import base64
import importlib
import json
import logging
import os
import re
import signal
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any, Protocol
from urllib.parse import unquote, urlencode

from devstack import timings
from devstack.faults import FaultRegistry
from devstack.listener import HttpListener
from devstack.retries import RetryLog
from devstack.runtime.contracts import FunctionSpec, HttpRequest, HttpResponse, InvokeResult
from devstack.waf import WafBlock, WafGate, WafRequest
from devstack.wsgi import (
    AwsRequest,
    Response,
    WsgiApp,
    aws_json_error,
    call_wsgi,
    environ_for,
    json_response,
    read_request,
    status_line,
)

LOGGER = logging.getLogger("devstack.server")
ACCESS_LOGGER = logging.getLogger("devstack.access")
DEFAULT_PORT = 4566
MOTO_ENVIRONMENT = {
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    "MOTO_ACM_VALIDATION_WAIT": "0",
}

# DOTALL: a decoded %0A in the path is still a request for the stage (answered by the runtime),
# not an emulator 404 page.
_STAGE_PATH = re.compile(
    r"^/restapis/(?P<api>[^/]+)/(?P<stage>[^/]+)/_user_request_(?P<path>/.*)?\Z", re.DOTALL
)
_JWKS_PATH = re.compile(
    r"^/(?P<pool>[a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+)/\.well-known/jwks\.json$"
)
_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")
_REST_API_PATH = re.compile(r"^/restapis/(?P<api>[^/]+)$")
# Signing names moto 5.2.1's dispatcher (infer_service_region_host) also routes by the request's
# path or Host header, and moto's own paths: no app is kept for those.
_PATH_ROUTED_SERVICES = frozenset({"s3", "sagemaker", "ses", "bedrock", "execute-api"})
_MOTO_OWN_PATHS = ("/moto-api", "/favicon.ico", "/latest/meta-data/", "/latest/api/")


class StageRuntime(Protocol):
    def handle(
        self, region: str, api_id: str, stage: str, request: HttpRequest
    ) -> HttpResponse: ...

    def gateway_response(
        self, region: str, api_id: str, stage: str, request: HttpRequest, response_type: str
    ) -> HttpResponse: ...


class LambdaRuntimeLike(Protocol):
    def invoke(self, spec: FunctionSpec, payload: bytes) -> InvokeResult: ...

    def shutdown(self) -> None: ...


def configure_moto_environment() -> None:
    """moto reads these at import time: call before the first moto import."""
    for key, value in MOTO_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


class DevstackApp:
    """The WSGI application: our routes, faults and fillers in front of moto's dispatcher."""

    def __init__(self, port: int, state_dir: Path) -> None:
        configure_moto_environment()
        import moto
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from devstack.backend import MotoBackend
        from devstack.fillers import MOTO_VERSION, default_fillers
        from devstack.fillers.awslambda import LambdaSettings
        from devstack.fillers.dynamodb import DynamoDbReplicas
        from devstack.iam.credentials import RoleSessions
        from devstack.iam.emulator import MotoIam
        from devstack.iam.enforcer import IamEnforcer
        from devstack.iam.lambda_permissions import InvokePermissions

        if moto.__version__ != MOTO_VERSION:
            raise RuntimeError(
                f"the devstack fillers are written for moto {MOTO_VERSION}, "
                f"found {moto.__version__}"
            )
        # Nothing is really provisioned: let resources with a lifecycle (a CloudFront distribution
        # "InProgress" -> "Deployed") reach their final state at once instead of after polls.
        from moto.moto_api import state_manager

        for model in state_manager.get_registered_models():
            state_manager.set_transition(model, {"progression": "immediate"})
        self.instance = uuid.uuid4().hex
        self.port = port
        self.state_dir = state_dir
        self.account_id = DEFAULT_ACCOUNT_ID
        self.moto_dispatcher = DomainDispatcherApplication(create_backend_app)
        self.moto_app: WsgiApp = self.moto_dispatcher
        # moto's Flask app per SigV4 credential scope (region, signing name); see _moto_app_for.
        self._moto_apps: dict[tuple[str, str, str], WsgiApp] = {}
        from devstack.dynamodb import wire

        self._direct_dynamodb_reads = wire.DIRECT_OPERATIONS
        self._serve_dynamodb_read = wire.serve
        self.backend = MotoBackend(DEFAULT_ACCOUNT_ID, state_dir / "devstack.log")
        self.faults = FaultRegistry()
        # SDK retries are logged with the answer to the attempt before (devstack.retries).
        self.retries = RetryLog()
        self.timings = timings.Timings()
        self.fillers = default_fillers(DEFAULT_ACCOUNT_ID)
        for filler in self.fillers:
            if isinstance(filler, LambdaSettings):
                self.backend.log_group_of = filler.log_group
        # IAM: the functions run with their execution roles' sessions, and every call signed
        # with one is authorised before it reaches a filler or moto (devstack.iam).
        self.iam = MotoIam(DEFAULT_ACCOUNT_ID, f"http://127.0.0.1:{port}")
        self.role_sessions = RoleSessions(self.iam.assume_role)
        self.iam_enforcer = IamEnforcer(self.role_sessions, self.iam, self.iam)
        self.invoke_permissions = InvokePermissions(self.iam.function_policy)
        self.dynamodb = next(f for f in self.fillers if isinstance(f, DynamoDbReplicas))
        self.lambda_runtime = self._make_lambda_runtime()
        self.backend.invoker = self.lambda_runtime
        self._add_event_sources_and_messaging()
        self.stage_runtime = self._make_stage_runtime()
        # Web ACLs: the edge (CLOUDFRONT scope) and serve_stage (REGIONAL scope) ask it; it reads
        # them (and their logging configurations) from moto's wafv2 backends on every request.
        from devstack.waf.moto_source import MotoWebAcls

        self.waf = WafGate(MotoWebAcls(DEFAULT_ACCOUNT_ID))
        # The local edge (devstack.edge): the CloudFront distributions, read through the CloudFront
        # API answered in-process, their execute-api origins fetched through serve_stage.
        from devstack.edge.server import Edge
        from devstack.edge.source import ApiConfigSource, StageOriginFetcher

        self.edge_config = ApiConfigSource(self._through_fillers)
        self.edge = Edge(
            self.edge_config,
            StageOriginFetcher(self.serve_stage),
            _LiveWaf(self),
            timings=self.timings,
        )

    # -- runtimes (developed alongside in devstack.runtime) -------------------------------------
    def _add_event_sources_and_messaging(self) -> None:
        from devstack.eventsources import EventSourceMappingFiller, EventSourceRunner
        from devstack.messaging import SnsDeliveryPermissions, SqsQueueAttributes

        # DynamoDB-stream event source mappings, run through the same Lambda runtime
        # (devstack.eventsources); its filler keeps moto from invoking them through Docker.
        self.event_sources = EventSourceRunner(self.account_id, self.backend.invoke_function)
        self.fillers.insert(1, EventSourceMappingFiller(self.event_sources))  # after validation
        # SNS delivers to an SQS subscription only when the queue's (and its key's) policy lets
        # the service in (devstack.messaging); moto delivers to every subscribed queue.
        self.fillers.insert(2, SnsDeliveryPermissions(self.account_id))
        self.fillers.insert(3, SqsQueueAttributes(self.account_id))
        self.event_sources.start()

    def _make_lambda_runtime(self) -> LambdaRuntimeLike | None:
        try:
            module = importlib.import_module("devstack.runtime.lambda_workers")
        except ImportError:
            LOGGER.warning("devstack.runtime.lambda_workers is not available: Invoke answers 501")
            return None
        extra_env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.port}"}
        work_dir = self.state_dir / "lambda"
        work_dir.mkdir(parents=True, exist_ok=True)
        sessions = self.role_sessions

        def role_credentials(spec: FunctionSpec) -> dict[str, str]:
            return sessions.for_function(spec.role_arn, spec.function_name).environment()

        runtime: LambdaRuntimeLike = module.LambdaRuntime(
            work_dir,
            self.backend,
            extra_env,
            role_credentials=role_credentials,
            invocation_scope=self.timings.invocation,
            aws_calls=self.answer_function_call,
        )
        return runtime

    def answer_function_call(self, call: dict[str, Any]) -> dict[str, Any]:
        """A function's AWS call that its worker sent through the pipe (devstack.runtime's
        ``_worker_main``), served as if it had come over HTTP from 127.0.0.1: the same
        dispatch (retries, faults, IAM, fillers, moto) and the same access line."""
        environ = environ_for(
            str(call["method"]),
            str(call["url"]),
            [(str(name), str(value)) for name, value in call["headers"]],
            base64.b64decode(call["body"]),
            "127.0.0.1",
        )
        answer = self.serve(read_request(environ))
        return {
            "status": answer.status,
            "headers": [list(header) for header in answer.headers],
            "body": base64.b64encode(answer.body).decode("ascii"),
        }

    def _make_stage_runtime(self) -> StageRuntime | None:
        try:
            module = importlib.import_module("devstack.runtime.apigateway")
        except ImportError:
            LOGGER.warning("devstack.runtime.apigateway is not available: stages answer 501")
            return None
        runtime: StageRuntime = module.RestApiRuntime(
            self.backend, may_invoke=self.invoke_permissions.api_gateway_may_invoke
        )
        return runtime

    def shutdown(self) -> None:
        self.event_sources.stop()
        self.dynamodb.shutdown()
        if self.lambda_runtime is not None:
            self.lambda_runtime.shutdown()
        self.backend.close()

    # -- WSGI -----------------------------------------------------------------------------------
    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        response = self.serve(read_request(environ))
        headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(response.body))))
        start_response(status_line(response.status), headers)
        return [response.body]

    def serve(self, request: AwsRequest) -> Response:
        """One request, read: SDK retry bookkeeping, dispatch, the access line."""
        arrival = self.retries.arrived(request)
        began = time.perf_counter()
        try:
            # A resend of a call already answered 2xx gets that answer (devstack.retries).
            replay = arrival.replay if arrival is not None else None
            response = replay if replay is not None else self.dispatch(request)
        except Exception:
            LOGGER.error(
                "unhandled error for %s %s\n%s",
                request.method,
                request.path,
                traceback.format_exc(),
            )
            response = aws_json_error(500, "InternalFailure", "devstack internal error (see log)")
        self.retries.answered(arrival, response)
        if not request.path.startswith("/restapis/") or "/_user_request_" not in request.path:
            # One access line per request (a stage request has the runtime's line instead). A
            # function's successful AWS call (it carries the invocation's trace header) is a debug
            # line: the API request it served has its line already, and at load these lines were
            # a tenth of the emulator's time.
            function_call = "x-amzn-trace-id" in request.headers and response.status < 400
            ACCESS_LOGGER.log(
                logging.DEBUG if function_call else logging.INFO,
                "%s %s %s %s %s -> %d (%.1f ms)",
                request.service or "-",
                request.region or "-",
                request.target or "-",
                request.method,
                request.path,
                response.status,
                (time.perf_counter() - began) * 1000,
            )
        return response

    def dispatch(self, request: AwsRequest) -> Response:  # noqa: PLR0911 - one return per route
        path = request.path
        if path == "/_devstack/health":
            return json_response(
                200,
                {
                    "status": "ok",
                    "instance": self.instance,
                    "pid": os.getpid(),
                    "port": self.port,
                    "edge_port": edge_port_from_env(self.port),
                },
            )
        if path == "/_devstack/faults":
            return self.faults.control(request)
        if path.startswith("/_devstack/replication"):
            return self.dynamodb.control.handle(request)
        if path == "/_devstack/timings":
            return self.timings.control(request)
        stage_match = _STAGE_PATH.match(path)
        if stage_match:
            return self._serve_stage(request, stage_match)
        jwks_match = _JWKS_PATH.match(path)
        if jwks_match and request.method == "GET":
            return self._serve_jwks(jwks_match.group("pool"))
        fault = self.faults.response_for(request)
        if fault is not None:
            return fault
        denied = self.iam_enforcer.check(request)
        if denied is not None:
            return denied
        invoke_match = _INVOKE_PATH.match(path)
        if invoke_match and request.method == "POST" and request.service in (None, "lambda"):
            return self._invoke(request, unquote(invoke_match.group("name")))
        if request.service == "dynamodb" and "x-amzn-trace-id" in request.headers:
            # A function's call (botocore adds the invocation's trace header inside Lambda):
            # counted for the API request that invocation serves (devstack.timings).
            began = time.perf_counter()
            response = self._through_fillers(request)
            self.timings.dynamodb_call(
                request.headers["x-amzn-trace-id"], (time.perf_counter() - began) * 1000
            )
            return response
        response = self._through_fillers(request)
        if request.service == "apigateway":
            self._capture_openapi(request, response)
        elif request.service == "cloudfront" and request.method != "GET" and response.status < 300:
            self._cloudfront_changed(request)
        return response

    def _cloudfront_changed(self, request: AwsRequest) -> None:
        """A CloudFront write: the edge re-reads its configuration; an invalidation empties the
        edge's cache."""
        self.edge_config.invalidate()
        if request.path.endswith("/invalidation"):
            self.edge.clear_cache()

    def _through_fillers(self, request: AwsRequest) -> Response:
        for filler in self.fillers:
            response = filler.handle(request, self._forward_to_moto)
            if response is not None:
                return response
        return self._forward_to_moto(request)

    def _forward_to_moto(self, request: AwsRequest) -> Response:
        if request.service == "dynamodb" and request.target in self._direct_dynamodb_reads:
            # moto's own handler, its answer written as plain JSON (devstack.dynamodb.wire).
            return self._serve_dynamodb_read(request)
        return call_wsgi(self._moto_app_for(request), request)

    def _moto_app_for(self, request: AwsRequest) -> WsgiApp:
        """moto's Flask app of the service the request is for.

        moto's ``DomainDispatcherApplication`` works the service out again for every request,
        and on the way lists moto's package directory (``list_of_moto_modules``: an ``isdir``
        per service, ~150) twice: ~5 % of the emulator's CPU per ``POST /v1/transactions``
        (py-spy, issue 15). For a SigV4-signed request moto 5.2.1 decides from the region and
        signing name of the credential scope and, for DynamoDB (Streams or not) and MediaStore,
        the ``X-Amz-Target`` prefix (``infer_service_region_host``): the app is kept per those.
        The services it also routes by path or host (``_PATH_ROUTED_SERVICES``), its own routes
        (``/moto-api``, instance metadata) and unsigned requests are dispatched by it every time.
        """
        service, region = request.signing_name, request.region
        if service is None or region is None or request.path.startswith(_MOTO_OWN_PATHS):
            return self.moto_app
        if service in _PATH_ROUTED_SERVICES:
            return self.moto_app
        target_prefix = request.headers.get("x-amz-target", "").partition(".")[0]
        scope = (region, service, target_prefix)
        app = self._moto_apps.get(scope)
        if app is None:
            app = self.moto_dispatcher.get_application(request.environ)
            self._moto_apps[scope] = app
        return app

    # -- API Gateway ----------------------------------------------------------------------------
    def _capture_openapi(self, request: AwsRequest, response: Response) -> None:
        """Keep the OpenAPI body of PutRestApi / ImportRestApi (moto keeps only paths)."""
        from devstack.backend import parse_openapi

        if response.status >= 300 or request.region is None:
            return
        api_match = _REST_API_PATH.match(request.path)
        if request.method == "PUT" and api_match:
            document = parse_openapi(request.body)
            if document is not None:
                self.backend.remember_document(request.region, api_match.group("api"), document)
        elif (
            request.method == "POST"
            and request.path == "/restapis"
            and (dict(request.query).get("mode") == "import")
        ):
            document = parse_openapi(request.body)
            api_id = response.json().get("id")
            if document is not None and isinstance(api_id, str):
                self.backend.remember_document(request.region, api_id, document)
        elif request.method == "DELETE" and api_match:
            self.backend.forget_document(request.region, api_match.group("api"))

    def _serve_stage(self, request: AwsRequest, match: re.Match[str]) -> Response:
        api_id, stage = match.group("api"), match.group("stage")
        http_request = HttpRequest(
            method=request.method,
            path=unquote(match.group("path") or "/"),
            query=request.query,
            headers=[(_header_case(k), v) for k, v in request.headers.items()],
            body=request.body,
            source_ip=str(request.environ.get("REMOTE_ADDR", "127.0.0.1")),
        )
        return self.serve_stage(api_id, stage, http_request)

    def serve_stage(self, api_id: str, stage: str, request: HttpRequest) -> Response:
        """One request to a deployed stage, as API Gateway's regional endpoint receives it.

        The single way into a stage: direct regional calls and the local edge (CloudFront's
        origin fetch) both come through here, so whatever guards the regional endpoint on AWS
        (the REGIONAL web ACL on the stage) applies to both.
        """
        with self.timings.request(request.method, f"/{stage}{request.path}", "stage") as record:
            response = self._serve_stage_request(api_id, stage, request)
            record.status = response.status
            return response

    def _serve_stage_request(self, api_id: str, stage: str, request: HttpRequest) -> Response:
        region = self.backend.find_api_region(api_id)
        if region is None:
            return json_response(404, {"message": f"No REST API with id {api_id}"})
        if self.stage_runtime is None:
            return json_response(501, {"message": "the API Gateway runtime is not installed"})
        if self._regional_waf_blocks(region, api_id, stage, request):
            # API Gateway answers a request its web ACL blocked with the WAF_FILTERED gateway
            # response (the stage's template; default 403 "Forbidden").
            result = self.stage_runtime.gateway_response(
                region, api_id, stage, request, "WAF_FILTERED"
            )
        else:
            result = self.stage_runtime.handle(region, api_id, stage, request)
        return Response(int(result.status), list(result.headers), bytes(result.body))

    def _regional_waf_blocks(
        self, region: str, api_id: str, stage: str, request: HttpRequest
    ) -> bool:
        """Is the request blocked by the web ACL associated with the stage (AssociateWebACL)?

        WAF sees the request as the regional endpoint receives it: the URI path starts with the
        stage name (``/v1/health``), the client IP is the TCP peer (CloudFront's, on AWS, for
        requests through the edge).
        """
        stage_arn = f"arn:aws:apigateway:{region}::/restapis/{api_id}/stages/{stage}"
        acl_arn = self.waf.web_acl_for_resource(region, stage_arn)
        if acl_arn is None:
            return False
        waf_request = WafRequest(
            scope="REGIONAL",
            web_acl_arn=acl_arn,
            method=request.method,
            uri_path=f"/{stage}{request.path}",
            query_string=urlencode(request.query),
            headers=tuple(request.headers),
            body=request.body,
            client_ip=request.source_ip,
        )
        with timings.hop("waf_ms"):
            block = self.waf.inspect(waf_request)
        return block is not None

    # -- Cognito --------------------------------------------------------------------------------
    def _serve_jwks(self, pool_id: str) -> Response:
        region = self.backend.find_user_pool_region(pool_id)
        document = self.backend.user_pool_jwks(region, pool_id) if region else None
        if document is None:
            return json_response(404, {"message": f"User pool {pool_id} does not exist."})
        return json_response(200, document)

    # -- Lambda ---------------------------------------------------------------------------------
    def _invoke(self, request: AwsRequest, name: str) -> Response:
        from devstack.backend import FunctionNotFoundError

        region = request.region or _region_of_arn(name) or "us-east-1"
        qualifier = dict(request.query).get("Qualifier")
        try:
            spec = self.backend.function_spec(region, name, qualifier)
        except FunctionNotFoundError:
            return _lambda_error(404, "ResourceNotFoundException", f"Function not found: {name}")
        invocation_type = request.headers.get("x-amz-invocation-type", "RequestResponse")
        if invocation_type == "DryRun":
            return Response(204, [], b"")
        if self.lambda_runtime is None:
            return _lambda_error(501, "ServiceException", "the Lambda runtime is not installed")
        if invocation_type == "Event":
            thread = threading.Thread(
                target=self._invoke_in_background, args=(spec, request.body), daemon=True
            )
            thread.start()
            return Response(202, [("x-amzn-RequestId", str(uuid.uuid4()))], b"")
        if invocation_type != "RequestResponse":
            return _lambda_error(
                400, "InvalidParameterValueException", f"Unknown invocation type {invocation_type}"
            )
        result = self.backend.invoke_spec(spec, request.body)
        headers = [
            ("Content-Type", "application/json"),
            ("X-Amz-Executed-Version", qualifier or "$LATEST"),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ]
        if result.function_error:
            headers.append(("X-Amz-Function-Error", result.function_error))
        if request.headers.get("x-amz-log-type") == "Tail":
            tail = result.log_tail.encode()[-4096:]
            headers.append(("X-Amz-Log-Result", base64.b64encode(tail).decode()))
        return Response(200, headers, result.payload)

    def _invoke_in_background(self, spec: FunctionSpec, payload: bytes) -> None:
        try:
            self.backend.invoke_spec(spec, payload)
        except Exception:
            LOGGER.exception("asynchronous invocation of %s failed", spec.function_name)


class _LiveWaf:
    """The edge asks whatever ``DevstackApp.waf`` is at the time of the request."""

    def __init__(self, app: DevstackApp) -> None:
        self._app = app

    def inspect(self, request: WafRequest) -> WafBlock | None:
        # The edge's WAF time is WAF's, not the edge's own (devstack.timings).
        with timings.hop("waf_ms", not_the_edges=True):
            return self._app.waf.inspect(request)


def _lambda_error(status: int, error_type: str, message: str) -> Response:
    return Response(
        status,
        [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)],
        json.dumps({"Type": "User", "Message": message, "message": message}).encode(),
    )


def _region_of_arn(name: str) -> str | None:
    parts = name.split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "arn" else None


def _header_case(name: str) -> str:
    """WSGI loses the header's case; rebuild the conventional one (content-type → Content-Type)."""
    return "-".join(part.capitalize() for part in name.split("-"))


def state_dir_from_env() -> Path:
    return Path(os.environ.get("DEVSTACK_STATE_DIR", ".devstack")).resolve()


def port_from_env() -> int:
    return int(os.environ.get("DEVSTACK_PORT", str(DEFAULT_PORT)))


def edge_port_from_env(port: int) -> int:
    """The edge's listener: ``DEVSTACK_EDGE_PORT``, default the emulator's port + 1."""
    return int(os.environ.get("DEVSTACK_EDGE_PORT", str(port + 1)))


# Seconds a connection may sit between requests (keep-alive). Longer than the clients' own idle
# limit (aws-sdk-go-v2, i.e. the Terraform provider: 90 s, DefaultHTTPTransportIdleConnTimeout in
# aws/transport/http/client.go), so that the client, not the server, closes an idle connection:
# a server that closes it while the client is sending a request on it resets that request
# (cherrypy/cheroot#282, when the listener was cheroot).
SERVER_SOCKET_TIMEOUT = 120


def main() -> int:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    port = port_from_env()
    state_dir = state_dir_from_env()
    state_dir.mkdir(parents=True, exist_ok=True)
    app = DevstackApp(port, state_dir)
    server = HttpListener("127.0.0.1", port, app, idle_timeout=SERVER_SOCKET_TIMEOUT)
    from devstack.edge.listener import EdgeApp

    edge_port = edge_port_from_env(port)
    edge_server = HttpListener(
        "127.0.0.1", edge_port, EdgeApp(app.edge), idle_timeout=SERVER_SOCKET_TIMEOUT
    )
    edge_thread = threading.Thread(target=edge_server.serve_forever, daemon=True)
    edge_thread.start()
    (state_dir / "server.json").write_text(
        json.dumps(
            {"pid": os.getpid(), "port": port, "edge_port": edge_port, "instance": app.instance}
        )
    )

    def stop(signum: int, _frame: FrameType | None) -> None:
        LOGGER.info("signal %d: stopping", signum)
        # shutdown() waits for serve_forever to return, so it must not run on the serving thread.
        threading.Thread(target=server.shutdown, daemon=True).start()
        threading.Thread(target=edge_server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    LOGGER.info("devstack emulator (instance %s) on http://127.0.0.1:%d", app.instance, port)
    LOGGER.info("devstack edge (CloudFront) on http://127.0.0.1:%d", edge_port)
    try:
        server.serve_forever()
    finally:
        app.shutdown()
        LOGGER.info("devstack emulator stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
