"""The report's arithmetic, its rendering, the throughput block it must keep, and the verdicts on
answers (no stack needed; fake numbers)."""

from __future__ import annotations

from collections import Counter

import pytest

from load.aws import reconcile_with_polling
from load.reconcile import Reconciliation
from load.report import (
    THROUGHPUT_BEGIN,
    THROUGHPUT_END,
    HopRow,
    Phase,
    RouteRow,
    RunReport,
    merge_preserving_throughput,
    render,
    saturation_point,
    sweep_until_saturated,
)


def phase(users: int, requests: int, seconds: float = 10.0, tasks: int | None = None) -> Phase:
    return Phase(
        users=users,
        seconds=seconds,
        tasks_per_user_per_second=2.0,
        tasks=requests if tasks is None else tasks,
        routes=[
            RouteRow("GET /profiles/me", requests // 2, 0, 20, 40, 80, 90),
            RouteRow("POST /transactions", requests - requests // 2, 1, 50, 90, 150, 200),
        ],
        total_p50_ms=30,
        total_p99_ms=140,
    )


def run_report(**overrides: object) -> RunReport:
    values: dict[str, object] = {
        "run_id": "r1",
        "command": "python -m load.run --users 4",
        "target": "devstack",
        "via": "edge",
        "machine": "Linux x86_64, 2 CPUs",
        "started_at": "2026-12-02T03:00:00Z",
        "main": phase(4, 80),
        "sweep": [phase(2, 40), phase(4, 80), phase(8, 100)],
        "reconciliation": Reconciliation(
            acknowledged_transactions=10, attempted_keys=11, profiles_checked=3, regions=["a", "b"]
        ),
        "violations": [],
        "statuses": Counter({("GET /profiles/me", 200): 40, ("POST /transactions", 429): 1}),
        "hops": None,
        "hops_note": "no timings here",
    }
    values.update(overrides)
    return RunReport(**values)  # type: ignore[arg-type]


def test_offered_and_achieved_rates() -> None:
    # 4 users x 2 tasks/s, 1.25 requests per task (retries): 10 req/s offered.
    measured = phase(4, 100, seconds=10.0, tasks=80)
    assert measured.offered_rps == pytest.approx(10.0)
    assert measured.achieved_rps == pytest.approx(10.0)
    row = measured.routes[0]
    assert measured.route_offered_rps(row) == pytest.approx(5.0)
    assert measured.route_achieved_rps(row) == pytest.approx(5.0)


def test_saturation_is_the_first_step_below_ninety_percent() -> None:
    steps = [phase(2, 40), phase(4, 80), phase(8, 100), phase(16, 100)]
    # 8 users offer 16 req/s and get 10: the knee.
    point = saturation_point(steps)
    assert point is not None
    assert point.users == 8
    assert saturation_point(steps[:2]) is None


def test_the_sweep_stops_at_the_first_saturated_step() -> None:
    # 2, 4 and 8 users get what they offer (4, 8, 16 req/s); 16 users offer 32 and get 20.
    answered = {2: 40, 4: 80, 8: 160, 16: 200, 32: 200}
    ran: list[int] = []

    def step(users: int) -> Phase:
        ran.append(users)
        return phase(users, answered[users])

    phases = sweep_until_saturated([2, 4, 8, 16, 32], step)
    assert ran == [2, 4, 8, 16]
    assert [p.users for p in phases] == [2, 4, 8, 16]
    point = saturation_point(phases)
    assert point is not None
    assert point.users == 16


def test_a_sweep_that_never_saturates_runs_every_step() -> None:
    phases = sweep_until_saturated([2, 4], lambda users: phase(users, users * 20))
    assert [p.users for p in phases] == [2, 4]
    assert saturation_point(phases) is None


def test_render_pass_and_fail() -> None:
    text = render(run_report())
    assert "**Result: PASS**" in text
    assert "| `POST /transactions` | 429 | 1 |" in text
    assert "Not available: no timings here" in text
    failed = render(
        run_report(
            violations=[("POST /transactions", 500, "INTERNAL_ERROR")],
            reconciliation=Reconciliation(failures=[("profile_update_lost", "a user:x")]),
        )
    )
    assert "**Result: FAIL**" in failed
    assert "-> 500 INTERNAL_ERROR" in failed
    assert "profile_update_lost: a user:x" in failed


def test_render_hops_marks_the_authorizer_cache() -> None:
    hops = [
        HopRow(
            "GET /transactions (authorizer uncached)",
            200,
            41.0,
            {
                "edge_ms": 2,
                "waf_ms": 1,
                "gateway_ms": 3,
                "authorizer_ms": 12,
                "authorizer_cached": False,
                "function_ms": 20,
                "dynamodb_ms": 6,
                "dynamodb_calls": 1,
            },
        ),
        HopRow("GET /health (no auth)", 200, 9.0, {"edge_ms": 1, "authorizer_ms": None}),
    ]
    text = render(run_report(hops=hops, hops_note=""))
    assert (
        "| GET /transactions (authorizer uncached) | 200 | 41 | 2 | 1 | 3 | 12 (uncached) "
        "| 20 | 6 (1) |" in text
    )
    assert "| GET /health (no auth) | 200 | 9 | 1 | - | - | - | - | - |" in text


def test_throughput_block_is_kept_verbatim() -> None:
    block = f"{THROUGHPUT_BEGIN}\nbefore 5/s, after 25/s\n  exact   spacing\n{THROUGHPUT_END}"
    old = f"# old\n\nstuff\n\n{block}\n\ntrailer\n"
    merged = merge_preserving_throughput(render(run_report()), old)
    assert block in merged
    assert merged.count(THROUGHPUT_BEGIN) == 1
    # Regenerating again keeps it once, unchanged.
    again = merge_preserving_throughput(render(run_report()), merged)
    assert again.count(THROUGHPUT_BEGIN) == 1
    assert block in again


def test_throughput_placeholder_when_there_is_no_old_file() -> None:
    merged = merge_preserving_throughput(render(run_report()), None)
    assert merged.count(THROUGHPUT_BEGIN) == 1
    assert merged.count(THROUGHPUT_END) == 1


def test_polling_stops_at_success_and_at_the_deadline() -> None:
    now = [0.0]
    results = [
        Reconciliation(failures=[("acknowledged_transaction_missing", "x")]),
        Reconciliation(),
    ]

    def attempt() -> Reconciliation:
        return results.pop(0)

    def sleep(seconds: float) -> None:
        now[0] += seconds

    result, attempts = reconcile_with_polling(
        attempt, timeout_seconds=30, interval_seconds=5, clock=lambda: now[0], sleep=sleep
    )
    assert result.ok
    assert attempts == 2

    def never() -> Reconciliation:
        return Reconciliation(failures=[("acknowledged_transaction_missing", "x")])

    result, attempts = reconcile_with_polling(
        never, timeout_seconds=12, interval_seconds=5, clock=lambda: now[0], sleep=sleep
    )
    assert not result.ok
    assert attempts == 4  # t = 0, 5, 10, 15 (past the deadline: reported, not retried)
