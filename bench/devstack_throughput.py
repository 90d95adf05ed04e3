"""Throughput of a running devstack: C concurrent clients per route for S seconds (issue 15).

``python -m bench.devstack_throughput`` (``make bench-devstack``) against the stack that
``.devstack/stack.json`` describes (``--stack`` for another). It creates a confirmed Cognito user,
gives it a profile and ``--seed`` transactions (so a list is not flattered by an empty table), then
runs ``--clients`` threads, each with its own keep-alive connection, calling ONE region's stage
directly (the regional URL plus the origin-verify header CloudFront would add, as the e2e
``api_primary`` fixture does) for ``--seconds`` per route, and prints a markdown table: requests,
req/s, p50/p95/p99 and errors per route. ``--save`` keeps the numbers (JSON) for
``--write-docs``, which renders saved runs into ``docs/load.md`` between the markers
``<!-- devstack-throughput:begin -->`` and ``<!-- devstack-throughput:end -->``.

The machine is shared: the table records the 1-minute load average before each run, and only
ratios measured in the same conditions mean anything. So it also records the CPU time the stack
spent per request on each route (Linux: ``/proc/<pid>/stat`` utime + stime of the emulator,
whose process id ``server.json`` next to ``stack.json`` gives, and of its descendants, the Lambda
workers, before and after the route's run), a figure that neighbours' load disturbs far less
than rates and latencies. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import socket
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httptools

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- devstack-throughput:begin -->"
END = "<!-- devstack-throughput:end -->"
ROUTES = ("GET /v1/health", "GET /v1/profiles/me", "GET /v1/transactions", "POST /v1/transactions")
EXPECTED = {"GET": 200, "POST": 201}
TRANSACTION = {"amount": "1.25", "currency": "EUR", "type": "debit", "reference": "bench"}
# Issue 15 item 5: the rates (req/s) and p50s (ms) measured when the issue was filed, 8 clients;
# the goal is GOAL_FACTOR times the rate, and a p50 of at most READ_P50_GOAL_MS for the reads.
ISSUE_BASELINE = {
    "GET /v1/health": (58.0, 128.0),
    "GET /v1/profiles/me": (43.0, 173.0),
    "GET /v1/transactions": (12.0, 627.0),
    "POST /v1/transactions": (5.0, 1200.0),
}
GOAL_FACTOR = 4
READ_P50_GOAL_MS = 25.0


@dataclass
class RouteResult:
    route: str
    clients: int
    seconds: float
    requests: int
    errors: dict[str, int]
    rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    # CPU milliseconds per request of the emulator process and of its descendants (the Lambda
    # workers); None when they could not be read (no /proc, no server.json).
    emulator_cpu_ms: float | None = None
    functions_cpu_ms: float | None = None
    # The load generator's own CPU milliseconds per request (this process, all its threads): it
    # shares the machine with the stack. None in runs saved before it was recorded.
    client_cpu_ms: float | None = None


@dataclass
class Run:
    label: str
    started_at: str
    load_average: float
    cpus: int
    results: list[RouteResult] = field(default_factory=list)


class _ResponseDone:
    """httptools' callbacks for one response: its status and whether the connection stays open,
    read when it ends (llhttp resets its state after; the body is discarded)."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.status = 0
        self.keep_alive = False
        self.complete = False

    def on_message_complete(self) -> None:
        self.status = int(self.parser.get_status_code())
        self.keep_alive = bool(self.parser.should_keep_alive())
        self.complete = True


