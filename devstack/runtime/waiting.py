"""Waiting for a call at most so long, as API Gateway waits for its integration.

On AWS a Lambda function that outlives API Gateway's integration timeout keeps running after the
client got its 504 (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html,
"Maximum integration timeout"). ``call_with_timeout`` models that: the call runs in a pooled
thread, and the caller stops waiting for it at the timeout while it runs on.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
from collections.abc import Callable

# Sized far above what the Lambda runtime can run at once, so a call never waits for a thread.
_CALLS = concurrent.futures.ThreadPoolExecutor(max_workers=256, thread_name_prefix="integration")


def call_with_timeout[T](function: Callable[[], T], timeout_seconds: float) -> T | None:
    """``function()``'s result (or its exception, raised here), or None when it has not ended
    within ``timeout_seconds``; it then keeps running in its pooled thread."""
    # The request's context (its devstack.timings record) goes with the call. Pooled threads:
    # starting a thread per request cost the emulator more than the wait itself.
    future = _CALLS.submit(contextvars.copy_context().run, function)
    try:
        return future.result(timeout=timeout_seconds)
    except concurrent.futures.TimeoutError:
        return None
