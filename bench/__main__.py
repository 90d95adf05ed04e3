"""``python -m bench``: run every measure, write the report, fail when a budget is over."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench import capacity, measures, report, scenarios

ROOT = scenarios.ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny counts, no budgets")
    # Fastest of N: with other jobs on the machine, 7 runs still left ±0.15x between runs.
    parser.add_argument("--cold-runs", type=int, default=11)
    parser.add_argument("--warm-iterations", type=int, default=10_000)
    parser.add_argument("--devstack-requests", type=int, default=500)
    parser.add_argument("--skip-devstack", action="store_true")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build" / "lambda")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench" / "results.json")
    parser.add_argument(
        "--capacity",
        type=Path,
        default=ROOT / "docs" / "capacity.md",
        help="docs/capacity.md to add the measured paragraph to (skipped with --quick)",
    )
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="re-render the report from --json without measuring (after editing findings.md)",
    )
    args = parser.parse_args(argv)
    if args.render_only:
        stored = json.loads(args.json.read_text(encoding="utf-8"))
        args.output.write_text(report.render(stored), encoding="utf-8")
        if not stored["settings"]["quick"] and args.capacity.is_file():
            capacity.update(args.capacity, stored)
        over_budget = any(not verdict["ok"] for verdict in stored["verdicts"])
        return 1 if over_budget and not stored["settings"]["quick"] else 0
    settings = measures.Settings(
        cold_runs=1 if args.quick else args.cold_runs,
        warm_iterations=20 if args.quick else args.warm_iterations,
        devstack_requests=args.devstack_requests,
        quick=args.quick,
    )
    started = time.perf_counter()
    functions = measures.available_functions()
    kit = scenarios.make_token_kit()
    results: dict[str, object] = {"machine": measures.machine(), "settings": asdict(settings)}
    with measures.jwks_server(kit.jwks) as jwks_url:
        _step("cold start")
        results["cold_start"] = measures.cold_start(
            # Every built function, a new one without a scenario too (import and init).
            settings,
            kit,
            jwks_url,
            measures.functions_to_measure(args.build_dir),
            args.build_dir,
        )
        _step("warm overhead and DynamoDB calls")
        results["warm"] = measures.warm(settings, kit, jwks_url, functions)
    _step("packages")
    results["packages"] = measures.packages(args.build_dir)
    if not results["packages"]:
        print(f"no zips in {args.build_dir}: run `make build` first", file=sys.stderr)
        return 2
    if args.quick or args.skip_devstack:
        results["devstack"] = {"status": "skipped in this run (--quick or --skip-devstack)"}
    else:
        _step("devstack")
        results["devstack"] = measures.devstack(settings)
    results["missing_functions"] = sorted(set(scenarios.FUNCTIONS) - set(functions))
    verdicts = report.verdicts(results)
    results["verdicts"] = [asdict(verdict) for verdict in verdicts]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report.render(results), encoding="utf-8")
    if not args.quick and args.capacity.is_file():
        capacity.update(args.capacity, results)
    over = [verdict for verdict in verdicts if not verdict.ok]
    print(f"bench: wrote {args.output} in {time.perf_counter() - started:.0f} s")
    for verdict in over:
        print(
            f"  over budget: {verdict.measure} {verdict.subject}: "
            f"{verdict.value} ({verdict.budget})"
        )
    if args.quick:
        return 0  # a smoke run checks that the bench works, not the figures
    return 1 if over else 0


def _step(name: str) -> None:
    print(f"bench: {name}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
