"""The throughput bench's CPU accounting (bench/devstack_throughput.py): /proc read, per request."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench.devstack_throughput import CpuMeter, RouteResult, Run, cpu_meter_for, table

TICK = os.sysconf("SC_CLK_TCK")


def _proc(root: Path, processes: dict[int, tuple[int, float, float]]) -> Path:
    """A fake /proc: pid -> (parent pid, user seconds, system seconds)."""
    for pid, (parent, user, system) in processes.items():
        (root / str(pid)).mkdir(parents=True, exist_ok=True)
        fields = ["S", str(parent), *["0"] * 9, str(int(user * TICK)), str(int(system * TICK))]
        # Fields 3.. of proc_pid_stat(5): state, ppid, 9 more, utime, stime (in ticks). A command
        # name with a space and a parenthesis, as /proc may show one.
        (root / str(pid) / "stat").write_text(f"{pid} (py thon) x) {' '.join(fields)} 0 0\n")
    (root / "self").mkdir(exist_ok=True)
    return root


def test_the_meter_counts_the_root_and_its_descendants_only(tmp_path: Path) -> None:
    proc = _proc(
        tmp_path / "proc",
        {100: (1, 10.0, 2.0), 200: (100, 1.0, 0.0), 300: (200, 0.5, 0.5), 400: (1, 99.0, 0.0)},
    )
    meter = CpuMeter(100, proc)
    assert meter.sample() == {100: 12.0, 200: 1.0, 300: 1.0}


def test_per_request_splits_the_emulator_from_its_workers(tmp_path: Path) -> None:
    meter = CpuMeter(100, tmp_path)
    before = {100: 12.0, 200: 1.0}
    after = {100: 13.0, 200: 1.5, 300: 0.25}  # 300 started meanwhile: counted whole
    assert meter.per_request(before, after, 250) == (4.0, 3.0)
    assert meter.per_request(before, after, 0) == (0.0, 0.0)


def test_the_meter_is_found_beside_stack_json(tmp_path: Path) -> None:
    stack_json = tmp_path / "stack.json"
    assert cpu_meter_for(stack_json) is None  # no server.json
    (tmp_path / "server.json").write_text(json.dumps({"pid": os.getpid()}))
    meter = cpu_meter_for(stack_json)
    assert meter is not None
    assert meter.root_pid == os.getpid()


def test_the_cpu_table_lists_only_runs_that_measured_it() -> None:
    measured = Run(label="after", started_at="2026-12-02 12:00 UTC", load_average=1.0, cpus=2)
    measured.results.append(
        RouteResult("GET /v1/health", 8, 20.0, 100, {}, 5.0, 20.0, 30.0, 40.0, 50.0, 2.5, 3.25)
    )
    measured.results.append(
        RouteResult("GET /v1/x", 8, 20.0, 100, {}, 5.0, 20.0, 30.0, 40.0, 50.0, 2.5, 3.25, 0.4)
    )
    old = Run(label="old", started_at="2026-12-01 12:00 UTC", load_average=1.0, cpus=2)
    old.results.append(RouteResult("GET /v1/health", 8, 20.0, 100, {}, 5.0, 20.0, 30.0, 40.0, 50.0))
    rendered = table([old, measured])
    assert "| after | `GET /v1/health` | 2.5 | 3.25 | 5.75 | - |" in rendered
    assert "| after | `GET /v1/x` | 2.5 | 3.25 | 5.75 | 0.4 |" in rendered
    assert "| old | `GET /v1/health` | -" not in rendered
    assert "CPU ms/request" not in table([old])
