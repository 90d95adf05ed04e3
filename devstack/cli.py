"""Orchestration of the local stack: ``python -m devstack.cli up|down|logs|status|plan``.

* ``up``: start the emulator in the background (unless it already runs), apply the root module
  ``infra/`` with ``infra/envs/local.tfvars`` and a local state under ``.devstack/``, wait until
  every deployed API's ``/health`` answers 200, write ``.devstack/stack.json``, print the URLs.
  Run again with the same emulator and unchanged inputs (infra/, var file, zips) it skips
  Terraform; otherwise it applies the difference.
* ``down``: ``terraform destroy``, check the emulator holds nothing the stack created, stop the
  server and its Lambda workers, check no process is left.
* ``logs``: follow ``.devstack/devstack.log``. ``status``: what runs. ``plan``: ``terraform plan
  -detailed-exitcode`` against the devstack (exit 0 = no changes, 2 = changes).

Environment: ``DEVSTACK_PORT`` (default 4566), ``DEVSTACK_STATE_DIR`` (default ``.devstack``),
``DEVSTACK_INFRA_DIR`` (default ``infra``), ``DEVSTACK_VAR_FILE`` (default ``envs/local.tfvars``,
relative to the infra directory).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVER_START_TIMEOUT_S = 60.0
HEALTH_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 15.0
# Terraform walks 10 resources at a time by default
# (https://developer.hashicorp.com/terraform/cli/commands/apply#parallelism-n). Most of a devstack
# apply is the AWS provider sleeping between polls: 6 equal reads 5 s apart per SQS queue and
# queue policy (internal/service/sqs/wait.go), 5 s before the first Lambda state read
# (internal/service/lambda/function.go waitFunctionCreated), KMS key propagation; a sleeping
# resource holds its slot, so with 10 slots the WAF web ACLs and functions queued behind the
# queues. Measured in docs/testing-guide.md ("make up / make down").
DEFAULT_TF_PARALLELISM = 30
TEST_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


class DevstackError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    port: int
    state_dir: Path
    infra_dir: Path
    var_file: str

    @staticmethod
    def from_env() -> Settings:
        return Settings(
            port=int(os.environ.get("DEVSTACK_PORT", "4566")),
            state_dir=Path(os.environ.get("DEVSTACK_STATE_DIR", REPO_ROOT / ".devstack")).resolve(),
            infra_dir=Path(os.environ.get("DEVSTACK_INFRA_DIR", REPO_ROOT / "infra")).resolve(),
            var_file=os.environ.get("DEVSTACK_VAR_FILE", "envs/local.tfvars"),
        )

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def edge_port(self) -> int:
        """The local edge's listener (devstack.server: DEVSTACK_EDGE_PORT, default port + 1)."""
        return int(os.environ.get("DEVSTACK_EDGE_PORT", str(self.port + 1)))

    @property
    def edge_url(self) -> str:
        """The CloudFront distribution, served locally (paths as on CloudFront: /v1/...)."""
        return f"http://127.0.0.1:{self.edge_port}"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "devstack.log"

    @property
    def server_file(self) -> Path:
        return self.state_dir / "server.json"

    @property
    def terraform_log(self) -> Path:
        return self.state_dir / "terraform.log"

    @property
    def timings_file(self) -> Path:
        """Each resource's create/destroy timing in the last apply or destroy."""
        return self.state_dir / "terraform-timings.json"

    @property
    def tfstate(self) -> Path:
        return self.state_dir / "terraform.tfstate"

    @property
    def applied_file(self) -> Path:
        """Which server instance the Terraform state describes (moto keeps state in memory)."""
        return self.state_dir / "applied.json"

    @property
    def stack_file(self) -> Path:
        return self.state_dir / "stack.json"


def say(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


# -- the server process ---------------------------------------------------------------------------
def server_health(settings: Settings) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(  # noqa: S310 - fixed local http URL
            f"{settings.endpoint}/_devstack/health", timeout=2
        ) as answer:
            document = json.loads(answer.read())
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) and document.get("status") == "ok" else None


def recorded_server(settings: Settings) -> dict[str, Any] | None:
    try:
        document = json.loads(settings.server_file.read_text())
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still "exists"; treat it as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def running_server(settings: Settings) -> dict[str, Any] | None:
    """Health of the server we started (same instance as recorded), or None."""
    health = server_health(settings)
    recorded = recorded_server(settings)
    if health is None or recorded is None or health.get("instance") != recorded.get("instance"):
        return None
    return health


