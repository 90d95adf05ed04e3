"""Fault injection: make one service in one region answer every request with 503.

Control endpoint (served by ``devstack.server``):

* ``PUT /_devstack/faults`` with ``{"service": "dynamodb", "region": "us-east-1"}`` adds a fault;
  ``service`` is the request's signing name (``dynamodb``, ``secretsmanager``, ``kms``, ...).
* ``DELETE /_devstack/faults`` clears every fault.
* ``GET /_devstack/faults`` lists them: ``{"faults": [{"service", "region"}, ...]}``.

A faulted request gets HTTP 503, ``x-amzn-ErrorType: ServiceUnavailable`` and the JSON body
``{"__type": "ServiceUnavailable", "message": "injected by devstack"}`` (query-protocol requests,
such as SNS's, get the same error as AWS's XML ``ErrorResponse``). Only requests arriving
over HTTP are affected: the fillers' own work on moto's backends (e.g. write replication) and
the runtimes' in-process lookups are not.
"""

from __future__ import annotations

import threading

from devstack.wsgi import AwsRequest, Response, aws_json_error, json_response

FAULT_MESSAGE = "injected by devstack"


class FaultRegistry:
    def __init__(self) -> None:
        self._faults: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def add(self, service: str, region: str) -> None:
        with self._lock:
            self._faults.add((service, region))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def listing(self) -> list[dict[str, str]]:
        with self._lock:
            return [{"service": s, "region": r} for s, r in sorted(self._faults)]

    def response_for(self, request: AwsRequest) -> Response | None:
        """The injected 503 when the request's service and region are faulted, else None."""
        if request.service is None or request.region is None:
            return None
        with self._lock:
            faulted = (request.service, request.region) in self._faults
        if not faulted:
            return None
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            # Query-protocol services (SNS, CloudWatch, STS, ...) answer errors in XML; a JSON
            # body would make the SDK fail to parse instead of seeing ServiceUnavailable
            # (https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html).
            return Response(
                503,
                [("Content-Type", "text/xml")],
                (
                    "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>"
                    f"<Message>{FAULT_MESSAGE}</Message></Error>"
                    "<RequestId>devstack-fault</RequestId></ErrorResponse>"
                ).encode(),
            )
        return aws_json_error(503, "ServiceUnavailable", FAULT_MESSAGE)

    def control(self, request: AwsRequest) -> Response:
        """Serve ``/_devstack/faults``."""
        if request.method == "GET":
            return json_response(200, {"faults": self.listing()})
        if request.method == "DELETE":
            self.clear()
            return json_response(200, {"faults": []})
        if request.method == "PUT":
            document = request.json()
            service = document.get("service")
            region = document.get("region")
            if (
                not isinstance(service, str)
                or not service
                or not isinstance(region, str)
                or not region
            ):
                return json_response(
                    400, {"error": "expected a JSON object with string fields service and region"}
                )
            self.add(service.lower(), region)
            return json_response(200, {"faults": self.listing()})
        return json_response(405, {"error": f"{request.method} is not supported here"})