class Client:
    """One keep-alive HTTP/1.1 connection to the stage, on a plain socket.

    The load generator shares the 2-core machine with the stack it measures, so it should cost
    as little as possible: each request is written as one prepared byte string and the answer is
    parsed by llhttp (``httptools``, as the emulator's listener does). ``http.client`` (the
    previous client) cost ~0.8 ms of CPU per request in the benchmark's own process, whose eight
    threads also queue for that process's GIL before they see their answer.
    """

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._prefix = parts.path.rstrip("/")
        fixed = {"Host": f"{self._host}:{self._port}", **headers}
        self._fixed_headers = "".join(f"{name}: {value}\r\n" for name, value in fixed.items())
        self._socket: socket.socket | None = None

    def call(self, method: str, path: str, body: bytes | None, extra: dict[str, str]) -> int:
        head = f"{method} {self._prefix}{path} HTTP/1.1\r\n{self._fixed_headers}"
        head += "".join(f"{name}: {value}\r\n" for name, value in extra.items())
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        message = (head + "\r\n").encode("latin-1") + (body or b"")
        for attempt in (1, 2):
            if self._socket is None:
                self._socket = socket.create_connection((self._host, self._port), timeout=60)
                self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self._socket.sendall(message)
                status, keep_alive = self._read_response(self._socket)
            except (OSError, httptools.HttpParserError):
                self.close()  # the server closed an idle keep-alive connection: reconnect once
                if attempt == 2:
                    raise
                continue
            if not keep_alive:
                self.close()
            return status
        raise AssertionError("unreachable")

    @staticmethod
    def _read_response(connection: socket.socket) -> tuple[int, bool]:
        done = _ResponseDone()
        while not done.complete:
            data = connection.recv(65536)
            if not data:
                raise ConnectionResetError("the server closed the connection")
            done.parser.feed_data(data)
        return done.status, done.keep_alive

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _e2e_support() -> tuple[Any, Any, Any]:
    """The e2e helpers (target loading, users, the API client), as the smoke script uses them."""
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    target = importlib.import_module("e2e_support.target")
    users = importlib.import_module("e2e_support.users")
    api = importlib.import_module("e2e_support.api")
    return target, users, api


class CpuMeter:
    """CPU seconds (user + system) of a process and its descendants, from ``/proc``."""

    def __init__(self, root_pid: int, proc: Path = Path("/proc")) -> None:
        self.root_pid = root_pid
        self._proc = proc
        self._tick = os.sysconf("SC_CLK_TCK")

    def sample(self) -> dict[int, float]:
        """Process id -> CPU seconds, for the root and every descendant alive now."""
        parents: dict[int, int] = {}
        seconds: dict[int, float] = {}
        for entry in self._proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended while listed
            # The command name (field 2) may hold spaces and parentheses: split after its end.
            fields = stat.rpartition(")")[2].split()
            parents[int(entry.name)] = int(fields[1])
            seconds[int(entry.name)] = (int(fields[11]) + int(fields[12])) / self._tick
        tree = {self.root_pid}
        grown = True
        while grown:
            grown = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grown = True
        return {pid: seconds[pid] for pid in tree if pid in seconds}

    def per_request(
        self, before: dict[int, float], after: dict[int, float], requests: int
    ) -> tuple[float, float]:
        """(root, descendants) CPU milliseconds per request between two samples. A process
        started meanwhile counts whole; one that ended meanwhile is lost (its time unknown)."""
        if requests <= 0:
            return 0.0, 0.0
        root = after.get(self.root_pid, 0.0) - before.get(self.root_pid, 0.0)
        others = sum(
            value - before.get(pid, 0.0) for pid, value in after.items() if pid != self.root_pid
        )
        return round(root * 1000 / requests, 2), round(others * 1000 / requests, 2)