def start_server(settings: Settings) -> dict[str, Any]:
    health = running_server(settings)
    if health is not None:
        say(f"emulator already running (pid {health['pid']}) on {settings.endpoint}")
        return health
    if server_health(settings) is not None:
        raise DevstackError(
            f"port {settings.port} answers but is not a server started from {settings.state_dir}"
        )
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    settings.server_file.unlink(missing_ok=True)
    env = dict(os.environ)
    env.update(
        DEVSTACK_PORT=str(settings.port),
        DEVSTACK_STATE_DIR=str(settings.state_dir),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
    )
    with settings.log_file.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack.server"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO_ROOT,
            start_new_session=True,  # survives `make up`; stopped by `make down`
        )
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DevstackError(
                f"the emulator exited with {process.returncode}; see {settings.log_file}"
            )
        health = running_server(settings)
        if health is not None:
            say(f"emulator started (pid {process.pid}) on {settings.endpoint}")
            return health
        time.sleep(0.2)
    process.kill()
    raise DevstackError(f"the emulator did not answer within {SERVER_START_TIMEOUT_S:.0f} s")


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (Lambda workers and their children)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def stop_server(settings: Settings) -> None:
    recorded = recorded_server(settings)
    if recorded is None:
        say("no emulator recorded")
        return
    pid = int(recorded["pid"])
    if not pid_alive(pid):
        say(f"emulator (pid {pid}) is not running")
        settings.server_file.unlink(missing_ok=True)
        return
    family = descendants(pid)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.1)
    if pid_alive(pid):
        say(f"emulator (pid {pid}) ignored SIGTERM: killing it")
        os.kill(pid, signal.SIGKILL)
    leftovers = {p for p in family if pid_alive(p)}
    for child in leftovers:
        os.kill(child, signal.SIGKILL)
    settings.server_file.unlink(missing_ok=True)
    if leftovers:
        raise DevstackError(f"processes outlived the emulator and were killed: {sorted(leftovers)}")
    say(f"emulator (pid {pid}) and its {len(family)} worker process(es) stopped")


# -- Terraform ------------------------------------------------------------------------------------
def terraform_env(settings: Settings, region: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(TEST_CREDENTIALS)
    env.update(
        AWS_ENDPOINT_URL=settings.endpoint,
        AWS_REGION=region,
        AWS_DEFAULT_REGION=region,
        AWS_EC2_METADATA_DISABLED="true",
        TF_DATA_DIR=str(settings.state_dir / "tf"),
        TF_INPUT="0",
        TF_IN_AUTOMATION="1",
        CHECKPOINT_DISABLE="1",
    )
    # Every terraform command starts the AWS provider once per provider configuration and walk,
    # and each start builds its whole schema, mostly garbage-collector work at the default
    # GOGC=100; 400 (collect when the heap has grown 4x: https://pkg.go.dev/runtime#hdr-Environment_Variables)
    # measured ~16 % less CPU for ~480 instead of ~320 MB per provider process (mk/infra.mk too).
    env.setdefault("GOGC", "400")
    if not (REPO_ROOT / "scripts" / "terraform.sh").exists():
        config = provider_mirror_config(settings)
        if config is not None:
            env["TF_CLI_CONFIG_FILE"] = str(config)
    for key in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
    ):
        env.pop(key, None)
    return env


def terraform_command() -> list[str]:
    wrapper = REPO_ROOT / "scripts" / "terraform.sh"
    if wrapper.exists():
        return ["bash", str(wrapper)]
    binary = shutil.which("terraform")
    if binary is None:
        raise DevstackError("terraform is not installed")
    return [binary]


def provider_mirror_config(settings: Settings) -> Path | None:
    """A CLI config using the offline provider mirror (when scripts/terraform.sh is absent)."""
    mirror = Path(os.environ.get("TF_PROVIDER_MIRROR", "/opt/tf-plugins"))
    if not (mirror / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        return None
    config = settings.state_dir / "cli.tfrc"
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n'
    )
    return config


