"""Structured logs, CloudWatch EMF metrics and X-Ray subsegments, built on the standard library and
botocore's public event system, plus the SnapStart runtime hook every function registers at init.

Why ours and not Powertools' Logger/Metrics/Tracer (issue 15, bench/findings.md): those three and
the X-Ray SDK they load (with wrapt) were ~96 modules at every cold start, the largest share of
what put init + first request over 1.15x the bare boto3 baseline. The AWS X-Ray SDKs are in
maintenance mode since 2026-02-25 and reach end of support on 2027-02-25
(https://docs.aws.amazon.com/xray/latest/devguide/xray-daemon-eos.html). What is emitted keeps the
names the docs, alarms and dashboards read:

- logs: one JSON object per line on stdout with Powertools' field names (``level``, ``message``,
  ``location``, ``timestamp``, ``service``, ``cold_start``, ``function_*``, ``correlation_id``,
  ``xray_trace_id``) plus ``request_id`` (the id error bodies return; docs/operations.md);
- metrics: CloudWatch Embedded Metric Format documents on stdout, namespace
  ``POWERTOOLS_METRICS_NAMESPACE``, dimension ``service`` = ``POWERTOOLS_SERVICE_NAME``, and the
  ``ColdStart`` metric with ``function_name`` + ``service`` as Powertools emitted it (the
  environment variable names are unchanged so the deployed configuration is too);
- traces: when Lambda sampled the invocation (``_X_AMZN_TRACE_ID`` ``Sampled=1``), a ``## handler``
  subsegment (annotations ``ColdStart`` and ``Service``) and one subsegment per AWS SDK call, sent
  as separate subsegment documents to the X-Ray daemon of the execution environment. Lambda records
  the function's own segment itself (active tracing); only subsegments need code.
"""

from __future__ import annotations

import functools
import gc
import importlib
import json
import logging
import os
import random
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO, TypeVar

Handler = TypeVar("Handler", bound=Callable[..., Any])

SERVICE_ENV = "POWERTOOLS_SERVICE_NAME"
NAMESPACE_ENV = "POWERTOOLS_METRICS_NAMESPACE"
# Set by the unit tests (and the bench's "tracing off" reference): no subsegment is recorded.
TRACE_DISABLED_ENV = "POWERTOOLS_TRACE_DISABLED"
TRACE_HEADER_ENV = "_X_AMZN_TRACE_ID"
DAEMON_ADDRESS_ENV = "AWS_XRAY_DAEMON_ADDRESS"
DEFAULT_DAEMON_ADDRESS = ("127.0.0.1", 2000)


def _service_name() -> str:
    return os.environ.get(SERVICE_ENV) or "service_undefined"


class _ColdStart:
    """True until the first invocation of this execution environment has started."""

    def __init__(self) -> None:
        self.pending = True

    def take(self) -> bool:
        cold, self.pending = self.pending, False
        return cold


_cold_start = _ColdStart()


# -- trace context --------------------------------------------------------------------------
class TraceHeader:
    """The invocation's ``_X_AMZN_TRACE_ID``: ``Root=1-...;Parent=<16 hex>;Sampled=0|1``.

    The Lambda runtime sets it for every invocation; its ``Parent`` is the function's segment,
    which Lambda records itself when active tracing is on.
    https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
    https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader
    """

    def __init__(self, root: str, parent: str, sampled: bool) -> None:
        self.root, self.parent, self.sampled = root, parent, sampled

    @classmethod
    def parse(cls, header: str) -> TraceHeader:
        fields = dict(part.strip().partition("=")[::2] for part in header.split(";") if "=" in part)
        return cls(fields.get("Root", ""), fields.get("Parent", ""), fields.get("Sampled") == "1")

    @classmethod
    def current(cls) -> TraceHeader:
        return cls.parse(os.environ.get(TRACE_HEADER_ENV, ""))