def cpu_meter_for(stack_json: Path) -> CpuMeter | None:
    """The meter of the emulator that wrote ``server.json`` beside ``stack_json``, if readable."""
    server_json = stack_json.parent / "server.json"
    try:
        pid = int(json.loads(server_json.read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not Path(f"/proc/{pid}/stat").is_file():
        return None
    return CpuMeter(pid)


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure_route(
    route: str,
    make_client: Callable[[], Client],
    token: str,
    clients: int,
    seconds: float,
    *,
    cpu: CpuMeter | None = None,
) -> RouteResult:
    method, _, path = route.partition(" ")
    path = path.removeprefix("/v1")
    expected = EXPECTED[method]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[dict[str, int]] = [{} for _ in range(clients)]
    stop_at: list[float] = [0.0]

    def set_clock() -> None:
        # Run by the barrier before it releases anyone: no client may read the stop time unset.
        stop_at[0] = time.perf_counter() + seconds

    start = threading.Barrier(clients + 1, action=set_clock)

    def worker(index: int) -> None:
        client = make_client()
        auth = {"Authorization": f"Bearer {token}"}
        # One untimed call opens the connection (and warms a worker) before the clock starts.
        _one_call(client, method, path, auth)
        start.wait()
        mine, my_errors = latencies[index], errors[index]
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            try:
                status = _one_call(client, method, path, auth)
                outcome = "ok" if status == expected else str(status)
            except (OSError, httptools.HttpParserError) as error:
                outcome = type(error).__name__
            mine.append((time.perf_counter() - began) * 1000)
            if outcome != "ok":
                my_errors[outcome] = my_errors.get(outcome, 0) + 1
        client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = stop_at[0] - seconds
    cpu_before = cpu.sample() if cpu is not None else {}
    client_cpu_before = time.process_time()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    client_cpu = time.process_time() - client_cpu_before
    cpu_after = cpu.sample() if cpu is not None else {}
    ordered = sorted(value for per_client in latencies for value in per_client)
    merged: dict[str, int] = {}
    for per_client in errors:
        for key, count in per_client.items():
            merged[key] = merged.get(key, 0) + count
    emulator_cpu_ms = functions_cpu_ms = None
    if cpu is not None:
        emulator_cpu_ms, functions_cpu_ms = cpu.per_request(cpu_before, cpu_after, len(ordered))
    return RouteResult(
        route=route,
        clients=clients,
        seconds=round(elapsed, 1),
        requests=len(ordered),
        emulator_cpu_ms=emulator_cpu_ms,
        functions_cpu_ms=functions_cpu_ms,
        client_cpu_ms=round(client_cpu * 1000 / len(ordered), 2) if ordered else None,
        errors=merged,
        rate=round(len(ordered) / elapsed, 1),
        p50_ms=round(statistics.median(ordered), 1) if ordered else 0.0,
        p95_ms=round(_percentile(ordered, 0.95), 1),
        p99_ms=round(_percentile(ordered, 0.99), 1),
        max_ms=round(ordered[-1], 1) if ordered else 0.0,
    )


def _one_call(client: Client, method: str, path: str, auth: dict[str, str]) -> int:
    if method == "POST":
        body = json.dumps(TRANSACTION).encode()
        return client.call(method, path, body, {**auth, "Idempotency-Key": uuid.uuid4().hex})
    return client.call(method, path, None, auth)


def run(args: argparse.Namespace) -> Run:
    if args.stack is not None:
        os.environ["E2E_STACK_JSON"] = str(args.stack)
    target_module, users_module, api_module = _e2e_support()
    target = target_module.load_target()
    region = args.region or target.primary_region
    base_url = target.api_urls[region]
    headers = dict(target.origin_verify_headers)
    users = users_module.UserFactory(target, prefix="bench")
    user = users.create()
    try:
        api = api_module.Api(base_url, region, default_headers=headers)
        api_module.expect_status(
            api.post("/profiles", token=user.id_token, json_body={"display_name": "Bench"}), 201
        )
        for _ in range(args.seed):
            api_module.expect_status(api.post_transaction(user.id_token, TRANSACTION), 201)
        result = Run(
            label=args.label,
            started_at=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            load_average=round(os.getloadavg()[0], 2),
            cpus=os.cpu_count() or 0,
        )
        stack_json = Path(os.environ.get("E2E_STACK_JSON", ROOT / ".devstack" / "stack.json"))
        cpu = cpu_meter_for(stack_json)
        for route in args.routes:
            load = os.getloadavg()[0]
            measured = measure_route(
                route,
                lambda: Client(base_url, headers),
                user.id_token,
                args.clients,
                args.seconds,
                cpu=cpu,
            )
            print(f"{route}: {measured.rate} req/s (load average {load:.2f})", file=sys.stderr)
            result.results.append(measured)
        return result
    finally:
        users.cleanup()


def table(runs: list[Run]) -> str:
    lines = [
        "| run | route | clients x s | requests | req/s | p50 ms | p95 ms | p99 ms | max ms "
        "| errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for one in runs:
        for r in one.results:
            errors = ", ".join(f"{k}: {v}" for k, v in sorted(r.errors.items())) or "0"
            lines.append(
                f"| {one.label} | `{r.route}` | {r.clients} x {r.seconds:g} | {r.requests} | "
                f"{r.rate:g} | {r.p50_ms:g} | {r.p95_ms:g} | {r.p99_ms:g} | {r.max_ms:g} | "
                f"{errors} |"
            )
    notes = [
        f"- {one.label}: {one.started_at}, {one.cpus} CPUs, 1-minute load average "
        f"{one.load_average:g} at the start"
        for one in runs
    ]
    return "\n".join([*lines, "", *notes, *cpu_table(runs)])


def cpu_table(runs: list[Run]) -> list[str]:
    """The stack's CPU time per request, for the runs that measured it (none: no lines)."""
    rows = [
        f"| {one.label} | `{r.route}` | {r.emulator_cpu_ms:g} | {r.functions_cpu_ms:g} | "
        f"{r.emulator_cpu_ms + r.functions_cpu_ms:.2f} | "
        f"{'-' if r.client_cpu_ms is None else f'{r.client_cpu_ms:g}'} |"
        for one in runs
        for r in one.results
        if r.emulator_cpu_ms is not None and r.functions_cpu_ms is not None
    ]
    if not rows:
        return []
    return [
        "",
        "| run | route | emulator CPU ms/request | functions CPU ms/request | stack total "
        "| load generator CPU ms/request |",
        "|---|---|---|---|---|---|",
        *rows,
    ]


def ratios(before: Run, after: Run) -> str:
    """Each route's after / before rate, and the p50s."""
    lines = ["| route | req/s before → after | x | p50 ms before → after |", "|---|---|---|---|"]
    previous = {r.route: r for r in before.results}
    for r in after.results:
        old = previous.get(r.route)
        if old is None:
            continue
        factor = r.rate / old.rate if old.rate else float("inf")
        lines.append(
            f"| `{r.route}` | {old.rate:g} → {r.rate:g} | {factor:.1f} | "
            f"{old.p50_ms:g} → {r.p50_ms:g} |"
        )
    return "\n".join(lines)


def goal(after: Run) -> str:
    """Each route of ``after`` against issue 15's goal: GOAL_FACTOR x the issue's rate, reads
    with a p50 of at most READ_P50_GOAL_MS."""
    lines = [
        f"| route | issue's rate → goal ({GOAL_FACTOR}x) | {after.label} | x issue's rate "
        f"| p50 ms (goal) | goal met |",
        "|---|---|---|---|---|---|",
    ]
    for r in after.results:
        if r.route not in ISSUE_BASELINE:
            continue
        rate, _ = ISSUE_BASELINE[r.route]
        is_read = r.route.startswith("GET ")
        p50_goal = f"<= {READ_P50_GOAL_MS:g}" if is_read else "-"
        met = r.rate >= GOAL_FACTOR * rate and (not is_read or r.p50_ms <= READ_P50_GOAL_MS)
        lines.append(
            f"| `{r.route}` | {rate:g} → {GOAL_FACTOR * rate:g} | {r.rate:g} | "
            f"{r.rate / rate:.1f} | {r.p50_ms:g} ({p50_goal}) | {'yes' if met else 'no'} |"
        )
    return "\n".join(lines)


def load_run(path: Path) -> Run:
    raw = json.loads(path.read_text(encoding="utf-8"))
    results = [RouteResult(**item) for item in raw.pop("results")]
    return Run(**raw, results=results)


def write_docs(docs: Path, runs: list[Run], preface: str) -> None:
    """Replace the block between the markers (creating the file or the block as needed)."""
    parts = [BEGIN, "## Devstack throughput", "", preface.strip(), "", table(runs)]
    if len(runs) >= 2:
        # The last two runs are this measurement's before and after; earlier ones are history.
        parts += ["", ratios(runs[-2], runs[-1])]
    if runs:
        parts += ["", goal(runs[-1])]
    block = "\n".join([*parts, END])
    text = docs.read_text(encoding="utf-8") if docs.is_file() else ""
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + block + "\n"
    docs.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.devstack_throughput", description=__doc__
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=50, help="transactions created beforehand")
    parser.add_argument("--routes", nargs="+", default=list(ROUTES), choices=ROUTES)
    parser.add_argument("--region", help="the region to call (default: the primary)")
    parser.add_argument("--stack", type=Path, help="stack.json (default .devstack/stack.json)")
    parser.add_argument("--label", default="run", help="name of this run in the table")
    parser.add_argument("--save", type=Path, help="write this run's numbers (JSON) here")
    parser.add_argument(
        "--write-docs",
        nargs="+",
        type=Path,
        metavar="RUN_JSON",
        help="render saved runs (oldest first; the last two are compared: before, after) "
        "into --docs; measures nothing",
    )
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "load.md")
    parser.add_argument("--preface", default="", help="text above the table (with --write-docs)")
    args = parser.parse_args(argv)
    if args.write_docs:
        write_docs(args.docs, [load_run(path) for path in args.write_docs], args.preface)
        return 0
    result = run(args)
    print(table([result]))
    if args.save is not None:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(asdict(result), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