def terraform(
    settings: Settings, *args: str, check: bool = True, capture: bool = False
) -> int | str:
    command = [*terraform_command(), f"-chdir={settings.infra_dir}", *args]
    env = terraform_env(settings, primary_region(settings))
    if capture:
        result = subprocess.run(  # noqa: S603 - fixed program
            command, env=env, check=False, capture_output=True, text=True
        )
        if result.returncode != 0:
            sys.stderr.write(result.stderr)
            raise DevstackError(f"terraform {args[0]} failed ({result.returncode})")
        return result.stdout
    code = subprocess.run(command, env=env, check=False).returncode  # noqa: S603
    if check and code != 0:
        raise DevstackError(f"terraform {args[0]} failed ({code})")
    return code


@dataclass(frozen=True)
class ResourceTiming:
    """One resource's create or destroy, seconds since the Terraform command started."""

    address: str
    action: str  # "create" | "destroy" | "modify"
    started: float
    finished: float

    @property
    def seconds(self) -> float:
        return round(self.finished - self.started, 1)


_STARTED = re.compile(r"^(?P<address>\S.*?): (?P<verb>Creating|Destroying|Modifying)\.\.\.")
_FINISHED = re.compile(
    r"^(?P<address>\S.*?): (?P<verb>Creation|Destruction|Modifications) complete after"
)
_ACTIONS = {
    "Creating": "create",
    "Creation": "create",
    "Destroying": "destroy",
    "Destruction": "destroy",
    "Modifying": "modify",
    "Modifications": "modify",
}


def resource_timings(lines: list[tuple[float, str]]) -> list[ResourceTiming]:
    """Each resource's start and completion, from Terraform's human-readable output lines
    (``<address>: Creating...`` / ``<address>: Creation complete after 25s``), in the order
    they completed."""
    started: dict[tuple[str, str], float] = {}
    timings: list[ResourceTiming] = []
    for at, line in lines:
        begin = _STARTED.match(line)
        if begin:
            started[(begin["address"], _ACTIONS[begin["verb"]])] = at
            continue
        end = _FINISHED.match(line)
        if end:
            key = (end["address"], _ACTIONS[end["verb"]])
            if key in started:
                timings.append(ResourceTiming(key[0], key[1], started.pop(key), at))
    return timings


def timing_summary(timings: list[ResourceTiming], total: float, slowest: int = 6) -> str:
    """One line: when the first change started (Terraform's validate and plan walks before it)
    and the slowest resources."""
    if not timings:
        return f"no resource changed in {total:.1f} s"
    first = min(t.started for t in timings)
    ranked = sorted(timings, key=lambda t: t.seconds, reverse=True)[:slowest]
    parts = ", ".join(f"{t.address} ({t.action}) {t.seconds:.1f} s" for t in ranked)
    return f"first change after {first:.1f} s of {total:.1f} s; slowest: {parts}"


def terraform_logged(settings: Settings, *args: str) -> None:
    """Run a long Terraform command with its output in .devstack/terraform.log (the summary and,
    on failure, the end of the log are printed) and each resource's timing in
    .devstack/terraform-timings.json (where the time went)."""
    command = [*terraform_command(), f"-chdir={settings.infra_dir}", *args, "-no-color"]
    env = terraform_env(settings, primary_region(settings))
    log_path = settings.terraform_log
    say(f"terraform {args[0]} (output in {log_path})")
    timed: list[tuple[float, str]] = []
    started = time.monotonic()
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed program
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        for line in process.stdout or ():
            log.write(line)
            timed.append((time.monotonic() - started, line.rstrip("\n")))
        code = process.wait()
    total = time.monotonic() - started
    timings = resource_timings(timed)
    settings.timings_file.write_text(
        json.dumps(
            {
                "command": args[0],
                "seconds": round(total, 1),
                "resources": [
                    {
                        "address": t.address,
                        "action": t.action,
                        "started": round(t.started, 1),
                        "finished": round(t.finished, 1),
                    }
                    for t in timings
                ],
            },
            indent=1,
        )
        + "\n"
    )
    lines = [line for _, line in timed]
    if code != 0:
        print("\n".join(lines[-60:]), flush=True)
        raise DevstackError(f"terraform {args[0]} failed ({code}); full output in {log_path}")
    for line in lines:
        if re.match(r"^(Apply|Destroy) complete!", line):
            say(line)
    say(f"terraform {args[0]}: {timing_summary(timings, total)}")


def tf_parallelism() -> int:
    """How many resources Terraform changes at once against the devstack."""
    return int(os.environ.get("DEVSTACK_TF_PARALLELISM", str(DEFAULT_TF_PARALLELISM)))


