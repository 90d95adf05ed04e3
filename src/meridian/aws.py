"""boto3 clients, created once per process with short timeouts so a sick dependency surfaces as a
fast 503 instead of a Lambda timeout."""

from __future__ import annotations

import functools
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]

from meridian.observability import tracer

CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=3,
    retries={"max_attempts": 2, "mode": "standard"},
)


@functools.cache
def _cached_client(service_name: str) -> Any:  # noqa: ANN401
    # Every AWS SDK call of a function goes through these clients: each gets its X-Ray subsegment.
    return tracer.instrument(boto3.client(service_name, config=CLIENT_CONFIG))


def client(service_name: str) -> Any:  # noqa: ANN401 - boto3 clients are dynamically typed
    """The process-wide client for ``service_name`` (endpoint and region from the environment)."""
    return _cached_client(service_name)


def reset_clients() -> None:
    """Forget the cached clients (tests swap the endpoint between cases)."""
    _cached_client.cache_clear()
