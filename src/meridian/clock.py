"""Wall-clock helpers (RFC 3339 UTC timestamps and epoch seconds)."""

from __future__ import annotations

import time
from datetime import datetime, timezone

# timezone.utc, not datetime.UTC (3.11+): the functions must import on every runtime
# lambda_runtime accepts, python3.10 included (tests/unit/test_build.py builds and imports them).
UTC = timezone.utc


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_seconds() -> int:
    return int(time.time())