def var_args(settings: Settings) -> list[str]:
    return [f"-var-file={settings.var_file}", f"-state={settings.tfstate}"]


def primary_region(settings: Settings) -> str:
    """primary_region from the var file (the root module's default otherwise)."""
    path = settings.infra_dir / settings.var_file
    try:
        for line in path.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "primary_region":
                return value.strip().strip('"')
    except OSError:
        pass
    return "us-east-1"


# A module's or provider requirement's `source` and `version` arguments.
_INSTALL_ARGUMENTS = re.compile(r"^\s*(?:source|version)\s*=.*$", re.MULTILINE)


def init_fingerprint(settings: Settings) -> str:
    """What `terraform init` installs from: the lock file's providers, every module's `source`
    and the provider requirements. Init installs the modules and providers the configuration
    names; nothing else it does applies to a local state without a backend block
    (https://developer.hashicorp.com/terraform/cli/commands/init)."""
    digest = hashlib.sha256()
    lock = settings.infra_dir / ".terraform.lock.hcl"
    digest.update(lock.read_bytes() if lock.exists() else b"no lock file")
    for path in sorted(settings.infra_dir.rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        digest.update(str(path.relative_to(settings.infra_dir)).encode())
        for source in _INSTALL_ARGUMENTS.findall(path.read_text(errors="replace")):
            digest.update(source.strip().encode())
    return digest.hexdigest()


def terraform_init(settings: Settings) -> None:
    """Install providers and modules into TF_DATA_DIR under the state directory (quietly);
    skipped (~6 s) when neither changed since the last init into that directory."""
    data_dir = settings.state_dir / "tf"
    stamp = data_dir / "devstack-init.sha256"
    fingerprint = init_fingerprint(settings)
    installed = all((data_dir / name).is_dir() for name in ("modules", "providers"))
    if installed and stamp.exists() and stamp.read_text() == fingerprint:
        return
    terraform(settings, "init", "-input=false", capture=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint)


def inputs_fingerprint(settings: Settings) -> str:
    """SHA-256 over everything Terraform reads: the module tree, the var file, the zips."""
    digest = hashlib.sha256()
    roots = [settings.infra_dir, REPO_ROOT / "build" / "lambda"]
    for root in roots:
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and ".terraform" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def applied_record(settings: Settings) -> dict[str, Any]:
    try:
        document = json.loads(settings.applied_file.read_text())
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def stack_applied(settings: Settings, instance: str) -> bool:
    return bool(applied_record(settings).get("instance") == instance and settings.tfstate.exists())


def apply(settings: Settings, instance: str) -> None:
    fingerprint = inputs_fingerprint(settings)
    if not stack_applied(settings, instance):
        # The state describes another (stopped) emulator whose resources are gone.
        for stale in settings.state_dir.glob("terraform.tfstate*"):
            stale.unlink()
        settings.applied_file.unlink(missing_ok=True)
    elif applied_record(settings).get("fingerprint") == fingerprint:
        # Same emulator, same inputs as the last successful apply: nothing can have changed
        # (`make stack-plan` runs the full refresh-and-compare).
        say("the stack is up to date (same emulator, same Terraform inputs)")
        return
    started = time.monotonic()
    # Recorded first: a failed apply leaves resources that `down` must still destroy.
    settings.applied_file.write_text(json.dumps({"instance": instance}))
    terraform_logged(
        settings,
        "apply",
        "-input=false",
        "-auto-approve",
        f"-parallelism={tf_parallelism()}",
        *var_args(settings),
    )
    settings.applied_file.write_text(json.dumps({"instance": instance, "fingerprint": fingerprint}))
    say(f"terraform apply took {time.monotonic() - started:.1f} s")


def terraform_outputs(settings: Settings) -> dict[str, Any]:
    raw = terraform(settings, "output", "-json", f"-state={settings.tfstate}", capture=True)
    document = json.loads(str(raw) or "{}")
    return {name: entry.get("value") for name, entry in document.items()}


# -- discovery and stack.json ---------------------------------------------------------------------
def aws_client(settings: Settings, service: str, region: str) -> Any:  # noqa: ANN401 - boto3
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=settings.endpoint,
        aws_access_key_id=TEST_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def stack_regions(outputs: dict[str, Any], fallback: str) -> list[str]:
    regions = [outputs.get("primary_region"), outputs.get("secondary_region")]
    found = [r for r in regions if isinstance(r, str)]
    return found or [fallback]


def discover_apis(settings: Settings, regions: list[str]) -> dict[str, str]:
    """region -> stage base URL of each REST API deployed in the emulator."""
    urls: dict[str, str] = {}
    for region in regions:
        client = aws_client(settings, "apigateway", region)
        for api in client.get_rest_apis().get("items", []):
            stages = client.get_stages(restApiId=api["id"]).get("item", [])
            if stages:
                stage = sorted(s["stageName"] for s in stages)[0]
                urls[region] = f"{settings.endpoint}/restapis/{api['id']}/{stage}/_user_request_"
    return urls


def stage_of(api_url: str) -> str:
    """The stage name of an emulator stage URL (``.../restapis/{id}/{stage}/_user_request_``)."""
    parts = api_url.rstrip("/").split("/")
    return parts[-2] if parts[-1] == "_user_request_" else parts[-1]


def discover_cognito(settings: Settings, outputs: dict[str, Any], region: str) -> dict[str, str]:
    pool_id = outputs.get("user_pool_id")
    client_id = outputs.get("user_pool_client_id")
    client = aws_client(settings, "cognito-idp", region)
    if not isinstance(pool_id, str):
        pools = client.list_user_pools(MaxResults=10).get("UserPools", [])
        pool_id = pools[0]["Id"] if pools else ""
    if not isinstance(client_id, str) and pool_id:
        clients = client.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)
        entries = clients.get("UserPoolClients", [])
        client_id = entries[0]["ClientId"] if entries else ""
    pool_region = pool_id.split("_", 1)[0] if pool_id else region
    return {"region": pool_region, "user_pool_id": pool_id or "", "client_id": client_id or ""}


