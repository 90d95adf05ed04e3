"""``make load``: Locust headless against the running stack, then the reconciliation and the report.

    python -m load.run [--users 8] [--duration 20] [--rate 2] [--sweep 2,4,8,16,32]
        [--sweep-rate 8] [--step 6] [--via edge|regional] [--target devstack|aws]
        [--out docs/load.md]
        [--plot docs/load-latency.png] [--no-docs] [--no-partners]

Locust runs as a library in this process (https://docs.locust.io/en/stable/use-as-lib.html):
first the main phase (``--users`` for ``--duration``: the per-route table), then the sweep (a few
seconds per user count, ascending, each user at ``--sweep-rate`` tasks/s, up to the first step the
stack cannot keep up with: the latency plot and the saturation point). App users are
created before the load starts and removed at the end, also on failure or Ctrl-C. Exit status:
1 on any violation (5xx other than 429/503 with Retry-After, REGION_NOT_WRITABLE, no answer,
unexpected 4xx) or any reconciliation failure, 2 when the run could not be carried out; never on
a timing.
"""

# Locust runs on gevent: patch the standard library before anything imports ssl/socket.
from gevent import monkey  # type: ignore[import-untyped]

monkey.patch_all()

import argparse  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shlex  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
from e2e_support.target import Target, load_target  # noqa: E402
from locust import events as locust_events  # noqa: E402
from locust.env import Environment  # noqa: E402

from load import aws, fleet, locustfile, reconcile, report, setup, timings  # noqa: E402
from load.report import Phase, RouteRow, RunReport  # noqa: E402

MOBILE_SHARE = 4 / 5  # locustfile weights: MobileUser 4, PartnerService 1


def _machine() -> str:
    cpus = os.cpu_count() or 0
    try:
        load1, _, _ = os.getloadavg()
        load_text = f", load average {load1:.1f} at the start"
    except OSError:
        load_text = ""
    return (
        f"{platform.system()} {platform.machine()}, {cpus} CPUs{load_text}, Python "
        f"{platform.python_version()}; the devstack runs on the same machine as Locust"
    )


def _snapshot(
    environment: Environment,
    *,
    users: int,
    seconds: float,
    rate: float,
    tasks: int,
    statuses: Counter[int],
) -> Phase:
    stats = environment.stats
    if stats is None:
        raise RuntimeError("Locust has no stats")
    rows = [
        RouteRow(
            route=str(entry.name),
            requests=entry.num_requests,
            failures=entry.num_failures,
            p50_ms=entry.get_response_time_percentile(0.5) or 0.0,
            p95_ms=entry.get_response_time_percentile(0.95) or 0.0,
            p99_ms=entry.get_response_time_percentile(0.99) or 0.0,
            max_ms=entry.max_response_time or 0.0,
        )
        for entry in stats.entries.values()
        if entry.num_requests
    ]
    total = stats.total
    return Phase(
        users=users,
        seconds=seconds,
        tasks_per_user_per_second=rate,
        tasks=tasks,
        routes=rows,
        statuses=statuses,
        total_p50_ms=total.get_response_time_percentile(0.5) or 0.0,
        total_p99_ms=total.get_response_time_percentile(0.99) or 0.0,
    )


def _statuses(ledger_outcomes: Counter[tuple[str, int]]) -> Counter[int]:
    result: Counter[int] = Counter()
    for (_, status), n in ledger_outcomes.items():
        result[status] += n
    return result


def run_phase(environment: Environment, users: int, seconds: float, rate: float) -> Phase:
    runner = environment.runner
    if runner is None or environment.stats is None:
        raise RuntimeError("create the Locust runner first")
    runner.start(users, spawn_rate=max(users, 50))
    deadline = time.monotonic() + 30
    while runner.user_count != users and time.monotonic() < deadline:
        gevent.sleep(0.1)
    gevent.sleep(min(1.0, seconds / 4))  # let every user settle into its pace
    the_fleet = fleet.current()
    ledger = the_fleet.ledger
    before = Counter(ledger.outcomes)
    environment.stats.reset_all()
    tasks_before = the_fleet.tasks
    started = time.monotonic()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - started
    tasks = the_fleet.tasks - tasks_before
    phase = _snapshot(
        environment,
        users=users,
        seconds=elapsed,
        rate=rate,
        tasks=tasks,
        statuses=_statuses(ledger.outcomes - before),
    )
    print(
        f"load: {users:>3} users  offered {phase.offered_rps:6.1f} req/s  achieved "
        f"{phase.achieved_rps:6.1f} req/s  p50 {phase.total_p50_ms:6.0f} ms  p99 "
        f"{phase.total_p99_ms:6.0f} ms",
        flush=True,
    )
    return phase


