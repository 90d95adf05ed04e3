"""The runtimes' view of the emulator (``devstack.runtime.contracts.Backend``) over moto's backends.

Everything is read from moto's in-process state at call time, so what the runtimes see is always
what Terraform last deployed: the OpenAPI body it sent (captured by the middleware, because moto
keeps only paths and integrations), the stage and its method settings, the function's zip and
configuration, and the Cognito pool's signing keys.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TextIO

import yaml  # type: ignore[import-untyped]
from moto.apigateway.models import apigateway_backends
from moto.awslambda.models import lambda_backends
from moto.cognitoidp.models import cognitoidp_backends
from moto.logs.models import logs_backends
from moto.utilities.utils import load_resource

from devstack.runtime.contracts import FunctionSpec, InvokeResult, StageConfig, UsagePlanKey
from devstack.runtime.lambda_workers import INIT_TIMEOUT_SECONDS
from devstack.runtime.waiting import call_with_timeout

LOGGER = logging.getLogger("devstack.backend")


class FunctionInvoker(Protocol):
    """What the backend needs from the Lambda runtime (``LambdaRuntime`` satisfies it)."""

    def invoke(self, spec: FunctionSpec, payload: bytes) -> InvokeResult: ...


class FunctionNotFoundError(LookupError):
    pass


def parse_openapi(body: bytes) -> dict[str, Any] | None:
    """A PutRestApi/ImportRestApi body (JSON or YAML) as a dict, or None when it is neither."""
    try:
        document = yaml.safe_load(body.decode("utf-8"))  # YAML is a superset of JSON
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    return document if isinstance(document, dict) else None


class MotoBackend:
    """Implements ``Backend`` for the runtimes, plus the log sink the Lambda runtime writes to."""

    # remember_document stores the dict parse_openapi made of each body and nothing changes it
    # afterwards: a redeployed body is a new object (see ``Backend``).
    documents_replaced = True

    def __init__(self, account_id: str, log_path: Path) -> None:
        self.account_id = account_id
        self.log_path = log_path
        self.invoker: FunctionInvoker | None = None
        # (region, function name) -> the function's log group (its LoggingConfig), when known.
        self.log_group_of: Callable[[str, str], str] | None = None
        self._documents: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._log_lock = threading.Lock()
        self._log_file: TextIO | None = None
        self._stream_suffix = uuid.uuid4().hex
        self._jwks: dict[str, Any] | None = None
        # The Lambda runtime calls the log sink from the invoking thread; this tells it the region.
        self._invocation = threading.local()

    # -- OpenAPI documents (captured by the middleware) -----------------------------------------
    def remember_document(self, region: str, api_id: str, document: dict[str, Any]) -> None:
        with self._lock:
            self._documents[(region, api_id)] = document

    def forget_document(self, region: str, api_id: str) -> None:
        with self._lock:
            self._documents.pop((region, api_id), None)

    def openapi_document(self, region: str, api_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._documents.get((region, api_id))

    def find_api_region(self, api_id: str) -> str | None:
        """The region whose API Gateway backend holds this REST API id."""
        for region, backend in _regional_backends(apigateway_backends, self.account_id):
            if api_id in backend.apis:
                return region
        return None

    # -- stages ---------------------------------------------------------------------------------
    def stage(self, region: str, api_id: str, stage_name: str) -> StageConfig | None:
        backend = apigateway_backends[self.account_id][region]
        api = backend.apis.get(api_id)
        if api is None or stage_name not in api.stages:
            return None
        stage = api.stages[stage_name]
        settings: dict[str, dict[str, Any]] = dict(stage.method_settings or {})
        default = settings.get("*/*", {})
        method_throttling = {
            key: (float(value["throttlingRateLimit"]), int(value["throttlingBurstLimit"]))
            for key, value in settings.items()
            if key != "*/*" and "throttlingRateLimit" in value and "throttlingBurstLimit" in value
        }
        rate = default.get("throttlingRateLimit")
        burst = default.get("throttlingBurstLimit")
        return StageConfig(
            api_id=api_id,
            stage_name=stage_name,
            deployment_id=str(stage.deployment_id or ""),
            variables=dict(stage.variables or {}),
            tracing_enabled=bool(stage.tracing_enabled),
            throttling_rate_limit=float(rate) if rate is not None else None,
            throttling_burst_limit=int(burst) if burst is not None else None,
            method_throttling=method_throttling,
        )

    # -- usage plans ----------------------------------------------------------------------------
    def usage_plan_keys(self, region: str, api_id: str, stage_name: str) -> list[UsagePlanKey]:
        """Every API key of the usage plans whose apiStages include this stage."""
        backend = apigateway_backends[self.account_id][region]
        bound: list[UsagePlanKey] = []
        for plan_id, plan in list(backend.usage_plans.items()):
            stages = plan.api_stages or []
            if not any(
                stage.get("apiId") == api_id and stage.get("stage") == stage_name
                for stage in stages
            ):
                continue
            quota = plan.quota or {}
            throttle = plan.throttle or {}
            rate = throttle.get("rateLimit")
            burst = throttle.get("burstLimit")
            for key_id in list(backend.usage_plan_keys.get(plan_id, {})):
                api_key = backend.keys.get(key_id)
                if api_key is None:
                    continue
                bound.append(
                    UsagePlanKey(
                        value=str(api_key.value),
                        enabled=bool(api_key.enabled),
                        plan_id=str(plan_id),
                        quota_limit=int(quota["limit"]) if "limit" in quota else None,
                        quota_period=str(quota["period"]) if "period" in quota else None,
                        throttle_rate_limit=float(rate) if rate is not None else None,
                        throttle_burst_limit=int(burst) if burst is not None else None,
                    )
                )
        return bound

    # -- Lambda ---------------------------------------------------------------------------------
    def function_spec(self, region: str, name_or_arn: str, qualifier: str | None) -> FunctionSpec:
        backend = lambda_backends[self.account_id][region]
        try:
            function = backend.get_function(name_or_arn, qualifier)
        except Exception as error:  # moto's UnknownFunctionException and friends
            raise FunctionNotFoundError(name_or_arn) from error
        return FunctionSpec(
            function_name=function.function_name,
            function_arn=function.function_arn,
            region=region,
            handler=str(function.handler),
            runtime=str(function.run_time),
            code_sha256=str(function.code_sha_256),
            code_zip=bytes(function.code_bytes),
            environment={str(k): str(v) for k, v in (function.environment_vars or {}).items()},
            timeout_seconds=int(function.timeout),
            memory_mb=int(function.memory_size),
            log_group_name=(
                self.log_group_of(region, function.function_name)
                if self.log_group_of is not None
                else f"/aws/lambda/{function.function_name}"
            ),
            role_arn=str(function.role or ""),
            read_at=time.monotonic(),
        )

    def invoke_spec(self, spec: FunctionSpec, payload: bytes) -> InvokeResult:
        if self.invoker is None:
            raise RuntimeError("no Lambda runtime is attached to the backend")
        with self._in_region(spec.region):
            return self.invoker.invoke(spec, payload)

    def invoke_function(self, function_arn: str, payload: bytes) -> InvokeResult:
        return self.invoke_spec(self._function_spec_of_arn(function_arn), payload)

    def invoke_function_waiting(
        self, function_arn: str, payload: bytes, wait_seconds: float
    ) -> InvokeResult | None:
        spec = self._function_spec_of_arn(function_arn)
        if INIT_TIMEOUT_SECONDS + spec.timeout_seconds < wait_seconds:
            # The invocation ends (the runtime's init and function timeouts) before the caller
            # would stop waiting: it runs on the caller's thread. A hop to a pooled thread and
            # back was ~8 % of the emulator's time per API request.
            return self.invoke_spec(spec, payload)
        return call_with_timeout(lambda: self.invoke_spec(spec, payload), wait_seconds)

    def _function_spec_of_arn(self, function_arn: str) -> FunctionSpec:
        # arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
        parts = function_arn.split(":")
        if len(parts) < 7 or parts[2] != "lambda":
            raise FunctionNotFoundError(function_arn)
        qualifier = parts[7] if len(parts) > 7 else None
        return self.function_spec(parts[3], ":".join(parts[:7]), qualifier)

    @contextmanager
    def _in_region(self, region: str) -> Iterator[None]:
        previous = getattr(self._invocation, "region", None)
        self._invocation.region = region
        try:
            yield
        finally:
            self._invocation.region = previous

    def close(self) -> None:
        """Close the log file (the emulator is stopping)."""
        with self._log_lock:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    # -- Cognito ----------------------------------------------------------------------------------
    def user_pool_jwks(self, region: str, user_pool_id: str) -> dict[str, Any] | None:
        backend = cognitoidp_backends[self.account_id][region]
        if user_pool_id not in backend.user_pools:
            return None
        # moto signs every pool's tokens with one fixed key pair and ships its public JWKS: read
        # once (each request through a Cognito authorizer asks), a copy per caller.
        return copy.deepcopy(self._moto_jwks())

    def _moto_jwks(self) -> dict[str, Any]:
        with self._lock:
            if self._jwks is None:
                self._jwks = load_resource("moto.cognitoidp.models", "resources/jwks-public.json")
            return self._jwks

    def find_user_pool_region(self, user_pool_id: str) -> str | None:
        region = user_pool_id.split("_", 1)[0]
        for candidate, backend in _regional_backends(cognitoidp_backends, self.account_id):
            if candidate == region and user_pool_id in backend.user_pools:
                return candidate
        return None

    # -- logs -----------------------------------------------------------------------------------
    def __call__(self, log_group: str, lines: list[str]) -> None:
        """The LogSink: the devstack log file and the function's log group in the emulator."""
        region = getattr(self._invocation, "region", None)
        text = "".join(f"{log_group} {line.rstrip()}\n" for line in lines)
        with self._log_lock:
            if self._log_file is None:
                # Opened once and kept (append mode): opening the file for every invocation
                # was a few percent of the emulator's time per API request under load.
                self._log_file = self.log_path.open("a", encoding="utf-8")
            self._log_file.write(text)
            # Whole invocations, at once: `make logs` and the tests read the file meanwhile.
            self._log_file.flush()
        if region is None:
            return
        backend = logs_backends[self.account_id][region]
        now = int(time.time() * 1000)
        # One stream per group and day for this emulator. Lambda writes one per execution
        # environment, never one per invocation
        # (https://docs.aws.amazon.com/lambda/latest/operatorguide/log-structure.html): a stream
        # per call grew moto's log backend by a stream for every request.
        day = time.strftime("%Y/%m/%d", time.gmtime())
        stream = f"{day}/[$LATEST]{self._stream_suffix}"
        try:
            with self._log_lock:
                if log_group not in backend.groups:
                    # As Lambda does when the group does not exist yet.
                    backend.create_log_group(log_group, {})
                if stream not in backend.groups[log_group].streams:
                    backend.create_log_stream(log_group, stream)
                backend.put_log_events(
                    log_group,
                    stream,
                    [{"timestamp": now, "message": line} for line in lines],
                )
        except Exception:
            LOGGER.exception("could not write Lambda logs to %s in %s", log_group, region)


def _regional_backends(backend_dict: Any, account_id: str) -> list[tuple[str, Any]]:  # noqa: ANN401
    """The (region, backend) pairs moto has created so far for this account."""
    account = backend_dict[account_id]
    return [(region, account[region]) for region in list(account.keys())]
