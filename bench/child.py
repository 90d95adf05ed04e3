"""What runs inside the fresh interpreters the bench starts (``python bench/child.py SPEC``).

``coldstart``: time from a ready interpreter to the end of init (import the handler module, or
for the baseline ``import boto3; boto3.client("dynamodb")``) and on to the first response (one
request, or for the baseline one GetItem).
``warm``: seed the fake table through the handler itself, count AWS calls per route, then time
N invocations per route and the same N through a bare handler.

The fake AWS module is imported (at the top) BEFORE the clock starts in both the baseline and the
function runs, so the few standard modules it shares with boto3 (json, re, dataclasses, decimal) are
preloaded in both and favour neither side.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

# Imported before the clock starts (in cold_start) for the baseline and the functions alike.
from bench import scenarios
from bench.fake_aws import CallCounter, FakeAws


@dataclass
class LambdaContext:
    """The attributes of the Lambda runtime's context object that the code reads."""

    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    log_group_name: str = "/aws/lambda/meridian-bench"
    log_stream_name: str = "2026/11/23/[$LATEST]bench"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


@dataclass
class ClientTimer:
    """Wall and CPU time spent inside botocore API calls (serialise, sign, send, parse)."""

    elapsed_ns: int = 0
    cpu_ns: int = 0
    _started: list[tuple[int, int]] = field(default_factory=list)

    def install(self, events: Any) -> None:  # noqa: ANN401 - a botocore event emitter
        events.register_first("before-parameter-build", self._start)
        events.register_last("after-call", self._stop)

    def _start(self, **_: Any) -> None:  # noqa: ANN401
        self._started.append((time.perf_counter_ns(), time.thread_time_ns()))

    def _stop(self, **_: Any) -> None:  # noqa: ANN401
        if self._started:
            wall, cpu = self._started.pop()
            self.elapsed_ns += time.perf_counter_ns() - wall
            self.cpu_ns += time.thread_time_ns() - cpu


@dataclass
class Samples:
    """Per-invocation times in ns: wall clock and this thread's CPU time, client work out."""

    wall: list[int] = field(default_factory=list)
    cpu: list[int] = field(default_factory=list)
    with_client: list[int] = field(default_factory=list)
    failures: int = 0

    def summary(self) -> dict[str, dict[str, float]]:
        return {
            "own": _summary(self.wall),
            "own_cpu": _summary(self.cpu),
            "with_client": _summary(self.with_client),
        }


def time_invocations(
    handler: Any,  # noqa: ANN401 - a Lambda handler
    texts: list[str],
    context_name: str,
    expected_status: int | None,
    *,
    fake: FakeAws | None = None,
    timer: ClientTimer | None = None,
) -> Samples:
    """``json.loads(event)`` → handler → ``json.dumps(response)`` per event, as the runtime does.

    Lambda sets a new trace header for every invocation; that (and building the context
    object, the runtime's work) happens before the clock starts.
    """
    samples = Samples()
    fake, timer = fake or FakeAws(), timer or ClientTimer()
    traces = [scenarios.new_trace_header() for _ in texts]
    for text, trace in zip(texts, traces, strict=True):
        os.environ["_X_AMZN_TRACE_ID"] = trace
        context = LambdaContext(context_name)
        fake_before, client_before, client_cpu_before = (
            fake.elapsed_ns,
            timer.elapsed_ns,
            timer.cpu_ns,
        )
        started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        response = handler(json.loads(text), context)
        json.dumps(response)
        elapsed_cpu = time.thread_time_ns() - started_cpu
        elapsed = time.perf_counter_ns() - started
        samples.with_client.append(elapsed - (fake.elapsed_ns - fake_before))
        samples.wall.append(elapsed - (timer.elapsed_ns - client_before))
        samples.cpu.append(elapsed_cpu - (timer.cpu_ns - client_cpu_before))
        if expected_status is not None:
            samples.failures += not response_ok(response, expected_status)
    return samples