# -- logging --------------------------------------------------------------------------------
# Attributes every LogRecord has: whatever else a record carries came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None))) | {
    "message",
    "asctime",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: Powertools' field names and order, then the ``extra`` keys.

    ``location`` is ``function:line``; ``timestamp`` is UTC with milliseconds; an exception adds
    ``exception`` (the formatted traceback) and ``exception_name``.
    """

    def __init__(self, service: str, context: Mapping[str, Any]) -> None:
        super().__init__()
        self.service = service
        self.context = context

    def format(self, record: logging.LogRecord) -> str:
        seconds = time.gmtime(record.created)
        document: dict[str, Any] = {
            "level": record.levelname,
            "location": f"{record.funcName}:{record.lineno}",
            "message": record.getMessage(),
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%S", seconds)
            + f",{int(record.msecs):03d}+0000",
            "service": self.service,
            **self.context,
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES:
                document[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            document["exception"] = self.formatException(record.exc_info)
            document["exception_name"] = record.exc_info[0].__name__
        trace = TraceHeader.current().root
        if trace:
            document["xray_trace_id"] = trace
        return json.dumps(document, default=str, separators=(",", ":"), ensure_ascii=False)


def _api_gateway_request_id(event: Any) -> str | None:  # noqa: ANN401 - any Lambda event
    """``requestContext.requestId`` of an API Gateway REST proxy event (Powertools'
    ``correlation_paths.API_GATEWAY_REST``)."""
    if not isinstance(event, Mapping):
        return None
    context = event.get("requestContext")
    value = context.get("requestId") if isinstance(context, Mapping) else None
    return value if isinstance(value, str) else None


class Logger:
    """A stdlib logger writing :class:`JsonFormatter` lines to stdout (what Lambda ships to
    CloudWatch Logs), level from ``LOG_LEVEL``; :meth:`inject_lambda_context` adds the
    invocation's keys to every line logged while the handler runs."""

    def __init__(self, service: str | None = None, stream: TextIO | None = None) -> None:
        self.service = service or _service_name()
        self._context: dict[str, Any] = {}
        self.handler = logging.StreamHandler(stream or sys.stdout)
        self.handler.setFormatter(JsonFormatter(self.service, self._context))
        self._logger = logging.getLogger(f"meridian.observability.{self.service}")
        self._logger.handlers = [self.handler]
        # Our lines only: never duplicated by a handler the runtime put on the root logger.
        self._logger.propagate = False
        self._logger.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())

    @property
    def level(self) -> int:
        return self._logger.level

    def setLevel(self, level: int | str) -> None:  # noqa: N802 - the logging module's name
        self._logger.setLevel(level)

    # stacklevel=2: ``location`` names the caller, not this wrapper.
    def debug(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.debug(message, extra=extra, stacklevel=2)

    def info(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.info(message, extra=extra, stacklevel=2)

    def warning(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.warning(message, extra=extra, stacklevel=2)

    def error(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.error(message, extra=extra, stacklevel=2)

    def exception(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.exception(message, extra=extra, stacklevel=2)

    def inject_lambda_context(
        self, *, correlation_from_api_gateway: bool = False
    ) -> Callable[[Handler], Handler]:
        """Decorate a handler: every line it logs carries the invocation's keys.

        ``correlation_from_api_gateway``: ``correlation_id`` and ``request_id`` are the API
        Gateway request id (what error bodies return); otherwise ``request_id`` is Lambda's.
        """

        def decorate(handler: Handler) -> Handler:
            @functools.wraps(handler)
            def wrapper(event: Any, context: Any) -> Any:  # noqa: ANN401
                lambda_request_id = getattr(context, "aws_request_id", None)
                correlation = (
                    _api_gateway_request_id(event) if correlation_from_api_gateway else None
                )
                self._context.clear()
                self._context.update(
                    {
                        "cold_start": _cold_start.pending,
                        "function_name": getattr(context, "function_name", None),
                        "function_memory_size": getattr(context, "memory_limit_in_mb", None),
                        "function_arn": getattr(context, "invoked_function_arn", None),
                        "function_request_id": lambda_request_id,
                        "request_id": correlation or lambda_request_id,
                    }
                )
                if correlation_from_api_gateway:
                    self._context["correlation_id"] = correlation
                try:
                    return handler(event, context)
                finally:
                    _cold_start.take()

            return wrapper  # type: ignore[return-value]

        return decorate


# -- metrics (CloudWatch Embedded Metric Format) ----------------------------------------------
class MetricUnit:
    """CloudWatch units (the ``Unit`` of a MetricDefinition) Meridian uses.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html"""

    Count = "Count"
    Milliseconds = "Milliseconds"


# EMF: "Metrics ... MUST NOT contain more than 100 MetricDefinition objects" and a metric's
# values array "MUST NOT contain more than 100 values".
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
MAX_METRICS_PER_DOCUMENT = 100
MAX_VALUES_PER_METRIC = 100


def emf_documents(
    namespace: str,
    dimensions: Mapping[str, str],
    metrics: Mapping[str, tuple[str, list[float]]],
    timestamp_ms: int,
) -> Iterator[dict[str, Any]]:
    """EMF documents for ``metrics`` (name → (unit, values)): one directive over one dimension
    set, at most 100 metrics per document and 100 values per metric."""
    pending = [(name, unit, list(values)) for name, (unit, values) in metrics.items()]
    while pending:
        batch, rest = pending[:MAX_METRICS_PER_DOCUMENT], pending[MAX_METRICS_PER_DOCUMENT:]
        document: dict[str, Any] = {
            "_aws": {
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [
                    {
                        "Namespace": namespace,
                        "Dimensions": [list(dimensions)],
                        "Metrics": [{"Name": name, "Unit": unit} for name, unit, _ in batch],
                    }
                ],
            },
            **dimensions,
        }
        pending = rest
        for name, unit, values in batch:
            document[name] = values[:MAX_VALUES_PER_METRIC]
            if len(values) > MAX_VALUES_PER_METRIC:
                pending.append((name, unit, values[MAX_VALUES_PER_METRIC:]))
        yield document


class Metrics:
    """Collects metrics during an invocation and prints them as EMF when it ends."""

    def __init__(
        self,
        namespace: str | None = None,
        service: str | None = None,
        stream: TextIO | None = None,
    ) -> None:
        self.namespace = namespace or os.environ.get(NAMESPACE_ENV) or ""
        self.service = service or _service_name()
        self.stream = stream
        self._pending: dict[str, tuple[str, list[float]]] = {}
        self._lock = threading.Lock()

    def add_metric(self, *, name: str, unit: str, value: float) -> None:
        with self._lock:
            recorded_unit, values = self._pending.setdefault(name, (unit, []))
            if recorded_unit != unit:
                raise ValueError(f"metric {name} already recorded in {recorded_unit}, not {unit}")
            values.append(float(value))

    def _write(self, documents: Iterator[dict[str, Any]]) -> None:
        stream = self.stream or sys.stdout
        for document in documents:
            stream.write(json.dumps(document, separators=(",", ":")) + "\n")
        stream.flush()

    def flush(self) -> None:
        """Print what was collected (nothing when no metric was added)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if pending:
            self._write(
                emf_documents(self.namespace, {"service": self.service}, pending, _now_ms())
            )

    def _cold_start_metric(self, context: Any) -> None:  # noqa: ANN401
        function_name = getattr(context, "function_name", None) or self.service
        self._write(
            emf_documents(
                self.namespace,
                {"function_name": function_name, "service": self.service},
                {"ColdStart": (MetricUnit.Count, [1.0])},
                _now_ms(),
            )
        )

    def log_metrics(
        self, *, capture_cold_start_metric: bool = False
    ) -> Callable[[Handler], Handler]:
        """Decorate a handler: flush after every invocation (also when it raises); the first
        invocation of the environment also emits ``ColdStart`` (1, Count)."""

        def decorate(handler: Handler) -> Handler:
            @functools.wraps(handler)
            def wrapper(event: Any, context: Any) -> Any:  # noqa: ANN401
                if capture_cold_start_metric and _cold_start.pending:
                    self._cold_start_metric(context)
                try:
                    return handler(event, context)
                finally:
                    self.flush()

            return wrapper  # type: ignore[return-value]

        return decorate


def _now_ms() -> int:
    return int(time.time() * 1000)


# -- tracing (X-Ray segment documents to the daemon) ------------------------------------------
# The daemon's UDP protocol: a JSON header line, then one segment document.
# https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-daemon
DAEMON_HEADER = '{"format": "json", "version": 1}\n'


def new_id() -> str:
    """A segment id: 64 bits as 16 lowercase hex digits (xray-api-segmentdocuments.html)."""
    return os.urandom(8).hex()


def daemon_address(value: str | None) -> tuple[str, int]:
    """``AWS_XRAY_DAEMON_ADDRESS``: ``host:port``, or ``tcp:host:port udp:host:port`` (the UDP
    one is where segments go). https://docs.aws.amazon.com/xray/latest/devguide/xray-sdk-python-configuration.html"""
    if not value:
        return DEFAULT_DAEMON_ADDRESS
    chosen = value.strip()
    for part in chosen.split():
        if part.startswith("udp:"):
            chosen = part[len("udp:") :]
    host, _, port = chosen.rpartition(":")
    return host, int(port)


class Subsegment:
    """One open subsegment: its document, completed by :meth:`Tracer.end`."""

    def __init__(self, name: str, trace_id: str, parent_id: str) -> None:
        self.id = new_id()
        self.document: dict[str, Any] = {
            "type": "subsegment",
            "name": name,
            "id": self.id,
            "trace_id": trace_id,
            "parent_id": parent_id,
            "start_time": time.time(),
        }

    def annotate(self, key: str, value: str | bool | float) -> None:
        self.document.setdefault("annotations", {})[key] = value

    def add_metadata(self, namespace: str, key: str, value: Any) -> None:  # noqa: ANN401
        self.document.setdefault("metadata", {}).setdefault(namespace, {})[key] = value

    def add_exception(self, error: BaseException, *, remote: bool = False) -> None:
        self.document["fault"] = True
        entry = exception_entry(type(error).__name__, str(error), remote=remote)
        entry["stack"] = [
            {"path": frame.filename, "line": frame.lineno, "label": frame.name}
            for frame in traceback.extract_tb(error.__traceback__)[-10:]
        ]
        self.document["cause"] = {"working_directory": os.getcwd(), "exceptions": [entry]}


def exception_entry(type_name: str, message: str, *, remote: bool) -> dict[str, Any]:
    """One entry of a segment's ``cause.exceptions`` (xray-api-segmentdocuments.html)."""
    return {"id": new_id(), "type": type_name, "message": message[:250], "remote": remote}


class Tracer:
    """X-Ray subsegments for the handler and every AWS SDK call, only when Lambda sampled the
    invocation. Documents go to the daemon by UDP; a failure to send never fails a request."""

    def __init__(self, service: str | None = None) -> None:
        self.service = service or _service_name()
        self.disabled = os.environ.get(TRACE_DISABLED_ENV, "").lower() in {"1", "true"}
        self._local = threading.local()
        self._socket: socket.socket | None = None
        self._address: tuple[str, int] | None = None

    # The open subsegments of this thread (the handler's, then the SDK call's).
    def _stack(self) -> list[Subsegment]:
        stack: list[Subsegment] | None = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def _trace(self) -> TraceHeader | None:
        if self.disabled:
            return None
        header = TraceHeader.current()
        return header if header.sampled and header.root and header.parent else None

    def begin(self, name: str) -> Subsegment | None:
        """Open a subsegment under the current one (or the function's segment)."""
        trace = self._trace()
        if trace is None:
            return None
        stack = self._stack()
        parent = stack[-1].id if stack else trace.parent
        subsegment = Subsegment(name, trace.root, parent)
        stack.append(subsegment)
        return subsegment

    def end(self, subsegment: Subsegment) -> None:
        stack = self._stack()
        if subsegment in stack:
            stack.remove(subsegment)
        subsegment.document["end_time"] = time.time()
        self.send(subsegment.document)

    def send(self, document: Mapping[str, Any]) -> None:
        payload = (
            DAEMON_HEADER + json.dumps(document, default=str, separators=(",", ":"))
        ).encode()
        try:
            if self._socket is None:
                self._address = daemon_address(os.environ.get(DAEMON_ADDRESS_ENV))
                self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self._socket.setblocking(False)
            self._socket.sendto(payload, self._address or DEFAULT_DAEMON_ADDRESS)
        except OSError:
            pass  # no daemon, or a full buffer: a lost trace, never a failed request

    @contextmanager
    def subsegment(self, name: str) -> Iterator[Subsegment | None]:
        subsegment = self.begin(name)
        try:
            yield subsegment
        except BaseException as error:
            if subsegment is not None:
                subsegment.add_exception(error)
            raise
        finally:
            if subsegment is not None:
                self.end(subsegment)

    def capture_lambda_handler(self, handler: Handler) -> Handler:
        """Decorate a handler: a ``## <name>`` subsegment with the annotations ``ColdStart`` and
        ``Service`` (what Powertools' tracer recorded), the error as metadata and cause. Never the
        response: responses carry personal data (profiles, policies naming the caller)."""

        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> Any:  # noqa: ANN401
            cold = _cold_start.pending
            subsegment = self.begin(f"## {handler.__name__}")
            try:
                return handler(event, context)
            except Exception as error:
                if subsegment is not None:
                    subsegment.add_metadata(self.service, f"{handler.__name__} error", repr(error))
                    subsegment.add_exception(error)
                raise
            finally:
                if subsegment is not None:
                    subsegment.annotate("ColdStart", cold)
                    subsegment.annotate("Service", self.service)
                    self.end(subsegment)
                # Nothing outlives the invocation, not even a call botocore never completed.
                self._stack().clear()

        return wrapper  # type: ignore[return-value]

    # -- AWS SDK calls: botocore's public event system ------------------------------------------
    # https://boto3.amazonaws.com/v1/documentation/api/latest/guide/events.html
    def instrument(self, client: Any) -> Any:  # noqa: ANN401 - a boto3 client
        """Record one subsegment per API call of ``client`` (name = the service's endpoint prefix,
        namespace ``aws``, ``aws.operation``/``region``/``request_id``/``retries`` and the table or
        topic, ``http.response.status``), as the X-Ray SDK's botocore patch did."""
        events = client.meta.events
        region = client.meta.region_name

        def begin_call(**kwargs: Any) -> None:  # noqa: ANN401
            self._begin_call(region=region, **kwargs)

        # Opened at before-parameter-build, not before-call: a handler that answers before-call
        # (botocore's Stubber, a cache) ends that event early, and after-call still comes.
        events.register("before-parameter-build", begin_call)
        events.register("before-call", self._propagate)
        events.register("after-call", self._after_call)
        events.register("after-call-error", self._after_call_error)
        return client

    def _begin_call(
        self,
        model: Any,  # noqa: ANN401 - botocore's OperationModel
        params: Mapping[str, Any],
        region: str | None,
        **kwargs: Any,  # noqa: ANN401
    ) -> None:
        # A call botocore refused before sending (invalid parameters) never reaches after-call:
        # its subsegment is dropped here rather than becoming the parent of this one.
        while self._open_call() is not None:
            self._stack().pop()
        subsegment = self.begin(model.service_model.endpoint_prefix)
        if subsegment is None:
            return
        subsegment.document["namespace"] = "aws"
        call: dict[str, Any] = {"operation": model.name, "region": region}
        # What the X-Ray SDK recorded of our operations' parameters: the table or the topic.
        for parameter, key in (("TableName", "table_name"), ("TopicArn", "topic_arn")):
            if isinstance(params.get(parameter), str):
                call[key] = params[parameter]
        subsegment.document["aws"] = call

    def _propagate(self, params: dict[str, Any], **kwargs: Any) -> None:  # noqa: ANN401
        """The downstream service joins the trace under the call's subsegment (what the X-Ray
        SDK injected; botocore's own header, from ``_X_AMZN_TRACE_ID``, names the function's
        segment)."""
        subsegment = self._open_call()
        if subsegment is not None:
            params.setdefault("headers", {})["X-Amzn-Trace-Id"] = (
                f"Root={subsegment.document['trace_id']};Parent={subsegment.id};Sampled=1"
            )

    def _open_call(self) -> Subsegment | None:
        stack = self._stack()
        if stack and stack[-1].document.get("namespace") == "aws":
            return stack[-1]
        return None

    def _after_call(self, http_response: Any, parsed: Mapping[str, Any], **kwargs: Any) -> None:  # noqa: ANN401
        subsegment = self._open_call()
        if subsegment is None:
            return
        status = getattr(http_response, "status_code", None)
        metadata = parsed.get("ResponseMetadata") or {}
        call = subsegment.document.setdefault("aws", {})
        call["request_id"] = metadata.get("RequestId")
        call["retries"] = metadata.get("RetryAttempts", 0)
        if isinstance(status, int):
            subsegment.document["http"] = {"response": {"status": status}}
            # 4xx: error (429: also throttle); 5xx: fault (xray-api-segmentdocuments.html).
            if status == 429:
                subsegment.document["throttle"] = True
            if 400 <= status < 500:
                subsegment.document["error"] = True
            elif status >= 500:
                subsegment.document["fault"] = True
            error = parsed.get("Error")
            if status >= 400 and isinstance(error, Mapping):
                entry = exception_entry(
                    str(error.get("Code", "")), str(error.get("Message", "")), remote=True
                )
                subsegment.document["cause"] = {"exceptions": [entry]}
        self.end(subsegment)

    def _after_call_error(self, exception: BaseException, **kwargs: Any) -> None:  # noqa: ANN401
        subsegment = self._open_call()
        if subsegment is None:
            return
        subsegment.add_exception(exception, remote=True)
        self.end(subsegment)


logger = Logger()
metrics = Metrics()
tracer = Tracer()


def reseed_after_restore() -> None:
    """Reseed Python's ``random`` from os.urandom.

    With SnapStart (opt-in, infra variable lambda_snap_start_functions) one snapshot of the
    initialized function resumes many execution environments: the Mersenne Twister state seeded
    when ``random`` was imported at init would be the same in all of them. Meridian draws ids and
    secrets from os.urandom at call time (meridian.ids), never from ``random``; botocore's retry
    jitter does use ``random``, and environments retrying in lockstep defeat the jitter.
    https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html
    """
    random.seed()


def install_snapshot_hooks() -> bool:
    """Register the after-restore hook with the Lambda runtime's ``snapshot_restore_py``
    (included in the Python managed runtimes; absent elsewhere, then nothing to do).
    https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html"""
    try:
        hooks = importlib.import_module("snapshot_restore_py")
    except ImportError:
        return False
    hooks.register_after_restore(reseed_after_restore)
    return True


install_snapshot_hooks()


def end_of_init() -> None:
    """The last statement of every handler module's init: hand init's objects to ``gc.freeze()``.

    Init builds what lives as long as the execution environment (modules, classes, the
    configuration, the router, the clients' factories): ~37,000 objects tracked by the cyclic
    garbage collector for the transactions function. Left where they are, every full collection
    for the rest of the environment's life traverses them again, the first one usually while the
    first request builds the DynamoDB client (``make bench``: ~7 ms of CPU of the transactions
    function's cold start). ``gc.freeze()`` moves every tracked object to a permanent generation
    that collections ignore (https://docs.python.org/3/library/gc.html#gc.freeze). Reference
    counting still frees them as usual; only a reference cycle that is already garbage now would
    be kept for good, and init leaves none (tests/unit/test_cold_start_imports.py).
    """
    gc.freeze()
