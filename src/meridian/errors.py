"""Domain errors. Each carries its HTTP status and error code; ``meridian.http`` maps them to
responses in one place, so services never build HTTP responses for failures themselves."""

from __future__ import annotations

from typing import ClassVar

from botocore.exceptions import (  # type: ignore[import-untyped]
    ClientError,
    HTTPClientError,
)
from botocore.exceptions import ConnectionError as BotocoreConnectionError

# DynamoDB / Secrets Manager answers that mean "not now", never "your request is wrong".
UNAVAILABLE_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)


class MeridianError(Exception):
    """Base of every error the API reports with the standard error body."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_ERROR"
    # Seconds for a Retry-After header (RFC 9110 section 10.2.3): set on 503s whose retry is
    # known to help after a while (write fence, replication catching up).
    retry_after_seconds: ClassVar[int | None] = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(MeridianError):
    status = 400
    code = "VALIDATION_ERROR"


class NotFoundError(MeridianError):
    status = 404
    code = "NOT_FOUND"


class ConflictError(MeridianError):
    status = 409
    code = "CONFLICT"


class IdempotencyKeyReusedError(MeridianError):
    status = 422
    code = "IDEMPOTENCY_KEY_REUSED"


class ServiceUnavailableError(MeridianError):
    status = 503
    code = "SERVICE_UNAVAILABLE"


class NotYetReplicatedError(ServiceUnavailableError):
    """Part of what an earlier request wrote has reached this replica and part has not (a global
    table replicates items one by one, not transactions): repeating the request later gives the
    answer the first one got."""

    retry_after_seconds = 1


class ErasureInProgressError(ServiceUnavailableError):
    """The erasure ran out of time before it finished; repeating the request continues it."""


class ConfigError(Exception):
    """The function's environment is missing or has a bad value: the cold start must fail."""


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or anything in its cause chain) means an AWS dependency is unreachable,
    throttled or failing on its side: the request may succeed if retried later."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ServiceUnavailableError):
            return True
        if isinstance(current, (BotocoreConnectionError, HTTPClientError)):
            return True
        if isinstance(current, ClientError):
            code = current.response.get("Error", {}).get("Code", "")
            status = current.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in UNAVAILABLE_ERROR_CODES or status in (500, 502, 503, 504):
                return True
        current = current.__cause__ or current.__context__
    return False
