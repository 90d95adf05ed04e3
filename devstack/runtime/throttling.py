"""Stage and method throttling: one token bucket per stage method, as API Gateway applies it.

The stage default (``*/*``) applies to every method separately; ``{resource_path}/{METHOD}``
settings override it for one method. Without any limit, requests are not throttled (the account
limit is not modelled).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from devstack.runtime.contracts import StageConfig


@dataclass
class _Bucket:
    rate: float
    burst: int
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def method_limits(stage: StageConfig, resource_path: str, method: str) -> tuple[float, int] | None:
    """(rate per second, burst) for the method, or None when it is not throttled."""
    wanted = f"{resource_path.strip('/')}/{method.upper()}"
    for key, limits in stage.method_throttling.items():
        # Keys may keep the "~1" escaping of UpdateStage patch paths ("~1items~1{id}/GET").
        if key.replace("~1", "/").strip("/") == wanted:
            return limits
    if "*/*" in stage.method_throttling:
        return stage.method_throttling["*/*"]
    rate = stage.throttling_rate_limit
    if rate is None:
        return None
    burst = stage.throttling_burst_limit
    return float(rate), int(burst) if burst is not None else max(1, math.ceil(rate))


class Throttler:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, ...], _Bucket] = {}

    def allow(self, scope: tuple[str, ...], limits: tuple[float, int] | None) -> bool:
        if limits is None:
            return True
        rate, burst = limits
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(scope)
            if bucket is None or (bucket.rate, bucket.burst) != (rate, burst):
                # A changed setting starts a full bucket, like a fresh deployment.
                bucket = _Bucket(rate, burst, float(burst), now)
                self._buckets[scope] = bucket
            return bucket.take(now)
