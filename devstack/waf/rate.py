"""The rate-based rule's counter: requests per aggregation key (the client IP) over a window.

AWS: the rule counts the requests of each aggregation instance over the evaluation window
(60, 120, 300 or 600 s, looking back from now) and applies its action to further requests while
the count is over the limit (lowest limit 10); it stops as soon as the count over the window falls
back under the limit, so a client that pauses for one window recovers.
https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html
https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-aggregation-instances.html

Approximation: the devstack counts an exact sliding window and decides on every request. AWS
checks the rate "frequently" (the API reference says about every 10 s) and "does not guarantee an
exact limit match", so on AWS a burst may get a few requests more through before the block, and
the block may last a few seconds longer. Tests must only rely on "blocked once clearly over the
limit" and "allowed again after a quiet window".
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable


class RateCounter:
    """Sliding-window request counts, one window per key; ``clock`` is injectable for tests."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._hits: dict[tuple[str, ...], deque[float]] = {}
        self._lock = threading.Lock()

    def count(self, key: tuple[str, ...], window_seconds: int) -> int:
        """Record one request for ``key`` and return how many fell in the last window (it too)."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            hits.append(now)
            horizon = now - window_seconds
            while hits and hits[0] <= horizon:
                hits.popleft()
            return len(hits)
