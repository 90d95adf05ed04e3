"""``/_devstack/replication``: watch and steer the global-table replication at runtime.

* ``GET /_devstack/replication``: ``{"delay_seconds", "isolated_regions", "pending",
  "pending_flowing", "pending_by_link", "applied", "superseded", "ttl_sweep_seconds",
  "ttl_deleted"}``.
* ``PUT /_devstack/replication`` with ``{"delay_seconds": 2.5, "isolated_regions": ["us-west-2"]}``
  (either key optional): change the delay (applies to what is already queued too) and the set of
  isolated regions (``[]`` heals every region; the queued writes then catch up in order).
* ``POST /_devstack/replication/drain`` (optional ``{"timeout_seconds": 30}``): wait until nothing
  is pending between non-isolated regions. 200 ``{"drained": true, ...status}``, or 504
  ``{"drained": false, ...}`` when the time is up.
* ``POST /_devstack/replication/ttl-sweep``: run the TTL sweeper now; ``{"deleted": n}``.

Bad input is a 400 with the AWS-style JSON error body the other control endpoints use.
"""

from __future__ import annotations

import json
from typing import Any

from devstack.dynamodb.replication import MAX_DELAY_SECONDS, Replicator
from devstack.dynamodb.ttl import TtlSweeper
from devstack.wsgi import AwsRequest, Response, aws_json_error, json_response

PATH = "/_devstack/replication"
DEFAULT_DRAIN_TIMEOUT = 30.0
MAX_DRAIN_TIMEOUT = 300.0


class ReplicationControl:
    def __init__(self, replicator: Replicator, sweeper: TtlSweeper) -> None:
        self.replicator = replicator
        self.sweeper = sweeper

    def status(self) -> dict[str, Any]:
        return {
            **self.replicator.status(),
            "ttl_sweep_seconds": self.sweeper.interval_seconds,
            "ttl_deleted": self.sweeper.deleted,
        }

    def handle(self, request: AwsRequest) -> Response:  # noqa: PLR0911 - one return per route
        path = request.path.rstrip("/")
        if path == PATH:
            if request.method == "GET":
                return json_response(200, self.status())
            if request.method == "PUT":
                return self._configure(request)
            return aws_json_error(405, "MethodNotAllowed", "use GET or PUT")
        if path == f"{PATH}/drain":
            if request.method != "POST":
                return aws_json_error(405, "MethodNotAllowed", "use POST")
            document = _document(request)
            if document is None:
                return aws_json_error(400, "ValidationException", "the body must be a JSON object")
            timeout = document.get("timeout_seconds", DEFAULT_DRAIN_TIMEOUT)
            if not _number(timeout) or not 0 < timeout <= MAX_DRAIN_TIMEOUT:
                return aws_json_error(
                    400,
                    "ValidationException",
                    f"timeout_seconds must be a number in (0, {MAX_DRAIN_TIMEOUT:g}]",
                )
            drained = self.replicator.drain(float(timeout))
            return json_response(200 if drained else 504, {"drained": drained, **self.status()})
        if path == f"{PATH}/ttl-sweep":
            if request.method != "POST":
                return aws_json_error(405, "MethodNotAllowed", "use POST")
            return json_response(200, {"deleted": self.sweeper.sweep()})
        return aws_json_error(404, "NotFound", f"no such control endpoint: {request.path}")

    def _configure(self, request: AwsRequest) -> Response:
        document = _document(request)
        if document is None:
            return aws_json_error(400, "ValidationException", "the body must be a JSON object")
        unknown = set(document) - {"delay_seconds", "isolated_regions"}
        if unknown:
            return aws_json_error(
                400, "ValidationException", f"unknown keys: {', '.join(sorted(unknown))}"
            )
        delay = document.get("delay_seconds")
        if delay is not None and (not _number(delay) or not 0 <= delay <= MAX_DELAY_SECONDS):
            return aws_json_error(
                400,
                "ValidationException",
                f"delay_seconds must be a number between 0 and {MAX_DELAY_SECONDS:g}",
            )
        isolated = document.get("isolated_regions")
        if isolated is not None and (
            not isinstance(isolated, list) or not all(isinstance(r, str) and r for r in isolated)
        ):
            return aws_json_error(
                400, "ValidationException", "isolated_regions must be a list of region names"
            )
        self.replicator.configure(
            float(delay) if delay is not None else None,
            list(isolated) if isolated is not None else None,
        )
        return json_response(200, self.status())


def _document(request: AwsRequest) -> dict[str, Any] | None:
    if not request.body:
        return {}
    try:
        document = json.loads(request.body)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