def _bare_samples(texts: list[str]) -> dict[str, dict[str, float]]:
    bare = _bare_handler()
    wall, cpu = [], []
    for text in texts:
        started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        bare(text)
        cpu.append(time.thread_time_ns() - started_cpu)
        wall.append(time.perf_counter_ns() - started)
    return {"bare": _summary(wall), "bare_cpu": _summary(cpu)}


def response_ok(response: Any, expected_status: int) -> bool:  # noqa: ANN401
    """A REST proxy response with the expected status, or an authorizer Allow policy."""
    if not isinstance(response, dict):
        return False
    if "policyDocument" in response:
        return any(
            statement.get("Effect") == "Allow"
            for statement in response["policyDocument"].get("Statement", [])
        )
    return response.get("statusCode") == expected_status


def _describe(response: Any) -> str:  # noqa: ANN401
    return json.dumps(response, default=str)[:300]


# -- cold start ---------------------------------------------------------------------------
# The baseline's first call: one GetItem against the same fake the functions call.
ORIGINS = ("boto3", "meridian", "aws_lambda_powertools", "aws_xray_sdk", "wrapt")
BASELINE_KEY = {"pk": {"S": "HEALTH#probe"}, "sk": {"S": "HEALTH#probe"}}


def cold_start(spec: dict[str, Any]) -> dict[str, Any]:
    """Import and init, then the first request, each timed on the wall clock and this process's
    CPU time (``time.process_time``: the budget reads CPU time, which the other jobs of a shared
    machine stretch far less than the wall clock).

    Function: init = ``import boto3`` + the handler module's import (its configuration, service,
    router, Powertools objects); first request = one ``handler(event)``. Baseline: init =
    ``import boto3; boto3.client("dynamodb")`` (issue 15's reference); first request = one GetItem
    on that client against the same fake, so botocore's first-call work (endpoint rules,
    serialisation, signing, parsing) counts on both sides of the informational ratio.
    """
    event, secrets = spec.get("event"), spec.get("secrets", {})
    started, started_cpu = time.perf_counter(), time.process_time()
    import boto3  # type: ignore[import-untyped]  # noqa: PLC0415 - the import is measured

    if spec["function"] is None:
        client = boto3.client("dynamodb")
        inited, inited_cpu = time.perf_counter(), time.process_time()
        FakeAws(secrets=secrets).install(client.meta.events)
        client.get_item(TableName=os.environ["TABLE_NAME"], Key=BASELINE_KEY)
    else:
        boto3.setup_default_session()
        FakeAws(secrets=secrets).install(boto3.DEFAULT_SESSION.events)
        module = __import__(spec["module"], fromlist=["handler"])
        inited, inited_cpu = time.perf_counter(), time.process_time()
        if event is not None:
            response = module.handler(event, LambdaContext(os.environ["AWS_LAMBDA_FUNCTION_NAME"]))
            if not response_ok(response, spec["expected_status"]):
                raise SystemExit(f"first request failed: {_describe(response)}")
    finished, finished_cpu = time.perf_counter(), time.process_time()
    return {
        "total_ms": (finished - started) * 1000,
        "cpu_ms": (finished_cpu - started_cpu) * 1000,
        "init_ms": (inited - started) * 1000,
        "init_cpu_ms": (inited_cpu - started_cpu) * 1000,
        "first_request_ms": (finished - inited) * 1000,
        "first_request_cpu_ms": (finished_cpu - inited_cpu) * 1000,
        # Where the packages were loaded from (the bench checks: the deployed tree, not src/).
        "origins": {
            name: str(getattr(sys.modules[name], "__file__", None))
            for name in ORIGINS
            if name in sys.modules
        },
    }