def wait_for_health(urls: dict[str, str]) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    pending = dict(urls)
    last_error: dict[str, str] = {}
    while pending and time.monotonic() < deadline:
        for region, url in list(pending.items()):
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=30) as answer:  # noqa: S310
                    if answer.status == 200:
                        say(f"{region}: GET /health -> 200")
                        del pending[region]
            except urllib.error.HTTPError as error:
                last_error[region] = f"{error.code} {error.read()[:200]!r}"
            except OSError as error:
                last_error[region] = str(error)
        if pending:
            time.sleep(0.5)
    if pending:
        details = "; ".join(f"{r}: {last_error.get(r, '?')}" for r in pending)
        raise DevstackError(
            f"APIs did not become healthy within {HEALTH_TIMEOUT_S:.0f} s: {details}"
        )


def write_stack_file(settings: Settings) -> dict[str, Any]:
    outputs = terraform_outputs(settings)
    primary = outputs.get("primary_region")
    primary = primary if isinstance(primary, str) else primary_region(settings)
    regions = stack_regions(outputs, primary)
    urls = discover_apis(settings, regions)
    if not urls:
        raise DevstackError("terraform applied, but no REST API stage exists in the emulator")
    wait_for_health(urls)
    stage = stage_of(urls.get(primary) or next(iter(urls.values())))
    # The edge forwards to the active region: its health proves the whole viewer path.
    wait_for_health({"edge": f"{settings.edge_url}/{stage}"})
    stack = {
        "aws_endpoint_url": settings.endpoint,
        "edge_url": settings.edge_url,
        "primary_region": primary,
        "regions": {region: {"api_url": url} for region, url in urls.items()},
        "cognito": discover_cognito(settings, outputs, primary),
        "terraform_outputs": outputs,
    }
    settings.stack_file.write_text(json.dumps(stack, indent=2) + "\n")
    return stack


def print_summary(settings: Settings, stack: dict[str, Any]) -> None:
    say(f"stack description: {settings.stack_file}")
    for region, entry in stack["regions"].items():
        say(f"{region}: {entry['api_url']}")
    say(f"edge (CloudFront): {stack['edge_url']}")
    first = next(iter(stack["regions"].values()))["api_url"]
    print(
        "\nTry it:\n"
        f"  curl -s {stack['edge_url']}/{stage_of(first)}/health\n"
        f"  AWS_ENDPOINT_URL={settings.endpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "
        f"aws dynamodb list-tables --region {stack['primary_region']}\n"
        "  make logs   # follow the emulator and function logs\n"
        "  make down   # destroy the stack and stop everything\n",
        flush=True,
    )


