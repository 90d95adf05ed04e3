"""`python -m bench --quick` end to end: the bench runs and its report has every section.

Only structure and correctness are asserted (responses as expected, calls counted, sizes read),
never a timing: the budgets are `make bench`'s job on a quiet machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import measures, scenarios
from bench import report as report_module
from bench.__main__ import main as bench_main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench")
    capacity = out / "capacity.md"
    capacity.write_text("# Capacity\n", encoding="utf-8")
    completed = subprocess.run(  # noqa: S603 - our interpreter running our module
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--output",
            str(out / "benchmarks.md"),
            "--json",
            str(out / "results.json"),
            "--capacity",
            str(capacity),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    # --quick never edits docs/capacity.md
    assert capacity.read_text(encoding="utf-8") == "# Capacity\n"
    report = (out / "benchmarks.md").read_text(encoding="utf-8")
    return report, json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_report_has_machine_date_and_every_section(quick_run: tuple[str, Any]) -> None:
    report, results = quick_run
    for heading in (
        "# Benchmarks",
        "## Budgets",
        "## 1. Cold start",
        "## 2. Warm overhead",
        "## 3. Packages",
        "## 4. DynamoDB calls per request",
        "## 5. Devstack",
        "## Method",
    ):
        assert heading in report
    assert "QUICK SMOKE RUN" in report
    machine = results["machine"]
    assert machine["python"]
    assert machine["arch"]
    assert machine["date"] in report


def test_every_present_function_is_measured(quick_run: tuple[str, Any]) -> None:
    report, results = quick_run
    functions = measures.available_functions()
    assert {"profiles", "transactions", "health"} <= set(functions)
    for function in functions:
        cold = results["cold_start"][function]
        assert cold["total_ms"] > 0
        assert 0 < cold["init_cpu_ms"] < cold["cpu_ms"]
        assert cold["init_cpu_ratio"] > 0
        assert cold["cpu_ratio"] > 0
        # Measured as deployed: the code came from the extracted zip, not from src/, and the
        # runtime's boto3 from the environment.
        origins = cold["origins"]
        assert "/meridian-deployed-" in origins["meridian"], origins
        # Every bundled library too, no Powertools (idempotency is the repository's guard) and no
        # tracer SDK at all (meridian.observability).
        for library in set(origins) - {"meridian", "boto3"}:
            assert "/meridian-deployed-" in origins[library], origins
        assert "aws_lambda_powertools" not in origins, origins
        assert not {"aws_xray_sdk", "wrapt"} & set(origins), origins
        assert "/meridian-deployed-" not in origins["boto3"], origins
        assert cold["top_imports"], "the -X importtime diagnosis found no imports"
        assert f"| {function} | {cold['route']} |" in report
        routes = {route["route"] for route in results["warm"][function]["routes"]}
        assert routes == {route.name for route in scenarios.routes_of(function)}
    baseline = results["cold_start"]["baseline"]
    # The baseline's first call (one GetItem) is part of its informational total.
    assert 0 < baseline["init_cpu_ms"] < baseline["cpu_ms"]
    references = [reference["name"] for reference in results["cold_start"]["reference"]]
    assert references == [measures.TRACING_OFF, measures.FLOOR]
    for name in references:
        assert f"- {name}: " in report


def test_every_timed_response_was_the_expected_one(quick_run: tuple[str, Any]) -> None:
    _, results = quick_run
    for data in results["warm"].values():
        for route in data["routes"]:
            assert route["failures"] == 0, route["route"]
            assert route["iterations"] == 20
            for figure in ("own", "own_cpu", "with_client", "bare", "bare_cpu"):
                assert 0 < route[figure]["p50_us"] <= route[figure]["p99_us"]


def test_dynamodb_calls_are_counted_per_route(quick_run: tuple[str, Any]) -> None:
    _, results = quick_run
    calls = {
        route["route"]: [op for _, op in route["calls"]]
        for data in results["warm"].values()
        for route in data["routes"]
    }
    assert calls["GET /health"] == ["GetItem"]
    assert calls["GET /profiles/me"] == ["GetItem"]
    assert calls["GET /transactions"] == ["Query"]
    assert calls["POST /transactions"] == ["TransactWriteItems"]
    scans = [
        op for data in results["warm"].values() for op in data["all_operations"] if "Scan" in op
    ]
    assert scans == []


def test_framework_floor_is_measured(quick_run: tuple[str, Any]) -> None:
    report, results = quick_run
    floor = results["warm"]["health"]["floor"]
    assert floor[0]["variant"] == "bare handler"
    assert len(floor) == 5
    assert all(row.get("failures", 0) == 0 for row in floor)
    assert "### The framework's floor" in report


def test_render_only_rewrites_the_report_from_the_json(
    quick_run: tuple[str, Any], tmp_path: Path
) -> None:
    report, results = quick_run
    source = tmp_path / "results.json"
    source.write_text(json.dumps(results), encoding="utf-8")
    output = tmp_path / "again.md"
    assert bench_main(["--render-only", "--json", str(source), "--output", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == report


def test_packages_and_verdicts(quick_run: tuple[str, Any]) -> None:
    report, results = quick_run
    # Every zip the build wrote: the functions with a scenario and any newer one (the publisher).
    built = {path.stem for path in (scenarios.ROOT / "build" / "lambda").glob("*.zip")}
    assert set(results["packages"]) == built
    assert set(scenarios.FUNCTIONS) <= set(results["packages"])
    for package in results["packages"].values():
        assert 0 < package["zipped_bytes"] <= package["unzipped_bytes"]
        assert "meridian" in package["top_level"]
    measures_seen = {verdict["measure"] for verdict in results["verdicts"]}
    assert {"cold start", "DynamoDB calls", "package"} <= measures_seen
    # Issue 15 retired the warm budgets: the figures are in the warm table only.
    assert not {"warm p99 vs bare (CPU)", "warm p99 (CPU)"} & measures_seen
    cold = [verdict for verdict in results["verdicts"] if verdict["measure"] == "cold start"]
    assert {verdict["subject"] for verdict in cold} >= set(measures.available_functions())
    # Both figures are judged for every function.
    for function in {verdict["subject"] for verdict in cold}:
        assert sorted(v["budget"] for v in cold if v["subject"] == function) == sorted(
            [report_module.COLD_START_BUDGET, report_module.FIRST_REQUEST_BUDGET]
        )
    # DELETE /profiles/me is judged as the erasure docs/data-model.md designs, and passes.
    erasure = next(
        verdict
        for verdict in results["verdicts"]
        if verdict["measure"] == "DynamoDB calls"
        and "DELETE /profiles/me" in verdict["subject"]
        and "sessions" not in verdict["subject"]
    )
    assert erasure["budget"] == report_module.ERASURE_BUDGET
    assert erasure["ok"], erasure
    assert report.count("| package |") == len(results["packages"])
