"""The Locust users' pacing follows the fleet's rate, so the sweep can run at its own rate.

Importing Locust monkey-patches the standard library (gevent), so the check runs in a child
process and this test process stays as it is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    from types import SimpleNamespace
    from unittest import mock

    from load import locustfile

    fleet = SimpleNamespace(per_user_rate=2.0)
    # What User.__init__ sets for constant_pacing when a user starts (locust/user/users.py).
    user = SimpleNamespace(fleet=fleet, _rate=2.0, _cp_last_run=100.0, _cp_last_wait_time=0.0)
    user._pacer = locustfile.constant_throughput(2.0)
    clock = [100.0]
    with mock.patch("locust.user.wait_time.perf_counter", lambda: clock[0]):
        waits = [locustfile._Client.wait_time(user)]  # first call: the whole period
        fleet.per_user_rate = 8.0  # the sweep starts
        clock[0] += 0.5 + 0.05  # the wait, then a 50 ms task
        waits.append(locustfile._Client.wait_time(user))
    print(" ".join(f"{w:.3f}" for w in waits))
    """
)


def test_a_rate_change_reaches_users_already_running() -> None:
    result = subprocess.run(  # noqa: S603 - our interpreter running a fixed snippet
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(str(ROOT / d) for d in ("tests/e2e", "src", ".")),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    first, second = (float(w) for w in result.stdout.split())
    assert first == 0.5  # 2 tasks/s
    # 8 tasks/s: a 125 ms period, 50 ms of it spent in the task.
    assert abs(second - 0.075) < 1e-9