# -- leftovers check ------------------------------------------------------------------------------
def leftovers(settings: Settings, regions: list[str]) -> list[str]:
    """Resources of the kinds the stack creates that still exist in the emulator."""
    found: list[str] = []

    def check(label: str, listing: Callable[[], list[str]]) -> None:
        try:
            names = listing()
        except Exception as error:  # a listing the emulator cannot do is reported, not fatal
            found.append(f"{label}: could not list ({error})")
            return
        found.extend(f"{label}: {name}" for name in names)

    for region in regions:

        def client(service: str, r: str = region) -> Any:  # noqa: ANN401 - boto3
            return aws_client(settings, service, r)

        check(f"dynamodb tables ({region})", lambda: client("dynamodb").list_tables()["TableNames"])
        check(
            f"REST APIs ({region})",
            lambda: [a["id"] for a in client("apigateway").get_rest_apis()["items"]],
        )
        check(
            f"Lambda functions ({region})",
            lambda: [f["FunctionName"] for f in client("lambda").list_functions()["Functions"]],
        )
        check(
            f"user pools ({region})",
            lambda: [
                p["Id"] for p in client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]
            ],
        )
        check(
            f"secrets ({region})",
            lambda: [s["Name"] for s in client("secretsmanager").list_secrets()["SecretList"]],
        )
        check(
            f"log groups ({region})",
            lambda: [g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]],
        )
        check(
            f"SNS topics ({region})",
            lambda: [t["TopicArn"] for t in client("sns").list_topics()["Topics"]],
        )
        check(
            f"alarms ({region})",
            lambda: [
                a["AlarmName"] for a in client("cloudwatch").describe_alarms()["MetricAlarms"]
            ],
        )
        check(f"KMS keys ({region})", lambda: _customer_keys(client("kms")))
        check("IAM roles", lambda: [r["RoleName"] for r in client("iam").list_roles()["Roles"]])
    check(
        "CloudFront distributions",
        lambda: [
            d["Id"]
            for d in (
                aws_client(settings, "cloudfront", "us-east-1")
                .list_distributions()["DistributionList"]
                .get("Items")
                or []
            )
        ],
    )
    check(
        "WAF web ACLs",
        lambda: [
            w["Name"]
            for w in aws_client(settings, "wafv2", "us-east-1").list_web_acls(Scope="CLOUDFRONT")[
                "WebACLs"
            ]
        ],
    )
    check(
        "Route 53 zones",
        lambda: [
            z["Name"]
            for z in aws_client(settings, "route53", "us-east-1").list_hosted_zones()["HostedZones"]
        ],
    )
    return sorted(set(found))


def _customer_keys(client: Any) -> list[str]:  # noqa: ANN401 - boto3 client
    """Customer keys not scheduled for deletion (the emulator's AWS-managed keys excluded)."""
    aws_managed = {
        alias["TargetKeyId"]
        for alias in client.list_aliases()["Aliases"]
        if alias["AliasName"].startswith("alias/aws/") and "TargetKeyId" in alias
    }
    names = []
    for key in client.list_keys()["Keys"]:
        if key["KeyId"] in aws_managed:
            continue
        metadata = client.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        pending = metadata["KeyState"] in ("PendingDeletion", "PendingReplicaDeletion")
        if metadata["KeyManager"] == "CUSTOMER" and not pending:
            names.append(key["KeyId"])
    return names


# -- commands -------------------------------------------------------------------------------------
def apply_on_fresh_emulator_if_needed(settings: Settings, instance: str) -> None:
    """Apply; a FIRST apply that fails is retried once on a new, empty emulator.

    The emulator is moto behind a threaded dev server, not AWS: rarely, a create call is answered
    but the provider retries it and gets "duplicate" (seen once so far: WAFv2 CreateWebACL).
    The half-created stack cannot be re-applied (the orphan is not in the state), so the retry
    starts from nothing. A real error in the Terraform fails both attempts and is reported."""
    first = not stack_applied(settings, instance)
    try:
        apply(settings, instance)
    except DevstackError as error:
        if not first:
            raise
        kept = settings.state_dir / "terraform-first-attempt.log"
        if settings.terraform_log.exists():
            shutil.copyfile(settings.terraform_log, kept)
        # The emulator's log of that attempt: SDK retries with the answer to the attempt before,
        # and connections a client dropped (devstack.retries) say why a create was a duplicate.
        kept_log = settings.state_dir / "devstack-first-attempt.log"
        if settings.log_file.exists():
            shutil.copyfile(settings.log_file, kept_log)
        say(
            f"first apply failed ({error}); retrying once on a fresh emulator (logs of the "
            f"failed attempt kept in {kept} and {kept_log})"
        )
        stop_server(settings)
        fresh = start_server(settings)
        apply(settings, str(fresh["instance"]))


