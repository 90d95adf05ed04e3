"""The measures of issue 7, each run in fresh interpreters started by the parent process."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench import scenarios

ROOT = scenarios.ROOT


@dataclass(frozen=True)
class Settings:
    cold_runs: int
    warm_iterations: int
    devstack_requests: int
    quick: bool


# -- helpers ------------------------------------------------------------------------------
@contextlib.contextmanager
def jwks_server(jwks: dict[str, Any]) -> Iterator[str]:
    """Serve the bench user pool's JWKS on an ephemeral local port (no clash with anyone)."""
    document = json.dumps(jwks).encode()
    wanted = f"/{scenarios.USER_POOL_ID}/.well-known/jwks.json"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == wanted
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document if found else b"{}")

        def log_message(self, *_: Any) -> None:  # noqa: ANN401 - keep the bench output clean
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def handler_exists(function: str) -> bool:
    return (ROOT / "src" / "meridian" / "handlers" / f"{function}.py").is_file()


def available_functions() -> list[str]:
    """Functions whose handler module exists in this checkout (the authorizer may land later)."""
    return [function for function in scenarios.FUNCTIONS if handler_exists(function)]


def functions_to_measure(build_dir: Path) -> list[str]:
    """Every function with a bench scenario, plus every zip `make build` wrote whose handler
    module exists: a new function is measured (import and init) before it has a scenario."""
    built = sorted(path.stem for path in build_dir.glob("*.zip"))
    extra = [name for name in built if name not in scenarios.FUNCTIONS and handler_exists(name)]
    return available_functions() + extra


def import_only(functions: list[str]) -> list[str]:
    """The functions without a cold-start request: their cold start is import and init only."""
    return [function for function in functions if function not in scenarios.COLD_START_ROUTES]


def run_child(spec: dict[str, Any], env: dict[str, str], extra_args: tuple[str, ...] = ()) -> Any:  # noqa: ANN401
    """Run ``bench.child`` with ``spec`` in a fresh interpreter and return what it wrote.

    The child's stdout (the functions' JSON logs and metrics, as Lambda would ship them) goes to
    /dev/null: writing it is part of the measured cost, reading it back is not.
    """
    with tempfile.TemporaryDirectory(prefix="meridian-bench-") as tmp:
        spec_path, output_path = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec_path.write_text(json.dumps({**spec, "output": str(output_path)}), encoding="utf-8")
        completed = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, *extra_args, "-m", "bench.child", str(spec_path)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(
                f"bench child failed ({spec['mode']} {spec.get('function')}): "
                f"{completed.stderr[-2000:]}"
            )
        result = json.loads(output_path.read_text(encoding="utf-8"))
        if extra_args:
            result["stderr"] = completed.stderr
        return result


def secrets_for(kit: scenarios.TokenKit) -> dict[str, str]:
    secret_name = scenarios.PARTNER_KEY_SECRET_PREFIX + scenarios.PARTNER_KID
    return {secret_name: json.dumps({"signing_key": kit.partner_secret})}


# -- 1. cold start ------------------------------------------------------------------------
_IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)$")


def top_imports(stderr: str, limit: int = 6) -> list[tuple[str, float]]:
    """Self time per top-level package from ``-X importtime`` (ms), largest first."""
    per_package: dict[str, float] = {}
    for line in stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match:
            package = match.group(4).split(".")[0]
            if package == "bench":  # the bench's own fake, loaded before the clock starts
                continue
            per_package[package] = per_package.get(package, 0.0) + int(match.group(1)) / 1000
    return sorted(per_package.items(), key=lambda item: -item[1])[:limit]


TRACING_OFF = "health with tracing off"
FLOOR = "floor: GET /health in Powertools alone (bench/floor_handler.py)"
# Native distributions in the zips are built for arm64 (Lambda): in the deployed tree the bench
# swaps them for the host's copies of the same pins (what the devstack runtime does too).
NATIVE_PREFIXES = ("cryptography/", "cffi/", "_cffi_backend", "wrapt/")


class DeployedTreeError(RuntimeError):
    """The deployed tree cannot be measured as deployed."""


