"""The devstack's fault injection: make one AWS service of one region answer 503."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests

from .target import Target


@contextmanager
def service_down(target: Target, service: str, region: str) -> Iterator[None]:
    """While inside, ``service`` in ``region`` answers 503 (devstack only); always cleared."""
    if not target.aws_endpoint_url:
        raise RuntimeError("fault injection exists only on the devstack")
    url = f"{target.aws_endpoint_url.rstrip('/')}/_devstack/faults"
    fault = {"service": service, "region": region}
    response = requests.put(url, json=fault, timeout=10)
    response.raise_for_status()
    try:
        yield
    finally:
        requests.delete(url, json=fault, timeout=10).raise_for_status()
