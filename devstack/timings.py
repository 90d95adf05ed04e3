"""Per-request hop timings of the devstack (contract H), kept in a bounded ring buffer.

``GET /_devstack/timings?limit=N`` answers the most recent requests, newest first::

    {"requests": [{"request_id", "method", "path", "status", "started_at", "total_ms",
                   "hops": {"edge_ms", "waf_ms", "gateway_ms", "authorizer_ms",
                            "authorizer_cached", "function_ms", "dynamodb_ms",
                            "dynamodb_calls"}}]}

``DELETE /_devstack/timings`` clears the buffer. A hop the request did not cross is null.

One record per request that reaches the edge or a stage (``serve_stage``), opened by the first
of them and kept in a context variable, so every layer below adds its own time to it:

* ``total_ms``: from the first layer's start to its answer (the edge's, through the edge; else
  the stage's). HTTP parsing by the listener itself is outside.
* ``edge_ms``: the edge's own work (behaviour, cache, policies): the edge's time minus its WAF
  inspection and its origin fetch. Null for a direct regional call.
* ``waf_ms``: evaluating web ACLs (the distribution's CLOUDFRONT ACL and the stage's REGIONAL
  ACL together). Null when no web ACL was evaluated.
* ``gateway_ms``: the stage runtime's own work (routing, throttling, validation, usage plans,
  proxy event and response, gateway responses): its time minus the authorizer and the function.
* ``authorizer_ms`` / ``authorizer_cached``: the method's authorizer: a Lambda authorizer's
  invocation (or its cached decision: cached = true), or the Cognito token verification (never
  cached: API Gateway verifies every token). Null when the method has no authorizer.
* ``function_ms``: the integration function's invocation as the gateway waits for it (worker
  round trip, including the function's own AWS calls). Null when no function ran.
* ``dynamodb_ms`` / ``dynamodb_calls``: the DynamoDB calls the request's functions made, as
  the emulator served them (faults, IAM, fillers, moto; not the function's client-side boto3
  work nor the HTTP transport). They are matched to the request by the ``X-Amzn-Trace-Id``
  header botocore adds inside Lambda from ``_X_AMZN_TRACE_ID`` (Lambda's recursion detection:
  https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html), whose ``Root`` the
  devstack's Lambda runtime chose for that invocation.

Cost: a few ``perf_counter`` calls and dict operations per request.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from devstack.wsgi import AwsRequest, Response, json_response

DEFAULT_CAPACITY = 1000
DEFAULT_LIMIT = 50
HOPS = (
    "edge_ms",
    "waf_ms",
    "gateway_ms",
    "authorizer_ms",
    "authorizer_cached",
    "function_ms",
    "dynamodb_ms",
    "dynamodb_calls",
)


@dataclass
class RequestTiming:
    """One request's hops, filled in by the layers it crosses (milliseconds)."""

    method: str
    path: str
    started_at: float  # epoch seconds
    started: float  # perf_counter at the start
    request_id: str | None = None
    status: int | None = None
    total_ms: float | None = None
    hops: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(HOPS))
    # Time spent inside the edge that is not the edge's own work (its WAF, its origin fetch).
    below_edge_ms: float = 0.0

    def add(self, hop: str, milliseconds: float) -> None:
        self.hops[hop] = (self.hops[hop] or 0.0) + milliseconds

    def document(self) -> dict[str, Any]:
        hops = {
            name: round(value, 2) if isinstance(value, float) else value
            for name, value in self.hops.items()
        }
        return {
            "request_id": self.request_id,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.started_at))
            + f".{int(self.started_at * 1000) % 1000:03d}Z",
            "total_ms": None if self.total_ms is None else round(self.total_ms, 2),
            "hops": hops,
        }


_CURRENT: contextvars.ContextVar[RequestTiming | None] = contextvars.ContextVar(
    "devstack_request_timing", default=None
)


def current() -> RequestTiming | None:
    """The record of the request being served in this context, if any."""
    return _CURRENT.get()


@contextmanager
def hop(name: str, *, not_the_edges: bool = False) -> Iterator[None]:
    """Add the block's duration to hop ``name`` of the current request (no-op without one).

    ``not_the_edges``: the block runs inside the edge but is not the edge's own work (its WAF
    inspection)."""
    record = _CURRENT.get()
    if record is None:
        yield
        return
    began = time.perf_counter()
    try:
        yield
    finally:
        elapsed = (time.perf_counter() - began) * 1000
        record.add(name, elapsed)
        if not_the_edges:
            record.below_edge_ms += elapsed