def check_runtime(build_dir: Path) -> None:
    """The zips' bytecode is for one Python minor (build.json): the bench must run that one,
    or every shipped .pyc would be ignored and the cold start would compile from source."""
    manifest = build_dir / "build.json"
    runtime = json.loads(manifest.read_text(encoding="utf-8"))["runtime"]
    running = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if runtime != running:
        raise DeployedTreeError(
            f"the zips in {build_dir} were built for {runtime}; the bench runs {running}: "
            f"build for {running} (`make build`) or run the bench with {runtime}"
        )


def _listing(tree: Path) -> set[str]:
    return {path.relative_to(tree).as_posix() for path in tree.rglob("*")}


@contextlib.contextmanager
def deployed_trees(build_dir: Path, functions: list[str]) -> Iterator[dict[str, Path]]:
    """Each function's zip extracted as Lambda has it in /var/task, read-only (the children also
    run with PYTHONDONTWRITEBYTECODE=1, so nothing is compiled and kept between runs), plus an
    empty ``baseline`` tree. Raises if a run wrote anything into a tree."""
    check_runtime(build_dir)
    with tempfile.TemporaryDirectory(prefix="meridian-deployed-") as tmp:
        trees = {"baseline": Path(tmp) / "baseline"}
        trees["baseline"].mkdir()
        for function in functions:
            tree = trees[function] = Path(tmp) / function
            with zipfile.ZipFile(build_dir / f"{function}.zip") as archive:
                for name in archive.namelist():
                    if not name.startswith(NATIVE_PREFIXES):
                        archive.extract(name, tree)
        listings = {name: _listing(tree) for name, tree in trees.items()}
        for tree in trees.values():
            _set_writable(tree, writable=False)
        try:
            yield trees
        finally:
            for tree in trees.values():
                _set_writable(tree, writable=True)
        written = {
            name: sorted(_listing(tree) - listings[name])[:5] for name, tree in trees.items()
        }
        written = {name: paths for name, paths in written.items() if paths}
        if written:
            raise DeployedTreeError(f"the cold-start runs wrote into the deployed trees: {written}")


def _set_writable(tree: Path, *, writable: bool) -> None:
    for path in [tree, *tree.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755 if writable else 0o555)
        else:
            path.chmod(0o644 if writable else 0o444)


# What `import boto3; boto3.client(...)` loads from site-packages: on Lambda the managed runtime's
# copy (/var/runtime), assumed to ship its bytecode (bench/findings.md).
RUNTIME_SDK = (
    "boto3",
    "botocore",
    "s3transfer",
    "urllib3",
    "dateutil",
    "jmespath",
    "six",
    "certifi",
)


