"""Bounded polling for what replicates asynchronously (DynamoDB global tables, MREC).

A write acknowledged in one region reaches the other replica asynchronously, "typically within a
second" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html);
the devstack replicates with a delay too (``DEVSTACK_REPLICATION_DELAY_SECONDS``, default 1 s). A
test reading another region right after a write must therefore poll, within a bound, instead of
assuming the read sees the write.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

# Generous against AWS (replication is usually sub-second, but not guaranteed); override with
# E2E_REPLICATION_SECONDS.
DEFAULT_WITHIN_SECONDS = float(os.environ.get("E2E_REPLICATION_SECONDS", "15"))


class NotYetError(AssertionError):
    """``eventually`` gave up: the last value never satisfied the condition."""


def eventually[T](
    action: Callable[[], T],
    accept: Callable[[T], bool],
    *,
    within_seconds: float = DEFAULT_WITHIN_SECONDS,
    interval: float = 0.2,
    describe: Callable[[T], str] = repr,
) -> T:
    """Call ``action`` until ``accept`` holds for its result and return that result.

    Raises :class:`NotYetError` (an AssertionError, with the last value described) after
    ``within_seconds``. The bound is a give-up limit, not an assertion about speed.
    """
    deadline = time.monotonic() + within_seconds
    attempts = 0
    while True:
        value = action()
        attempts += 1
        if accept(value):
            return value
        if time.monotonic() >= deadline:
            raise NotYetError(
                f"not true within {within_seconds:g}s ({attempts} attempts); "
                f"last value: {describe(value)}"
            )
        time.sleep(interval)