def mark(name: str, value: Any) -> None:  # noqa: ANN401 - a hop's value (bool, int)
    """Set hop ``name`` of the current request (e.g. ``authorizer_cached``)."""
    record = _CURRENT.get()
    if record is not None:
        record.hops[name] = value


class Timings:
    """The ring buffer of finished requests and the in-flight invocations' trace roots."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._finished: deque[RequestTiming] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        # X-Ray trace root of an in-flight invocation -> the request it serves.
        self._by_trace_root: dict[str, RequestTiming] = {}

    # -- layers ---------------------------------------------------------------------------------
    @contextmanager
    def request(self, method: str, path: str, layer: str) -> Iterator[RequestTiming]:
        """The record of this request: a new one when this is the outermost layer (then it is
        stored when the block ends), else the one an outer layer opened. ``layer`` is "edge" or
        "stage": the time an inner stage takes is not the edge's own."""
        outer = _CURRENT.get()
        began = time.perf_counter()
        if outer is not None:
            try:
                yield outer
            finally:
                if layer == "stage":
                    outer.below_edge_ms += (time.perf_counter() - began) * 1000
            return
        record = RequestTiming(method, path, time.time(), began)
        token = _CURRENT.set(record)
        try:
            yield record
        finally:
            _CURRENT.reset(token)
            record.total_ms = (time.perf_counter() - began) * 1000
            if layer == "edge":
                record.hops["edge_ms"] = max(0.0, record.total_ms - record.below_edge_ms)
            self._finished.append(record)

    @staticmethod
    @contextmanager
    def gateway(record: RequestTiming | None) -> Iterator[None]:
        """The stage runtime's time; its own part is what the authorizer and function left."""
        if record is None:
            yield
            return
        began = time.perf_counter()
        before = (record.hops["authorizer_ms"] or 0.0) + (record.hops["function_ms"] or 0.0)
        try:
            yield
        finally:
            elapsed = (time.perf_counter() - began) * 1000
            after = (record.hops["authorizer_ms"] or 0.0) + (record.hops["function_ms"] or 0.0)
            record.add("gateway_ms", max(0.0, elapsed - (after - before)))

    @contextmanager
    def invocation(self, trace_header: str) -> Iterator[None]:
        """While a function runs for the current request, its AWS calls carrying this trace
        header's root count for that request."""
        record = _CURRENT.get()
        root = trace_root(trace_header)
        if record is None or root is None:
            yield
            return
        with self._lock:
            self._by_trace_root[root] = record
        try:
            yield
        finally:
            with self._lock:
                self._by_trace_root.pop(root, None)

    def dynamodb_call(self, trace_header: str | None, milliseconds: float) -> None:
        """A DynamoDB call the emulator served; counted for the request whose function made it."""
        root = trace_root(trace_header or "")
        if root is None:
            return
        with self._lock:
            record = self._by_trace_root.get(root)
            if record is None:
                return
            record.add("dynamodb_ms", milliseconds)
            record.hops["dynamodb_calls"] = (record.hops["dynamodb_calls"] or 0) + 1

    # -- the endpoint ---------------------------------------------------------------------------
    def recent(self, limit: int) -> list[dict[str, Any]]:
        records = list(self._finished)
        return [record.document() for record in reversed(records[-limit:])] if limit else []

    def clear(self) -> None:
        self._finished.clear()

    def control(self, request: AwsRequest) -> Response:
        """Serve ``/_devstack/timings``."""
        if request.method == "DELETE":
            self.clear()
            return json_response(200, {"requests": []})
        if request.method != "GET":
            return json_response(405, {"error": f"{request.method} is not supported here"})
        raw = dict(request.query).get("limit", str(DEFAULT_LIMIT))
        if not raw.isdigit() or int(raw) > self.capacity:
            return json_response(
                400, {"error": f"limit must be an integer from 0 to {self.capacity}, got {raw!r}"}
            )
        return json_response(200, {"requests": self.recent(int(raw))})

    @property
    def capacity(self) -> int:
        return self._finished.maxlen or 0


def trace_root(header: str) -> str | None:
    """``Root=1-...`` of an ``X-Amzn-Trace-Id`` header, or None."""
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "Root" and value:
            return value
    return None