def compile_runtime_sdk() -> None:
    """Give the virtualenv's boto3 (and what it imports) its bytecode before measuring.

    `make venv` installs with ``pip --no-compile``, and the cold-start children run with
    PYTHONDONTWRITEBYTECODE=1: without this, whether boto3 had bytecode depended on what ran in
    the virtualenv before (a unit-test run writes it, a fresh clone has none), and every run
    compiling boto3 from source doubled the baseline and flattered every ratio. Timestamp-based
    .pyc, as pip would write them; a no-op once they are current."""
    paths = []
    for name in RUNTIME_SDK:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            origin = Path(spec.origin)
            paths.append(str(origin.parent if origin.name == "__init__.py" else origin))
    subprocess.run(  # noqa: S603 - our own interpreter, fixed argv
        [sys.executable, "-m", "compileall", "-q", *paths],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def cold_start(
    settings: Settings,
    kit: scenarios.TokenKit,
    jwks_url: str,
    functions: list[str],
    build_dir: Path,
) -> dict[str, Any]:
    compile_runtime_sdk()
    with deployed_trees(build_dir, functions) as trees:
        return _cold_start(settings, kit, jwks_url, functions, trees)


def _cold_start(
    settings: Settings,
    kit: scenarios.TokenKit,
    jwks_url: str,
    functions: list[str],
    trees: dict[str, Path],
) -> dict[str, Any]:
    envs = {
        name: scenarios.lambda_environment(name, jwks_url, task_root=trees[name])
        for name in [*functions, "baseline"]
    }
    specs: dict[str, dict[str, Any]] = {
        "baseline": {"mode": "coldstart", "function": None, "secrets": secrets_for(kit)}
    }
    for function in functions:
        if function in import_only(functions):
            specs[function] = {
                "mode": "coldstart",
                "function": function,
                "module": f"meridian.handlers.{function}",
                "route": "import and init only (no bench scenario yet)",
                "event": None,
                "expected_status": None,
                "secrets": secrets_for(kit),
            }
        else:
            route = scenarios.route_named(scenarios.COLD_START_ROUTES[function])
            specs[function] = {
                "mode": "coldstart",
                "function": function,
                "module": scenarios.HANDLER_MODULES[function],
                "route": route.name,
                "event": route.make(0, kit_seeds(kit)),
                "expected_status": route.expected_status,
                "secrets": secrets_for(kit),
            }
    # No warm-up run: the deployed tree is read-only and ships its bytecode (or does not).
    if "health" in functions:
        # References, not budgeted: what tracing adds, and what Powertools costs by itself.
        specs[TRACING_OFF] = specs["health"]
        envs[TRACING_OFF] = {**envs["health"], "POWERTOOLS_TRACE_DISABLED": "1"}
        # The floor needs Powertools' REST resolver, which the zips leave out: it runs from the
        # source tree, after one run that writes its bytecode.
        specs[FLOOR] = {**specs["health"], "module": "bench.floor_handler"}
        envs[FLOOR] = scenarios.lambda_environment("health", jwks_url)
        if not settings.quick:
            run_child(specs[FLOOR], envs[FLOOR])
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in specs}
    walls: dict[str, list[float]] = {name: [] for name in samples}
    # Interleaved, so a burst of load from the other users of this machine hits every side.
    for _ in range(settings.cold_runs):
        for name, runs in samples.items():
            started = time.perf_counter()
            runs.append(run_child(specs[name], envs[name]))
            walls[name].append((time.perf_counter() - started) * 1000)
    results: dict[str, Any] = {"baseline": _cold_figures(samples["baseline"], walls["baseline"])}
    baseline = results["baseline"]
    for function in functions:
        diagnosis = run_child(specs[function], envs[function], extra_args=("-X", "importtime"))
        results[function] = {
            "route": specs[function]["route"],
            **_cold_figures(samples[function], walls[function], baseline),
            "origins": samples[function][0]["origins"],
            "top_imports": top_imports(diagnosis["stderr"]),
        }
    results["reference"] = [
        {"name": name, **_cold_figures(samples[name], walls[name], baseline)}
        for name in (TRACING_OFF, FLOOR)
        if name in samples
    ]
    results["runs"] = settings.cold_runs
    return results


def _cold_figures(
    runs: list[dict[str, Any]], walls: list[float], baseline: dict[str, Any] | None = None
) -> dict[str, Any]:
    """CPU figures: the fastest run (the other jobs on the machine only ever add time); wall
    figures: the median. Ratios against the baseline's same figure."""
    figures: dict[str, Any] = {
        "init_cpu_ms": min(run["init_cpu_ms"] for run in runs),
        "init_cpu_median_ms": statistics.median(run["init_cpu_ms"] for run in runs),
        "cpu_ms": min(run["cpu_ms"] for run in runs),
        "first_request_cpu_ms": min(run["first_request_cpu_ms"] for run in runs),
        "init_ms": statistics.median(run["init_ms"] for run in runs),
        "first_request_ms": statistics.median(run["first_request_ms"] for run in runs),
        "total_ms": statistics.median(run["total_ms"] for run in runs),
        "wall_ms": statistics.median(walls),
    }
    if baseline is not None:
        figures["init_cpu_ratio"] = figures["init_cpu_ms"] / baseline["init_cpu_ms"]
        figures["init_cpu_median_ratio"] = (
            figures["init_cpu_median_ms"] / baseline["init_cpu_median_ms"]
        )
        figures["cpu_ratio"] = figures["cpu_ms"] / baseline["cpu_ms"]
        figures["ratio"] = figures["total_ms"] / baseline["total_ms"]
        figures["wall_ratio"] = figures["wall_ms"] / baseline["wall_ms"]
    return figures