def drain_replication(target: Target) -> None:
    if not target.aws_endpoint_url:
        return
    response = requests.post(
        f"{target.aws_endpoint_url.rstrip('/')}/_devstack/replication/drain",
        json={"timeout_seconds": 60},
        timeout=90,
    )
    if response.status_code != 200:
        raise RuntimeError(f"replication did not drain: {response.status_code} {response.text}")


def reconcile_run(the_fleet: fleet.Fleet, since: str) -> reconcile.Reconciliation:
    target = the_fleet.target
    origin_headers = dict(target.origin_verify_headers)
    http = requests.Session()

    def http_get(url: str, headers: dict[str, str]) -> tuple[int, Any]:
        try:
            response = http.get(url, headers=headers, timeout=60)
        except requests.RequestException as error:
            return 0, str(error)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    def auth_for(owner: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {the_fleet.token_for(owner)}"}

    def attempt() -> reconcile.Reconciliation:
        views = [
            reconcile.observe(
                region,
                url,
                the_fleet.ledger,
                auth_for=auth_for,
                http_get=http_get,
                origin_headers=origin_headers,
                since=since,
            )
            for region, url in sorted(target.api_urls.items())
        ]
        return reconcile.check(the_fleet.ledger, views)

    if target.is_devstack:
        drain_replication(target)
        return attempt()
    result, _ = aws.reconcile_with_polling(attempt, timeout_seconds=120)
    return result


def per_hop(the_fleet: fleet.Fleet) -> tuple[list[report.HopRow] | None, str]:
    target = the_fleet.target
    if not target.aws_endpoint_url:
        return None, (
            "on AWS the breakdown comes from the access log and X-Ray (queries below), "
            "not from this tool"
        )
    identity = the_fleet.identities[0]
    partner = the_fleet.next_partner()
    probes = timings.standard_probes(
        identity.id_token,
        setup.fresh_token(the_fleet, identity),
        partner.current_token() if partner else None,
        identity.transaction_ids[-1] if identity.transaction_ids else None,
    )
    return timings.breakdown(target.aws_endpoint_url.rstrip("/"), the_fleet.base_url, probes)


def static_sections() -> str:
    path = Path(__file__).with_name("load_static.md")
    text = path.read_text(encoding="utf-8")
    return (
        text.replace("{ACCESS_LOG_QUERY}", aws.ACCESS_LOG_QUERY)
        .replace("{ACCESS_LOG_ONE_REQUEST}", aws.ACCESS_LOG_ONE_REQUEST)
        .replace("{XRAY_FILTER}", aws.XRAY_FILTER)
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=8, help="Locust users of the main phase")
    parser.add_argument("--duration", type=float, default=20.0, help="main phase, seconds")
    parser.add_argument("--rate", type=float, default=2.0, help="tasks per second per user")
    parser.add_argument(
        "--sweep", default="2,4,8,16,32", help="user counts of the sweep ('' = none)"
    )
    parser.add_argument(
        "--sweep-rate",
        type=float,
        default=8.0,
        help="tasks per second per user in the sweep (high enough that its last steps saturate)",
    )
    parser.add_argument("--step", type=float, default=6.0, help="seconds per sweep step")
    parser.add_argument("--via", choices=("edge", "regional"), default="edge")
    parser.add_argument(
        "--target", choices=("devstack", "aws"), default=os.environ.get("LOAD_TARGET", "devstack")
    )
    parser.add_argument("--out", type=Path, default=Path("docs/load.md"))
    parser.add_argument("--plot", type=Path, default=Path("docs/load-latency.png"))
    parser.add_argument("--no-docs", action="store_true", help="write nothing under docs/")
    parser.add_argument("--no-partners", action="store_true")
    parser.add_argument("--ledger", type=Path, default=Path("build/load/ledger.json"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 - the run, step by step
    args = parse_args(argv)
    command = "python -m load.run " + shlex.join(sys.argv[1:] if argv is None else argv)
    if args.target == "aws":
        os.environ["E2E_TARGET"] = "aws"
    sweep = [int(u) for u in args.sweep.split(",") if u.strip()]
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    run_id = uuid.uuid4().hex[:10]
    machine = _machine()

    # SIGTERM (CI cancelling, `kill`) ends the run like Ctrl-C: the cleanup below still runs.
    main_greenlet = gevent.getcurrent()
    gevent.signal_handler(
        signal.SIGTERM, lambda: gevent.kill(main_greenlet, KeyboardInterrupt("SIGTERM"))
    )

    try:
        target = load_target()
        the_fleet = setup.build_fleet(
            target,
            run_id,
            via=args.via,
            per_user_rate=args.rate,
            with_partners=not args.no_partners,
        )
    except Exception as error:
        print(f"load: cannot start: {error}", file=sys.stderr)
        return 2
    fleet.configure(the_fleet)
    max_users = max([args.users, *sweep])
    identities = math.ceil(max_users * MOBILE_SHARE) + 1
    print(
        f"load: run {run_id} against {target.kind} via {args.via} ({the_fleet.base_url}); "
        f"creating {identities} app users; partners: "
        f"{', '.join(p.name for p in the_fleet.partners) or 'none'}",
        flush=True,
    )
    exit_code = 2
    run_report: RunReport | None = None
    phases: list[Phase] = []
    problems: list[str] = []
    try:
        setup.prepare_identities(the_fleet, identities)
        user_classes: list[type[Any]] = [locustfile.MobileUser]
        if the_fleet.partners:
            user_classes.append(locustfile.PartnerService)
        # stop_timeout: a user stopped by a smaller step or the end finishes its task first.
        environment = Environment(
            user_classes=user_classes,
            host=the_fleet.base_url,
            events=locust_events,
            stop_timeout=90,
        )
        environment.create_local_runner()
        # The main phase first: the sweep's last steps overload the stack on purpose, and their
        # backlog must not land in the per-route table.
        main_phase = run_phase(environment, args.users, args.duration, args.rate)
        # The sweep's users pace themselves at their own rate (the locustfile's pacer follows
        # the fleet's), and it stops at the first step past the saturation point.
        the_fleet.per_user_rate = args.sweep_rate
        phases = report.sweep_until_saturated(
            sweep, lambda users: run_phase(environment, users, args.step, args.sweep_rate)
        )
        if environment.runner is not None:
            environment.runner.quit()
            gevent.sleep(0)
        the_fleet.ledger.dump(args.ledger)

        print("load: reconciling (replication drained, both regions read)", flush=True)
        result = reconcile_run(the_fleet, since=started_at)
        hops, hops_note = per_hop(the_fleet)
        point = report.saturation_point(phases)
        saturation = (
            f"Saturation: at {point.users} users the stack answered {point.achieved_rps:.1f} "
            f"of the {point.offered_rps:.1f} requests/s offered (below 90 %)."
            if point
            else ""
        )
        run_report = RunReport(
            run_id=run_id,
            command=command,
            target=target.kind,
            via=args.via,
            machine=machine,
            started_at=started_at,
            main=main_phase,
            sweep=phases,
            reconciliation=result,
            violations=list(the_fleet.ledger.violations),
            statuses=Counter(the_fleet.ledger.outcomes),
            hops=hops,
            hops_note=hops_note,
            saturation=saturation,
        )
        exit_code = 0 if run_report.passed else 1
    except KeyboardInterrupt:
        print("load: interrupted; removing the test users", file=sys.stderr)
        exit_code = 130
    except Exception as error:
        print(f"load: the run failed: {type(error).__name__}: {error}", file=sys.stderr)
        exit_code = 2
    finally:
        problems = setup.cleanup(the_fleet)
        for problem in problems:
            print(f"load: cleanup: {problem}", file=sys.stderr)

    if run_report is None:
        return exit_code
    run_report.cleanup_problems = problems
    out_dir = Path("build/load") if args.no_docs else args.out.parent
    markdown = out_dir / args.out.name
    picture = out_dir / args.plot.name
    out_dir.mkdir(parents=True, exist_ok=True)
    if phases:
        title = (
            f"Meridian {target.kind} via the {args.via}, {os.cpu_count()} CPUs, {started_at} "
            f"({args.step:g} s per step)"
        )
        report.plot(phases, picture, title)
    report.write_markdown(run_report, markdown, static_sections())
    rec = run_report.reconciliation
    main_phase = run_report.main
    print(
        f"load: {'PASS' if run_report.passed else 'FAIL'}: {main_phase.requests} requests in the "
        f"main phase, {len(run_report.violations)} violations, reconciliation "
        f"{rec.acknowledged_transactions} acknowledged transactions / {rec.profiles_checked} "
        f"profiles in {len(rec.regions)} regions, {len(rec.failures)} failures {rec.counts()}; "
        f"wrote {markdown}" + (f" and {picture}" if phases else ""),
        flush=True,
    )
    for route, status, code in run_report.violations[:10]:
        print(f"load: violation: {route} -> {status} {code}", file=sys.stderr)
    for kind, detail in rec.failures[:10]:
        print(f"load: reconciliation: {kind}: {detail}", file=sys.stderr)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
