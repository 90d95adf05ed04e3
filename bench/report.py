"""Budgets of issues 7 and 15 and the Markdown report (``docs/benchmarks.md``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Issue 15: "the import-and-init time per function" within 1.15x of the bare
# `import boto3; boto3.client("dynamodb")`, judged on CPU time (the wall clock of a machine shared
# with other jobs measures the neighbours), the fastest of the interleaved runs on each side.
# The REST functions create their DynamoDB client on the first request, so import + init alone
# compares our init without a client to a baseline with one: init + first request, against the
# baseline plus its own first call (what a user feels), is judged too, with the same ratio, so
# work moved out of init into the first request gains nothing (the lead's decision, issue 15).
COLD_START_RATIO = 1.15
COLD_START_BUDGET = f"import + init ≤ {COLD_START_RATIO}x baseline (CPU)"
FIRST_REQUEST_BUDGET = f"init + first request ≤ {COLD_START_RATIO}x baseline + its first call (CPU)"
# Issue 15 retired the warm budgets ("<= 5x a bare handler", and with it the p99 <= 500 µs that
# only restated it for this machine): the figures stay in the warm table, no verdict judges them.
# The erasure (DELETE /profiles/me) is budgeted as docs/data-model.md designs it: the mark, the
# sessions' Query and BatchWriteItem deletes, the scrub's Query pages with one UpdateItem per
# scrubbed item, and the profile's BatchWriteItem last (DynamoDB has no delete-by-prefix).
ERASURE_CALLS = re.compile(
    r"^UpdateItem Query( BatchWriteItem)*( Query( UpdateItem)*)+ BatchWriteItem$"
)
ERASURE_BUDGET = "mark + sessions + scrub pages + profile (docs/data-model.md)"
ZIP_BYTES = 5_000_000
MB = 1024 * 1024
# Hand-written analysis (what was tried, the floors), appended to the generated report.
FINDINGS = Path(__file__).resolve().parent / "findings.md"


@dataclass(frozen=True)
class Verdict:
    measure: str
    subject: str
    budget: str
    value: str
    ok: bool


def _ms(value: float) -> str:
    return f"{value:.1f} ms"


def _us(value: float) -> str:
    return f"{value:.0f} µs"


def expected_calls(route: dict[str, Any]) -> tuple[bool, str]:
    """One call per read route; one write per write route (the idempotency guard is in it)."""
    calls = route["calls"]
    app_calls = [op for service, op in calls if service == "dynamodb"]
    writes = [op for op in app_calls if op not in {"GetItem", "Query", "BatchGetItem"}]
    if any(op == "Scan" for _, op in calls):
        return False, "no Scan"
    if route["kind"] == "auth":
        return not app_calls, "0 DynamoDB calls"
    if route["kind"] == "erasure":
        return bool(ERASURE_CALLS.match(" ".join(app_calls))) and len(app_calls) == len(
            calls
        ), ERASURE_BUDGET
    if route["kind"] == "read":
        return len(app_calls) == 1, "1 call"
    return len(writes) == 1 and len(app_calls) == 1, "1 write"


def verdicts(results: dict[str, Any]) -> list[Verdict]:
    found = [
        Verdict("every measure", function, "handler present", "not on this checkout", False)
        for function in results.get("missing_functions", [])
    ]
    cold = results.get("cold_start", {})
    for function, row in cold.items():
        if function in {"baseline", "runs", "reference"}:
            continue
        for budget, ratio, cpu_ms in (
            (COLD_START_BUDGET, row["init_cpu_ratio"], row["init_cpu_ms"]),
            (FIRST_REQUEST_BUDGET, row["cpu_ratio"], row["cpu_ms"]),
        ):
            found.append(
                Verdict(
                    "cold start",
                    function,
                    budget,
                    f"{ratio:.2f}x ({_ms(cpu_ms)} CPU)",
                    ratio <= COLD_START_RATIO,
                )
            )
    for function, data in results.get("warm", {}).items():
        for route in data["routes"]:
            subject = f"{function}: {route['route']}"
            ok, budget = expected_calls(route)
            ops = " + ".join(op for _, op in route["calls"]) or "none"
            found.append(Verdict("DynamoDB calls", subject, budget, ops, ok))
            found.append(
                Verdict(
                    "responses",
                    subject,
                    "every timed response as expected",
                    f"{route['failures']} unexpected",
                    route["failures"] == 0,
                )
            )
        scans = [op for op in data.get("all_operations", []) if op.endswith(":Scan")]
        found.append(Verdict("no Scan", function, "no Scan", ", ".join(scans) or "none", not scans))
    for function, package in results.get("packages", {}).items():
        found.append(
            Verdict(
                "package",
                function,
                "≤ 5 MB zipped",
                f"{package['zipped_bytes'] / MB:.2f} MB",
                package["zipped_bytes"] <= ZIP_BYTES,
            )
        )
    return found


def _machine_lines(machine: dict[str, str]) -> list[str]:
    return [
        f"- Date: {machine['date']}, commit `{machine['commit']}`",
        f"- Machine: `{machine['arch']}`, {machine['cpu']}, {machine['cores']} cores "
        f"(1-minute load average {machine.get('load', 'not recorded')} when the run started), "
        f"{machine['os']}",
        f"- Python {machine['python']} (Lambda runs 3.13 on arm64: absolute figures differ there; "
        "the ratios against a baseline measured in the same run are what carries over)",
    ]


def render(results: dict[str, Any]) -> str:
    settings = results["settings"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/`); do not edit by hand. Every ratio is against a "
        "baseline measured in the same run on the same machine.",
        "",
        *_machine_lines(results["machine"]),
        f"- Settings: {settings['cold_runs']} cold starts per function (CPU: the fastest; "
        "wall: the median), "
        f"{settings['warm_iterations']:,} warm invocations per route"
        + (" — QUICK SMOKE RUN, not a measurement" if settings["quick"] else ""),
        "",
        "## Budgets",
        "",
        "| measure | subject | budget | measured | |",
        "|---|---|---|---|---|",
    ]
    for verdict in results["verdicts"]:
        mark = "✅" if verdict["ok"] else "❌ over budget"
        lines.append(
            f"| {verdict['measure']} | {verdict['subject']} | {verdict['budget']} "
            f"| {verdict['value']} | {mark} |"
        )
    lines += _cold_start_section(results.get("cold_start", {}))
    lines += _warm_section(results.get("warm", {}))
    lines += _package_section(results.get("packages", {}))
    lines += _calls_section(results.get("warm", {}))
    lines += _devstack_section(results.get("devstack", {}), results.get("warm", {}))
    lines += _method_section()
    if FINDINGS.is_file():
        lines += ["", FINDINGS.read_text(encoding="utf-8").rstrip("\n")]
    return "\n".join(lines) + "\n"


def _cold_start_section(cold: dict[str, Any]) -> list[str]:
    if not cold:
        return []
    baseline = cold["baseline"]
    runs = cold.get("runs", "?")
    lines = [
        "",
        "## 1. Cold start",
        "",
        "Each function runs from its zip **as deployed**: `build/lambda/<function>.zip` extracted, "
        "read-only, `PYTHONDONTWRITEBYTECODE=1`, no warm-up run (on Lambda `/var/task` is "
        "read-only: a module the zip ships without bytecode is compiled again at every cold "
        "start); boto3 (the runtime's, never in a zip) is given its bytecode before the runs, "
        "as the managed runtime is assumed to ship it. Each run is a fresh interpreter; "
        "functions and baseline are interleaved, "
        f"{runs} runs each. **Import + init** = `import boto3` + the handler module's import "
        "(configuration, service, router, meridian.observability's logger/metrics/tracer); "
        "the function's "
        "boto3 client is created by its first request. Baseline: "
        '`import boto3; boto3.client("dynamodb")` = '
        f"**{_ms(baseline['init_cpu_ms'])} CPU** (fastest run; median "
        f"{_ms(baseline['init_cpu_median_ms'])}). **Both figures are judged (issue 15), each "
        f"≤ {COLD_START_RATIO}x:** (1) import + init CPU ÷ that baseline (the issue's words); "
        "(2) init + first request (what a user feels) ÷ the baseline plus its own first call "
        f"(one GetItem on the same fake, {_ms(baseline['cpu_ms'])} CPU), so work moved from "
        "init into the first request shows there and is no win. CPU time, fastest run (the "
        "other jobs on this shared machine only add time); wall clock, median.",
        "",
        "| function | first request | import + init CPU | **(1) ratio** | median ratio | "
        "init + first request CPU | **(2) ratio vs baseline + GetItem** | "
        "wall: init + first request | whole process (wall) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    diagnosis = []
    for function, row in cold.items():
        if function in {"baseline", "runs", "reference"}:
            continue
        lines.append(
            f"| {function} | {row['route']} | {_ms(row['init_cpu_ms'])} | "
            f"**{row['init_cpu_ratio']:.2f}x** | {row['init_cpu_median_ratio']:.2f}x | "
            f"{_ms(row['cpu_ms'])} | **{row['cpu_ratio']:.2f}x** | "
            f"{_ms(row['init_ms'])} + {_ms(row['first_request_ms'])} | "
            f"{_ms(row['wall_ms'])} ({row['wall_ratio']:.2f}x) |"
        )
        imports = ", ".join(f"{name} {ms:.0f} ms" for name, ms in row["top_imports"])
        diagnosis.append(f"- {function}: {imports}")
    references = cold.get("reference") or []
    if references:
        lines += ["", "References (not budgeted), against the same baseline:", ""]
    for reference in references:
        lines.append(
            f"- {reference['name']}: import + init {_ms(reference['init_cpu_ms'])} CPU "
            f"({reference['init_cpu_ratio']:.2f}x), with the first request "
            f"{_ms(reference['cpu_ms'])} ({reference['cpu_ratio']:.2f}x); the health function: "
            f"{_ms(cold['health']['init_cpu_ms'])} ({cold['health']['init_cpu_ratio']:.2f}x), "
            f"{_ms(cold['health']['cpu_ms'])} ({cold['health']['cpu_ratio']:.2f}x)"
        )
    lines += [
        "",
        "Import time by top-level package (`python -X importtime`, self time, one run: "
        "indicative only):",
        "",
    ]
    return lines + diagnosis


def _warm_section(warm: dict[str, Any]) -> list[str]:
    if not warm:
        return []
    lines = [
        "",
        "## 2. Warm overhead (in process, DynamoDB faked at the HTTP layer)",
        "",
        "Per invocation: `json.loads(event)` → handler → `json.dumps(response)`, tracing on. "
        "Wall clock and this thread's CPU time (`time.thread_time_ns`); CPU time is "
        "shown because on a machine shared with other jobs the wall-clock tail is mostly time "
        "spent descheduled. "
        "No budget judges these figures (issue 15 retired them). **own** = the handler's own "
        "time (routing, validation, token "
        "check, logging, metrics, tracing, serialisation) with the botocore DynamoDB call "
        "taken out; **with client** keeps "
        "botocore's client-side work (parameter validation, serialisation, SigV4, parsing) and "
        "only the fake server's time out. **bare** = a handler that parses the event, dispatches "
        "on a dict and dumps a response.",
        "",
        "| function | route | own p50 | own p99 | own CPU p50 | own CPU p99 | "
        "with client p50 | with client p99 | bare CPU p50 | bare CPU p99 | "
        "own ÷ bare (CPU p99) | DynamoDB calls |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for function, data in warm.items():
        for route in data["routes"]:
            own, cpu, client = route["own"], route["own_cpu"], route["with_client"]
            bare = route["bare_cpu"]
            ops = " + ".join(op for _, op in route["calls"]) or "—"
            ratio = cpu["p99_us"] / bare["p99_us"] if bare["p99_us"] else float("inf")
            lines.append(
                f"| {function} | {route['route']} | {_us(own['p50_us'])} | "
                f"{_us(own['p99_us'])} | {_us(cpu['p50_us'])} | **{_us(cpu['p99_us'])}** | "
                f"{_us(client['p50_us'])} | {_us(client['p99_us'])} | "
                f"{_us(bare['p50_us'])} | {_us(bare['p99_us'])} | {ratio:.1f}x | {ops} |"
            )
    lines += [
        "",
        "POST /transactions writes the transaction and its idempotency guard in one "
        "TransactWriteItems (no separate idempotency record).",
    ]
    floor = warm.get("health", {}).get("floor")
    if floor:
        lines += [
            "",
            "### The framework's floor",
            "",
            "GET /health answered with a constant (no Meridian code, no DynamoDB) by Powertools "
            "alone, adding the decorators the handlers used before meridian.observability "
            "replaced them, one at a time:",
            "",
            "| variant | p50 | p99 | CPU p50 | CPU p99 |",
            "|---|---|---|---|---|",
        ]
        for row in floor:
            own, cpu = row["own"], row["own_cpu"]
            lines.append(
                f"| {row['variant']} | {_us(own['p50_us'])} | {_us(own['p99_us'])} | "
                f"{_us(cpu['p50_us'])} | {_us(cpu['p99_us'])} |"
            )
    return lines


def _package_section(packages: dict[str, Any]) -> list[str]:
    if not packages:
        return []
    lines = [
        "",
        "## 3. Packages (`make build`)",
        "",
        "| function | zipped | unzipped | files | top-level entries |",
        "|---|---|---|---|---|",
    ]
    for function, package in packages.items():
        lines.append(
            f"| {function} | {package['zipped_bytes'] / 1024:.1f} KiB | "
            f"{package['unzipped_bytes'] / 1024:.1f} KiB | {package['files']} | "
            f"{', '.join(package['top_level'])} |"
        )
    return lines


def _calls_section(warm: dict[str, Any]) -> list[str]:
    if not warm:
        return []
    lines = [
        "",
        "## 4. DynamoDB calls per request",
        "",
        "Counted with botocore's `before-parameter-build` event on one request per route.",
        "",
        "| function | route | calls | budget | |",
        "|---|---|---|---|---|",
    ]
    for function, data in warm.items():
        for route in data["routes"]:
            ok, budget = expected_calls(route)
            ops = " + ".join(op for _, op in route["calls"]) or "—"
            mark = "✅" if ok else "❌"
            lines.append(f"| {function} | {route['route']} | {ops} | {budget} | {mark} |")
    operations = sorted({op for data in warm.values() for op in data.get("all_operations", [])})
    lines += ["", f"Every operation seen in the whole run: {', '.join(operations)}."]
    return lines


def _devstack_section(devstack: dict[str, Any], warm: dict[str, Any]) -> list[str]:
    lines = ["", "## 5. Devstack", ""]
    if devstack.get("status") != "measured":
        return [*lines, f"Not measured: {devstack.get('status', 'skipped in this run')}."]
    in_process = next(
        (r for r in warm.get("health", {}).get("routes", []) if r["route"] == "GET /health"),
        None,
    )
    lines += [
        f"- `make up` after `make down` (venv, zips and provider caches kept): "
        f"**{devstack['up_seconds']:.1f} s**; again on a running stack (no-op): "
        f"{devstack['up_again_seconds']:.1f} s",
        f"- {devstack['route']} through the devstack, {devstack['requests']} warm requests: "
        f"p50 {_us(devstack['p50_us'])}, p99 {_us(devstack['p99_us'])}",
    ]
    if in_process:
        client = in_process["with_client"]
        lines.append(
            f"- the same route in process: p50 {_us(client['p50_us'])}, p99 "
            f"{_us(client['p99_us'])}: the devstack takes "
            f"{devstack['p50_us'] / client['p50_us']:.0f}x as long at p50, "
            f"{devstack['p99_us'] / client['p99_us']:.0f}x at p99"
        )
    return lines


def _method_section() -> list[str]:
    return [
        "",
        "## Method",
        "",
        "- DynamoDB (and the authorizer's Secrets Manager read) is faked at botocore's "
        "`before-send` event (`bench/fake_aws.py`): botocore still validates, serialises, signs "
        "and parses; the fake is a stateful in-memory table that evaluates the condition, key "
        "and update expressions, so conditional writes, optimistic locking and idempotency "
        "behave as on DynamoDB. The authorizer downloads its JWKS over HTTP from a local server.",
        "- Calls are counted with botocore's `before-parameter-build` event on the same clients.",
        "- Tracing is on: `POWERTOOLS_TRACE_DISABLED` unset, `LAMBDA_TASK_ROOT` and a sampled "
        "`_X_AMZN_TRACE_ID` (fresh per invocation) set as Lambda does; segments go by UDP to "
        "127.0.0.1:2000. Logs and EMF metrics are written to stdout (/dev/null here).",
        "- Each measure runs in a fresh interpreter; cold starts are interleaved with the "
        "baseline, from each function's zip as deployed (extracted, read-only, no bytecode "
        "written); CPU figures are the fastest run, wall figures the median; percentiles are "
        "nearest-rank. The warm measures import the code from `src/`.",
    ]