def kit_seeds(kit: scenarios.TokenKit) -> dict[str, Any]:
    return {"cognito_token": kit.cognito_token, "partner_token": kit.partner_token}


# -- 2 and 4. warm overhead and DynamoDB calls ----------------------------------------------
def warm(
    settings: Settings, kit: scenarios.TokenKit, jwks_url: str, functions: list[str]
) -> dict[str, Any]:
    results = {}
    for function in functions:
        spec = {
            "mode": "warm",
            "function": function,
            "iterations": settings.warm_iterations,
            "secrets": secrets_for(kit),
            "seeds": kit_seeds(kit),
        }
        results[function] = run_child(spec, scenarios.lambda_environment(function, jwks_url))
    return results


# -- 3. package ---------------------------------------------------------------------------
def packages(build_dir: Path) -> dict[str, Any]:
    results = {}
    for zip_path in sorted(build_dir.glob("*.zip")):
        with zipfile.ZipFile(zip_path) as archive:
            infos = archive.infolist()
        top_level = sorted({info.filename.split("/")[0] for info in infos})
        results[zip_path.stem] = {
            "zipped_bytes": zip_path.stat().st_size,
            "unzipped_bytes": sum(info.file_size for info in infos),
            "files": len(infos),
            "top_level": top_level,
        }
    return results


# -- 5. devstack --------------------------------------------------------------------------
def devstack_available() -> bool:
    """``make up`` exists on this checkout (the devstack lands separately)."""
    probe = subprocess.run(
        ["make", "-n", "up"],  # noqa: S607 - make from PATH, like every other target
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def devstack(settings: Settings) -> dict[str, Any]:
    """Time `make up`, then GET /health through the stack (DEVSTACK_PORT picks the port)."""
    try:
        return _devstack(settings)
    except (OSError, ValueError, KeyError) as error:
        return {"status": f"failed: {type(error).__name__}: {error}"}


def _devstack(settings: Settings) -> dict[str, Any]:
    if not devstack_available():
        return {"status": "not available: this checkout has no `make up` target yet"}
    subprocess.run(["make", "down"], cwd=ROOT, capture_output=True, check=False)  # noqa: S607
    started = time.perf_counter()
    up = subprocess.run(["make", "up"], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S607
    up_seconds = time.perf_counter() - started
    try:
        if up.returncode != 0:
            return {"status": f"`make up` failed: {up.stderr[-500:]}", "up_seconds": up_seconds}
        started = time.perf_counter()
        again = subprocess.run(["make", "up"], cwd=ROOT, capture_output=True, check=False)  # noqa: S607
        again_seconds = time.perf_counter() - started
        if again.returncode != 0:
            return {"status": "a second `make up` failed", "up_seconds": up_seconds}
        stack = json.loads((ROOT / ".devstack" / "stack.json").read_text(encoding="utf-8"))
        region = stack["primary_region"]
        url = stack["regions"][region]["api_url"].rstrip("/") + "/health"
        for _ in range(5):  # warm the worker processes
            urllib.request.urlopen(url, timeout=30).read()  # noqa: S310 - our local stack
        samples = []
        for _ in range(settings.devstack_requests):
            started = time.perf_counter()
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                response.read()
            samples.append((time.perf_counter() - started) * 1_000_000)
        samples.sort()
        return {
            "status": "measured",
            "up_seconds": up_seconds,
            "up_again_seconds": again_seconds,
            "route": "GET /health",
            "requests": len(samples),
            "p50_us": samples[len(samples) // 2],
            "p99_us": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        }
    finally:
        subprocess.run(["make", "down"], cwd=ROOT, capture_output=True, check=False)  # noqa: S607


# -- machine ------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "arch": os.uname().machine,
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": sys.version.split()[0],
        "os": f"{os.uname().sysname} {os.uname().release}",
        "commit": commit or "unknown",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        # Other jobs on the machine stretch every figure; the ratios to the baselines less so.
        "load": f"{os.getloadavg()[0]:.1f}",
    }