# -- warm ---------------------------------------------------------------------------------
def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def _summary(samples_ns: list[int]) -> dict[str, float]:
    values = sorted(sample / 1000 for sample in samples_ns)
    return {"p50_us": _percentile(values, 0.50), "p99_us": _percentile(values, 0.99)}


def _bare_handler() -> Any:  # noqa: ANN401
    """The floor: parse the event, dispatch on a dict, dump a response. Nothing else."""
    routes = {
        ("GET", "/health"): lambda event: {"status": "ok"},
        ("TOKEN", None): lambda event: {"principalId": "x"},
    }

    def default(event: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    def bare(event_text: str) -> str:
        event = json.loads(event_text)
        route = routes.get((event.get("httpMethod") or event.get("type"), event.get("resource")))
        body = (route or default)(event)
        return json.dumps(
            {
                "statusCode": 200,
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps(body),
            }
        )

    return bare


def _seed(
    function: str,
    invoke: Any,  # noqa: ANN401
    iterations: int,
    spec_seeds: dict[str, Any],
) -> dict[str, Any]:
    """Data the timed routes need, written through the handler itself where it can be."""
    seeds: dict[str, Any] = dict(spec_seeds)
    if function == "profiles":
        users = ["reader", "updater", "session-writer", "session-deleter"]
        users += [f"eraser-{i}" for i in range(iterations + 1)]
        for user in users:
            invoke(
                scenarios.rest_event(
                    "POST",
                    "/profiles",
                    "/profiles",
                    authorizer=scenarios.cognito_claims(user),
                    body={"display_name": user},
                ),
                201,
            )
        session_owners = ["reader"] * 3 + ["session-deleter"] * (iterations + 1)
        session_owners += [f"eraser-{i}" for i in range(iterations + 1)]
        seeds["sessions"] = []
        for owner in session_owners:
            response = invoke(
                scenarios.rest_event(
                    "POST",
                    "/profiles/me/sessions",
                    "/profiles/me/sessions",
                    authorizer=scenarios.cognito_claims(owner),
                    body={"device_name": "phone", "platform": "ios"},
                ),
                201,
            )
            if owner == "session-deleter":
                seeds["sessions"].append(json.loads(response["body"])["session_id"])
        # The export lists the caller's transactions, which only the transactions function
        # writes: store five as its repository does.
        from meridian.identity import Caller  # noqa: PLC0415
        from meridian.money import AmountLimits  # noqa: PLC0415
        from meridian.repository import Repository  # noqa: PLC0415
        from meridian.transactions.service import TransactionService  # noqa: PLC0415

        service = TransactionService(
            Repository(scenarios.TABLE_NAME, region=scenarios.REGION), AmountLimits.defaults()
        )
        reader = Caller("user", "reader")
        body = {"amount": "9.99", "currency": "EUR", "type": "credit"}
        for index in range(5):
            service.create(reader, f"seed-{index}", body)
    elif function == "transactions":
        for index in range(25):
            response = invoke(
                scenarios.rest_event(
                    "POST",
                    "/transactions",
                    "/transactions",
                    authorizer=scenarios.lambda_authorizer_context("reader"),
                    headers={"Idempotency-Key": f"seed-{index}"},
                    body={"amount": "9.99", "currency": "EUR", "type": "credit"},
                ),
                201,
            )
            seeds["transaction_id"] = json.loads(response["body"])["transaction_id"]
    return seeds


def warm(spec: dict[str, Any]) -> dict[str, Any]:
    import boto3  # noqa: PLC0415

    function, iterations = spec["function"], spec["iterations"]
    boto3.setup_default_session()
    fake = FakeAws(secrets=spec.get("secrets", {}))
    counter, timer = CallCounter(), ClientTimer()
    for hook in (fake, counter, timer):
        hook.install(boto3.DEFAULT_SESSION.events)
    module = __import__(scenarios.HANDLER_MODULES[function], fromlist=["handler"])
    context_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]

    def invoke(event: dict[str, Any], expected: int) -> Any:  # noqa: ANN401
        os.environ["_X_AMZN_TRACE_ID"] = scenarios.new_trace_header()
        response = module.handler(event, LambdaContext(context_name))
        if not response_ok(response, expected):
            raise SystemExit(f"{function}: unexpected response {_describe(response)}")
        return response

    seeds = _seed(function, invoke, iterations, spec.get("seeds", {}))
    results = []
    for route in scenarios.routes_of(function):
        counter.take()
        invoke(route.make(0, seeds), route.expected_status)
        calls = counter.take()
        texts = [json.dumps(route.make(i, seeds)) for i in range(1, iterations + 1)]
        samples = time_invocations(
            module.handler, texts, context_name, route.expected_status, fake=fake, timer=timer
        )
        timed_calls = counter.take()
        results.append(
            {
                "route": route.name,
                "kind": route.kind,
                "iterations": iterations,
                "failures": samples.failures,
                **samples.summary(),
                **_bare_samples(texts),
                "calls": [list(call) for call in calls],
                "timed_call_ops": sorted({op for _, op in timed_calls}),
            }
        )
    answer: dict[str, Any] = {
        "function": function,
        "routes": results,
        "all_operations": sorted(counter.seen),
    }
    if function == "health":
        answer["floor"] = framework_floor(iterations, context_name)
    return answer


