"""Identifiers: ULIDs (48-bit millisecond timestamp + 80 random bits, Crockford base32), so ids
sort by creation time and a descending Query on ``TXN#{ulid}`` is newest first.

Within one millisecond the generator is monotonic (the previous random part plus one), so ids
minted by one process in quick succession still sort in creation order.
"""

from __future__ import annotations

import os
import re
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_BITS = 80
ULID_PATTERN = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")


class _MonotonicUlid:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_millis = -1
        self._last_random = 0

    def new(self, millis: int) -> str:
        with self._lock:
            if millis <= self._last_millis and self._last_random + 1 < (1 << _RANDOM_BITS):
                millis, random_part = self._last_millis, self._last_random + 1
            else:
                random_part = int.from_bytes(os.urandom(_RANDOM_BITS // 8), "big")
            self._last_millis, self._last_random = millis, random_part
        value = (millis & ((1 << 48) - 1)) << _RANDOM_BITS | random_part
        chars = []
        for _ in range(26):
            chars.append(_CROCKFORD[value & 31])
            value >>= 5
        return "".join(reversed(chars))


_GENERATOR = _MonotonicUlid()


def new_ulid(timestamp_ms: int | None = None) -> str:
    return _GENERATOR.new(int(time.time() * 1000) if timestamp_ms is None else timestamp_ms)


def is_ulid(value: str) -> bool:
    return bool(ULID_PATTERN.fullmatch(value))


def ulid_timestamp_ms(value: str) -> int:
    """The millisecond timestamp a ULID was minted at (its first 10 characters)."""
    if not is_ulid(value):
        raise ValueError("not a ULID")
    millis = 0
    for char in value[:10]:
        millis = millis * 32 + _CROCKFORD.index(char)
    return millis
