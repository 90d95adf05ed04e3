"""DynamoDB: UpdateTimeToLive may change a table's TTL once per window.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html: "It can
take up to one hour for the change to fully process. Any additional UpdateTimeToLive calls for
the same table during this one hour duration result in a ValidationException." AWS's message is
"Time to live has been modified multiple times within a fixed interval" (quoted by the AWS
provider's own acceptance tests, which split TTL tests for this reason: hashicorp/
terraform-provider-aws, internal/service/dynamodb/table_replica_test.go). moto 5.2.1 accepts any
number of changes. So a configuration that flips TTL twice in one apply (or a test that does)
fails here as it would on AWS. The change is recorded when the request passes this check (a call
moto then refuses, e.g. for a missing table, still starts the window).

Approximated: the window is AWS's documented hour from the last change *this* emulator let
through (AWS has been observed to lift it earlier); a deleted table starts afresh.
"""

from __future__ import annotations

import threading
import time

from devstack.wsgi import AwsRequest, Response, aws_json_error

TTL_WINDOW_SECONDS = 3600.0
MODIFIED_TOO_OFTEN = "Time to live has been modified multiple times within a fixed interval"


class TtlChangeWindow:
    """When each table's TTL last changed, per Region (the table name is per Region)."""

    def __init__(self) -> None:
        self._changed: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def check(self, request: AwsRequest) -> Response | None:
        """AWS's refusal of a second TTL change inside the window, or None."""
        operation = request.target
        if operation not in ("UpdateTimeToLive", "DeleteTable"):
            return None
        key = (request.region or "", str(request.json().get("TableName", "")))
        now = time.monotonic()
        with self._lock:
            if operation == "DeleteTable":
                self._changed.pop(key, None)
                return None
            last = self._changed.get(key)
            if last is not None and now - last < TTL_WINDOW_SECONDS:
                return aws_json_error(400, "ValidationException", MODIFIED_TOO_OFTEN)
            self._changed[key] = now
        return None
