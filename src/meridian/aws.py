"""boto3 clients, created once per process with short timeouts so a sick dependency surfaces as a
fast 503 instead of a Lambda timeout."""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

import boto3  # type: ignore[import-untyped]
import botocore  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]

from meridian.observability import tracer

# The User-Agent, made once at cold start. botocore's default one is rebuilt twice per API call
# (SDK, OS, language, execution environment, config and feature ids, each component sanitised
# character by character): measured in-process, a GetItem cost 0.85 ms of CPU with it and
# 0.58 ms with a fixed one (bench/findings.md), and a 512 MB function has ~0.29 of a vCPU.
# ``user_agent`` is botocore's Config option for "the value to use in the User-Agent header"
# (botocore/config.py). Kept: the SDK and its version, the language, the Lambda runtime and our
# app id; left out: the per-call feature ids (``m/...``), which only feed AWS's SDK statistics.
USER_AGENT = " ".join(
    part
    for part in (
        f"Boto3/{boto3.__version__}",
        f"md/Botocore#{botocore.__version__}",
        "ua/2.1",
        "lang/python#{}.{}.{}".format(*sys.version_info[:3]),
        f"exec-env/{os.environ['AWS_EXECUTION_ENV']}" if "AWS_EXECUTION_ENV" in os.environ else "",
        "app/meridian",
    )
    if part
)

CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=3,
    retries={"max_attempts": 2, "mode": "standard"},
    user_agent=USER_AGENT,
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