def cmd_up(settings: Settings) -> int:
    started = time.monotonic()
    health = start_server(settings)
    terraform_init(settings)
    apply_on_fresh_emulator_if_needed(settings, str(health["instance"]))
    stack = write_stack_file(settings)
    print_summary(settings, stack)
    say(f"make up took {time.monotonic() - started:.1f} s")
    return 0


def destroy(settings: Settings) -> None:
    """terraform destroy without the read-back, then, only if that fails, once more with it.

    ``terraform destroy`` normally runs a full plan first to refresh every resource (139 reads
    and the provider's diff of each, the WAF web ACLs' nested rules above all: about 30 s of CPU
    and half of ``make down``); ``-refresh=false`` skips that plan
    (https://developer.hashicorp.com/terraform/cli/commands/plan#refresh-false). The state was
    written by this emulator's own apply (``stack_applied`` checked its instance), and
    ``leftovers()`` afterwards proves that nothing the stack created remains. When the first run
    fails, the second reads back what is left first, so it finishes what the first left: e.g. a
    usage plan whose stage-removal PATCH (one non-idempotent call before DeleteUsagePlan) was
    resent by the SDK after the first one had succeeded, which AWS answers "Invalid API Stage
    specified". A second failure is reported."""
    arguments = ("-input=false", "-auto-approve", *var_args(settings))
    try:
        terraform_logged(settings, "destroy", "-refresh=false", *arguments)
    except DevstackError as error:
        say(f"{error}: destroying once more (Terraform reads back what is left first)")
        terraform_logged(settings, "destroy", *arguments)


def cmd_down(settings: Settings) -> int:
    started = time.monotonic()
    problems: list[str] = []
    health = running_server(settings)
    if health is not None and stack_applied(settings, str(health["instance"])):
        terraform_init(settings)
        regions = [primary_region(settings)]
        with contextlib.suppress(DevstackError):
            regions = stack_regions(terraform_outputs(settings), regions[0])
        try:
            destroy(settings)
            remaining = leftovers(settings, regions)
            if remaining:
                problems.append("the emulator still holds:\n  " + "\n  ".join(remaining))
        except DevstackError as error:
            problems.append(str(error))
    elif settings.tfstate.exists():
        say("the emulator that held this state is gone: nothing to destroy")
    try:
        stop_server(settings)
    except DevstackError as error:
        problems.append(str(error))
    for stale in [
        *settings.state_dir.glob("terraform.tfstate*"),
        settings.applied_file,
        settings.stack_file,
    ]:
        stale.unlink(missing_ok=True)
    if problems:
        raise DevstackError("\n".join(problems))
    say(f"make down took {time.monotonic() - started:.1f} s; nothing left behind")
    return 0


def cmd_logs(settings: Settings) -> int:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    settings.log_file.touch()
    os.execvp("tail", ["tail", "-n", "100", "-F", str(settings.log_file)])  # noqa: S606, S607


def cmd_status(settings: Settings) -> int:
    health = running_server(settings)
    if health is None:
        say("emulator: not running")
        return 1
    say(f"emulator: pid {health['pid']} on {settings.endpoint}")
    if settings.stack_file.exists():
        print(settings.stack_file.read_text(), end="")
    return 0


def cmd_plan(settings: Settings) -> int:
    health = running_server(settings)
    if health is None or not stack_applied(settings, str(health["instance"])):
        raise DevstackError("the stack is not up: run `make up` first")
    terraform_init(settings)
    code = terraform(
        settings,
        "plan",
        "-input=false",
        "-detailed-exitcode",
        "-lock=false",
        *var_args(settings),
        check=False,
    )
    say("plan: no changes" if code == 0 else f"plan exit code {code} (2 = changes)")
    return int(code)


COMMANDS: dict[str, Callable[[Settings], int]] = {
    "up": cmd_up,
    "down": cmd_down,
    "logs": cmd_logs,
    "status": cmd_status,
    "plan": cmd_plan,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=sorted(COMMANDS))
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](Settings.from_env())
    except DevstackError as error:
        say(f"error: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
