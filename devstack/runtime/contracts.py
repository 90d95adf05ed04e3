"""The contract between the emulator side of the devstack and its runtimes.

The emulator side (``devstack.server`` and the moto adapter) knows where deployed things live; the
runtimes (``devstack.runtime.apigateway`` and ``devstack.runtime.lambda_workers``) know how to run
them. Neither names any route or function of a particular application.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class HttpRequest:
    """A request to a deployed stage, received on ``/restapis/{api}/{stage}/_user_request_/…``."""

    method: str
    path: str  # the resource path after ``_user_request_``, starting with "/"
    query: list[tuple[str, str]]  # in order, repeated keys kept
    headers: list[tuple[str, str]]  # in order, original case, repeated keys kept
    body: bytes
    source_ip: str = "127.0.0.1"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class StageConfig:
    """What the deployed stage says about itself (CreateStage / UpdateStage / method settings)."""

    api_id: str
    stage_name: str
    deployment_id: str
    variables: dict[str, str] = field(default_factory=dict)
    tracing_enabled: bool = False
    # Method settings keyed by "{resource_path}/{http_method}", "*/*" being the stage default.
    throttling_rate_limit: float | None = None
    throttling_burst_limit: int | None = None
    method_throttling: dict[str, tuple[float, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class UsagePlanKey:
    """An API key of a usage plan bound to a stage (UsagePlan apiStages + UsagePlanKey)."""

    value: str
    enabled: bool
    plan_id: str
    quota_limit: int | None = None  # requests per quota_period; None = no quota
    quota_period: str | None = None  # "DAY", "WEEK" or "MONTH"
    throttle_rate_limit: float | None = None  # per key; None = only the stage's throttling
    throttle_burst_limit: int | None = None


@dataclass(frozen=True)
class FunctionSpec:
    """A deployed Lambda function version, as Terraform created it."""

    function_name: str
    function_arn: str
    region: str
    handler: str
    runtime: str
    code_sha256: str
    code_zip: bytes
    environment: dict[str, str]
    timeout_seconds: int
    memory_mb: int
    log_group_name: str
    role_arn: str = ""  # the execution role (its credentials are the function's)
    # time.monotonic() when this configuration was read: of two configurations of one function,
    # the one read later is the current one (a call may still carry the one it read before an
    # update). 0.0: unknown (always current).
    read_at: float = 0.0


@dataclass(frozen=True)
class InvokeResult:
    payload: bytes  # what the function returned (JSON) or the error document
    function_error: str | None  # None, "Unhandled" (exception) or "TimeoutError"-style marker
    log_tail: str = ""
    duration_ms: float = 0.0


class LogSink(Protocol):
    def __call__(self, log_group: str, lines: list[str]) -> None: ...


class Backend(Protocol):
    """What the runtimes need from the emulator. Implemented by the devstack server over moto.

    A backend whose OpenAPI documents are replaced, never changed in place (a new body is a new
    object), says so with a ``documents_replaced = True`` attribute: the API Gateway runtime then
    keeps what it compiled from a document for as long as ``openapi_document`` returns that same
    object, without comparing the document's content on every request.
    """

    account_id: str

    def openapi_document(self, region: str, api_id: str) -> dict[str, Any] | None:
        """The OpenAPI document Terraform sent for this API (PutRestApi / ImportRestApi body)."""
        ...

    def stage(self, region: str, api_id: str, stage_name: str) -> StageConfig | None: ...

    def invoke_function(self, function_arn: str, payload: bytes) -> InvokeResult:
        """Invoke a Lambda function by ARN (any region) and wait for its result."""
        ...

    def invoke_function_waiting(
        self, function_arn: str, payload: bytes, wait_seconds: float
    ) -> InvokeResult | None:
        """``invoke_function``, waited for at most ``wait_seconds`` (API Gateway's integration
        timeout): None when it has not ended by then; the invocation then runs on to its end, as
        a Lambda function does on AWS (``devstack.runtime.waiting``)."""
        ...

    def user_pool_jwks(self, region: str, user_pool_id: str) -> dict[str, Any] | None:
        """The pool's JWKS document, or None when the pool does not exist."""
        ...

    def usage_plan_keys(self, region: str, api_id: str, stage_name: str) -> list[UsagePlanKey]:
        """The API keys of every usage plan whose apiStages include this stage."""
        ...


FunctionLookup = Callable[[str], FunctionSpec | None]

# (function ARN, source ARN) -> may API Gateway invoke the function (its resource policy)?
InvokePermission = Callable[[str, str], bool]
