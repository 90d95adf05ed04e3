"""API keys and usage plans, as API Gateway enforces them on methods with apiKeyRequired.

The request's key comes from the ``X-API-Key`` header (key source HEADER) or from the Lambda
authorizer's ``usageIdentifierKey`` (key source AUTHORIZER). It must be an enabled key of a usage
plan bound to the stage, else 403 INVALID_API_KEY ("Forbidden": API Gateway's
InvalidKeyParameter, https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html).
Then the plan's per-key throttle (429 THROTTLED) and quota (429 QUOTA_EXCEEDED, "Limit Exceeded")
apply (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html).

Approximations: quota periods start at 00:00 UTC of the day, Monday of the ISO week or the first
of the month (the plan's ``offset`` is ignored); counts live in memory, per devstack run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from devstack.runtime.contracts import UsagePlanKey
from devstack.runtime.gateway_responses import GatewayError
from devstack.runtime.throttling import Throttler


def _period_id(period: str, epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    if period == "WEEK":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "MONTH":
        return moment.strftime("%Y-%m")
    return moment.strftime("%Y-%m-%d")  # DAY


class UsagePlans:
    """Checks the request's API key and counts it against its plan's throttle and quota."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._wall_clock = wall_clock
        self._throttler = Throttler(clock)
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, ...], int] = {}

    def admit(
        self, stage_scope: tuple[str, ...], keys: list[UsagePlanKey], api_key: str | None
    ) -> UsagePlanKey:
        """The key's plan binding when the request may proceed, else GatewayError."""
        binding = next(
            (key for key in keys if api_key and key.value == api_key and key.enabled), None
        )
        if binding is None:
            raise GatewayError("INVALID_API_KEY", "Forbidden")
        scope = (*stage_scope, binding.plan_id, binding.value)
        if binding.throttle_rate_limit is not None:
            burst = binding.throttle_burst_limit
            limits = (binding.throttle_rate_limit, burst if burst is not None else 1)
            if not self._throttler.allow(scope, limits):
                raise GatewayError("THROTTLED", "Too Many Requests")
        if binding.quota_limit is not None:
            period = _period_id(binding.quota_period or "DAY", self._wall_clock())
            counter = (*scope, period)
            with self._lock:
                used = self._counts.get(counter, 0)
                if used >= binding.quota_limit:
                    raise GatewayError("QUOTA_EXCEEDED", "Limit Exceeded")
                self._counts[counter] = used + 1
        return binding
