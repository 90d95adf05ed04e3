"""Wall-clock helpers (RFC 3339 UTC timestamps and epoch seconds)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_seconds() -> int:
    return int(time.time())
