"""Role sessions: one per (role, function), cached, renewed before expiry, shared by concurrent
cold starts, and every key handed out is recognised (devstack/iam/credentials.py)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from devstack.iam.credentials import RoleSession, RoleSessions

ROLE = "arn:aws:iam::123456789012:role/r"


class FakeSts:
    def __init__(self, clock: list[float], delay: float = 0.0) -> None:
        self.clock = clock
        self.delay = delay
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, role_arn: str, session_name: str, duration: int) -> RoleSession:
        time.sleep(self.delay)
        with self.lock:
            self.calls += 1
            number = self.calls
        return RoleSession(
            access_key_id=f"ASIA{number}",
            secret_access_key="s",
            session_token="t",
            expires_at=self.clock[0] + duration,
            role_arn=role_arn,
            session_arn=f"arn:aws:sts::123456789012:assumed-role/r/{session_name}",
        )


def test_cached_until_the_refresh_margin_then_renewed() -> None:
    clock = [1000.0]
    sts = FakeSts(clock)
    sessions = RoleSessions(
        sts, clock=lambda: clock[0], duration_seconds=3600, refresh_margin_seconds=300
    )
    first = sessions.for_function(ROLE, "fn")
    assert sessions.for_function(ROLE, "fn") is first
    assert sessions.for_function(ROLE, "other").access_key_id != first.access_key_id
    clock[0] += 3600 - 299
    renewed = sessions.for_function(ROLE, "fn")
    assert renewed.access_key_id != first.access_key_id
    # the old key is still known (a worker may hold it) until it has long expired
    assert sessions.session_of(first.access_key_id) == first
    assert not sessions.expired(first)
    clock[0] += 300
    assert sessions.expired(first)
    assert sessions.session_of("test") is None


def test_concurrent_cold_starts_share_one_session() -> None:
    clock = [0.0]
    sts = FakeSts(clock, delay=0.05)
    sessions = RoleSessions(sts, clock=lambda: clock[0])
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: sessions.for_function(ROLE, "fn").access_key_id, range(8)))
    assert len(keys) == 1
    assert sts.calls == 1