def framework_floor(iterations: int, context_name: str) -> list[dict[str, Any]]:
    """What Powertools costs before any Meridian code: GET /health answered with a constant
    by a resolver with one route, then with each decorator the handlers used (before
    meridian.observability replaced them) added in turn."""
    from aws_lambda_powertools import Logger, Metrics, Tracer  # noqa: PLC0415
    from aws_lambda_powertools.event_handler import (  # noqa: PLC0415
        APIGatewayRestResolver,
        Response,
    )
    from aws_lambda_powertools.logging import correlation_paths  # noqa: PLC0415

    logger, metrics = Logger(), Metrics()
    tracer = Tracer(patch_modules=["botocore"])
    app = APIGatewayRestResolver()

    @app.get("/health")
    def health() -> Response[str]:
        return Response(200, "application/json", '{"status":"ok"}')

    def resolve(event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ANN401
        return app.resolve(event, context)

    with_logger = logger.inject_lambda_context(
        correlation_id_path=correlation_paths.API_GATEWAY_REST
    )(resolve)
    with_metrics = logger.inject_lambda_context(
        correlation_id_path=correlation_paths.API_GATEWAY_REST
    )(metrics.log_metrics(resolve))
    with_tracer = logger.inject_lambda_context(
        correlation_id_path=correlation_paths.API_GATEWAY_REST
    )(tracer.capture_lambda_handler(metrics.log_metrics(resolve)))
    variants = {
        "APIGatewayRestResolver, one route": resolve,
        "+ Logger.inject_lambda_context": with_logger,
        "+ Metrics.log_metrics": with_metrics,
        "+ Tracer.capture_lambda_handler (all three, as the handlers)": with_tracer,
    }
    texts = [
        json.dumps(scenarios.rest_event("GET", "/health", "/health", authorizer=None))
        for _ in range(iterations)
    ]
    rows: list[dict[str, Any]] = [{"variant": "bare handler", **_bare_samples(texts)}]
    rows[0]["own"], rows[0]["own_cpu"] = rows[0].pop("bare"), rows[0].pop("bare_cpu")
    for name, handler in variants.items():
        samples = time_invocations(handler, texts, context_name, 200)
        rows.append({"variant": name, "failures": samples.failures, **samples.summary()})
    return rows


def main() -> int:
    spec = json.loads(open(sys.argv[1], encoding="utf-8").read())  # noqa: SIM115
    result = cold_start(spec) if spec["mode"] == "coldstart" else warm(spec)
    with open(spec["output"], "w", encoding="utf-8") as output:
        json.dump(result, output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
