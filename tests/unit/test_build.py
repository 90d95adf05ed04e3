"""`make build` output: deterministic, small, per-function dependencies, importable handlers.

Marked ``build`` (run by ``make test-build``, not ``make test-unit``): it installs the Lambda
platform wheels (cached under build/wheels after the first run).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from unit_support import received_segment_documents, xray_daemon_socket

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ("authorizer", "health", "profiles", "transaction_events", "transactions")
MAX_ZIP_BYTES = 5_000_000
# The zips target arm64; on this host their compiled modules come from the test venv instead
# (what the devstack runtime does too).
NATIVE_PREFIXES = ("cryptography/", "cffi/", "_cffi_backend", "wrapt/_wrappers")


def build(out: Path, build_dir: Path) -> None:
    command = [
        sys.executable,
        str(ROOT / "scripts" / "build_lambda.py"),
        "--out",
        str(out),
        "--build-dir",
        str(build_dir),
    ]
    subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 - fixed argv


@pytest.fixture(scope="module")
def fresh_build_dir(tmp_path_factory) -> Path:
    """A build directory with the cached wheels (offline) but no installed dependency tree."""
    fresh = tmp_path_factory.mktemp("fresh-build")
    shutil.copytree(ROOT / "build" / "wheels", fresh / "wheels")
    return fresh


@pytest.fixture(scope="module")
def builds(tmp_path_factory, fresh_build_dir) -> tuple[Path, Path]:
    """The same sources built twice: once with the shared cache, once with fresh installs."""
    # build/lambda itself stays untouched: under `make test` Terraform reads it beside this suite
    # (the stack's apply and the tf-test-* plans read build.json, which a build rewrites). The
    # first build starts from a copy of `make build`'s output, so unchanged zips are not rewritten.
    first = tmp_path_factory.mktemp("first") / "lambda"
    if (ROOT / "build" / "lambda").is_dir():
        shutil.copytree(ROOT / "build" / "lambda", first)
    build(first, ROOT / "build")
    # Same cached wheels, but every dependency tree is installed anew.
    second = tmp_path_factory.mktemp("second") / "lambda"
    build(second, fresh_build_dir)
    return first, second


def assert_ships_valid_bytecode(zip_path: Path, cache_tag: str) -> None:
    """Every module ships its bytecode for the runtime's interpreter, valid without its mtime.

    On Lambda /var/task is read-only: a module without a usable .pyc is compiled again at every
    cold start. The zip's fixed 1980 timestamps would make timestamp-based .pyc stale, so each is
    hash-based and unchecked (PEP 552: flags == 0b01): it records the source's hash and is used as
    is. Nothing else is cached: no .pyc for another interpreter, none without its source.
    """
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
        sources = {n for n in names if n.endswith(".py")}
        pycs = {n for n in names if n.endswith(".pyc") or "__pycache__/" in n}
        expected = {
            f"{n.rsplit('/', 1)[0] + '/' if '/' in n else ''}__pycache__/"
            f"{n.rsplit('/', 1)[-1][:-3]}.{cache_tag}.pyc"
            for n in sources
        }
        assert pycs == expected, (sorted(pycs - expected)[:5], sorted(expected - pycs)[:5])
        for source in sorted(sources):
            pyc = importlib.util.cache_from_source(source).replace(
                sys.implementation.cache_tag, cache_tag
            )
            header = archive.read(pyc)[:16]
            assert int.from_bytes(header[4:8], "little") == 0b01, pyc  # hash-based, unchecked
            if cache_tag == sys.implementation.cache_tag:
                # The hash is keyed by the interpreter's magic number: checkable here only for
                # this interpreter (test_every_function_imports_with_its_runtime loads the others).
                assert header[8:16] == importlib.util.source_hash(archive.read(source)), pyc


def assert_meridian_imports_are_shipped(names: list[str]) -> None:
    """Every ``meridian`` module the shipped modules import (anywhere in them) is in the zip."""
    import ast  # noqa: PLC0415

    def module_name(name: str) -> str:
        return name[:-3].replace("/", ".").removesuffix(".__init__")

    def is_module(dotted: str) -> bool:
        path = ROOT / "src" / dotted.replace(".", "/")
        return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()

    shipped = {module_name(n) for n in names if n.endswith(".py")}
    imported: set[str] = set()
    for name in (n for n in names if n.startswith("meridian/") and n.endswith(".py")):
        for node in ast.walk(ast.parse((ROOT / "src" / name).read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("meridian"):
                imported.add(node.module or "")
                imported |= {
                    f"{node.module}.{alias.name}"
                    for alias in node.names
                    if is_module(f"{node.module}.{alias.name}")
                }
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names if a.name.startswith("meridian")}
    assert imported - shipped == set(), f"imported but not in the zip: {imported - shipped}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_is_deterministic_and_small(builds, function) -> None:
    first, second = (directory / f"{function}.zip" for directory in builds)
    assert sha256(first) == sha256(second)
    assert first.stat().st_size <= MAX_ZIP_BYTES


# The REST functions need the same packages: pip installs them once per runtime and architecture,
# and their zips (same code, same trimming) are one zip written once and copied.
REST_FUNCTIONS = ("health", "profiles", "transactions")


def test_functions_with_the_same_dependencies_share_one_install_and_one_zip(
    builds, fresh_build_dir
) -> None:
    (site,) = (fresh_build_dir / "site").iterdir()
    # No third-party package but PyJWT + cryptography (authorizer): every other function ships
    # the same zip (all of meridian).
    assert sorted(tree.name for tree in site.iterdir()) == ["authorizer", "health"]
    same_zip = ("health", "profiles", "transaction_events", "transactions")
    for directory in builds:
        assert len({sha256(directory / f"{function}.zip") for function in same_zip}) == 1
        assert len({sha256(directory / f"{function}.zip") for function in FUNCTIONS}) == 2


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_contents(builds, function) -> None:
    with zipfile.ZipFile(builds[0] / f"{function}.zip") as archive:
        names = archive.namelist()
        infos = archive.infolist()
    assert names == sorted(names)
    assert f"meridian/handlers/{function}.py" in names
    if function == "authorizer":
        # Only the meridian modules it imports (its zip is the one near 5 MB).
        assert not [n for n in names if n.startswith(("meridian/schemas/", "meridian/repository"))]
        assert_meridian_imports_are_shipped(names)
    else:
        assert "meridian/schemas/transaction_create.json" in names
    assert_ships_valid_bytecode(builds[0] / f"{function}.zip", "cpython-313")
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    top_level = {name.split("/")[0] for name in names}
    assert not top_level & {"boto3", "botocore", "s3transfer"}
    # Logs, metrics and traces are meridian.observability's: no tracer SDK in any zip.
    assert not top_level & {"aws_xray_sdk", "wrapt"}
    # Idempotency is the repository's guard item: no function ships Powertools.
    assert not top_level & {"aws_lambda_powertools", "jmespath", "typing_extensions"}
    if function == "authorizer":
        assert {"jwt", "cryptography"} <= top_level
        assert "cryptography-48.0.0.dist-info/RECORD" in names
    elif function == "transaction_events":
        # The stream consumer: its own partial batch response, no request schemas.
        assert not top_level & {"jwt", "cryptography", "cffi"}
    else:
        assert not top_level & {"jwt", "cryptography", "cffi"}
        assert "meridian/validators/generated/transaction_create.py" in names
    # The request validators are generated ahead of time (meridian.validators).
    assert "fastjsonschema" not in top_level


@pytest.fixture
def daemon() -> Iterator[socket.socket]:
    listener = xray_daemon_socket()
    yield listener
    listener.close()


SMOKE = r"""
import json, sys
from importlib import import_module
function, event = sys.argv[1], json.loads(sys.argv[2])
class Context:
    function_name = "smoke"; memory_limit_in_mb = 128; aws_request_id = "req-1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:smoke"
    def get_remaining_time_in_millis(self): return 3000
module = import_module(f"meridian.handlers.{function}")
try:
    result = module.handler(event, Context())
except Exception as error:
    result = {"raised": str(error)}
loaded = sorted(m for m in sys.modules if m.startswith(("aws_", "wrapt", "meridian")))
powertools = sys.modules.get("aws_lambda_powertools")
print("SMOKE" + json.dumps({"result": result, "loaded": loaded,
                            "powertools": getattr(powertools, "__file__", None)}))
"""


def rest_event(method: str, path: str, headers: dict | None = None) -> dict:
    return {
        "httpMethod": method,
        "path": path,
        "resource": path,
        "headers": headers or {},
        "requestContext": {
            "requestId": "r-1",
            "stage": "v1",
            "authorizer": {
                "principalId": "user:u-1",
                "caller_kind": "user",
                "caller_id": "u-1",
                "claims": {"sub": "u-1"},
            },
        },
        "body": None,
        "isBase64Encoded": False,
    }


CASES = {
    "health": (rest_event("GET", "/health"), 503),
    "profiles": (rest_event("GET", "/nowhere"), 404),
    "transactions": (
        rest_event("POST", "/transactions", {"Content-Type": "application/json"}),
        400,
    ),
    # SNS unreachable (nothing listens on the endpoint): the one record fails, and a batch whose
    # every record failed raises so the event source mapping bisects and retries it.
    "transaction_events": (
        {
            "Records": [
                {
                    "eventID": "1",
                    "eventName": "INSERT",
                    "eventSource": "aws:dynamodb",
                    "awsRegion": "us-east-1",
                    "dynamodb": {
                        "SequenceNumber": "100",
                        "NewImage": {
                            "pk": {"S": "USER#u-1"},
                            "sk": {"S": "TXN#01JDZZZZZZZZZZZZZZZZZZZZZZ"},
                            "written_region": {"S": "us-east-1"},
                            "transaction_id": {"S": "01JDZZZZZZZZZZZZZZZZZZZZZZ"},
                            "amount": {"N": "1"},
                            "currency": {"S": "USD"},
                            "type": {"S": "credit"},
                            "status": {"S": "committed"},
                            "created_at": {"S": "2026-12-02T00:00:00Z"},
                        },
                    },
                }
            ]
        },
        "raised",
    ),
    "authorizer": (
        {
            "type": "TOKEN",
            "authorizationToken": "Bearer not-a-token",
            "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc/v1/GET/transactions",
        },
        None,
    ),
}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_handler_runs_from_its_zip(builds, tmp_path, function, daemon) -> None:
    with zipfile.ZipFile(builds[0] / f"{function}.zip") as archive:
        for name in archive.namelist():
            if not name.startswith(NATIVE_PREFIXES):
                archive.extract(name, tmp_path)
    venv_site = next(Path(sys.prefix, "lib").glob("python3*/site-packages"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": f"{tmp_path}:{venv_site}",
        "LAMBDA_TASK_ROOT": str(tmp_path),
        # A sampled invocation, as Lambda announces it: subsegments go to the daemon address.
        "AWS_LAMBDA_FUNCTION_NAME": "smoke",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;"
        "Sampled=1",
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:5148",  # nothing listens: DynamoDB unreachable
        "ENVIRONMENT": "smoke",
        "TABLE_NAME": "meridian-smoke",
        "MAX_TRANSACTION_AMOUNTS": '{"USD": "1000"}',
        "CORS_ALLOW_ORIGIN": "*",
        "WRITE_REGION": "us-east-1",
        "COGNITO_USER_POOL_ID": "us-east-1_Smoke1",
        "COGNITO_APP_CLIENT_IDS": "client1",
        "PARTNER_KEY_SECRET_PREFIX": "meridian-smoke/partner-keys/",
        "USAGE_KEY_PREFIX": "meridian-smoke-usage-",
        "PARTNER_ISSUER": "issuer",
        "PARTNER_AUDIENCE": "audience",
        "EVENTS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:meridian-smoke-transaction-events",
        "POWERTOOLS_SERVICE_NAME": function,
        "POWERTOOLS_METRICS_NAMESPACE": "Meridian",
    }
    event, expected_status = CASES[function]
    completed = subprocess.run(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path[:0] = {env['PYTHONPATH'].split(':')!r}\n" + SMOKE,
            function,
            json.dumps(event),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    line = next(line for line in completed.stdout.splitlines() if line.startswith("SMOKE"))
    report = json.loads(line.removeprefix("SMOKE"))
    assert report["powertools"] is None
    assert "meridian.observability" in report["loaded"]
    assert not [name for name in report["loaded"] if name.startswith(("aws_xray_sdk", "wrapt"))]
    # The sampled invocation's subsegments reached the daemon address: the handler's, and one per
    # AWS SDK call (nothing listens on the endpoint, so the calls health and the publisher make
    # are faults; the other cases answer before any call).
    subsegments = received_segment_documents(daemon)
    assert "## handler" in {document["name"] for document in subsegments}
    calls = {document["name"]: document for document in subsegments if "namespace" in document}
    expected_call = {"health": "dynamodb", "transaction_events": "sns"}.get(function)
    assert set(calls) == ({expected_call} if expected_call else set())
    if expected_call:
        assert calls[expected_call]["fault"] is True
        assert calls[expected_call]["namespace"] == "aws"
    if expected_status is None:
        assert report["result"] == {"raised": "Unauthorized"}
    elif expected_status == "raised":
        assert "All records failed" in report["result"]["raised"]
    else:
        assert report["result"]["statusCode"] == expected_status
        assert set(json.loads(report["result"]["body"])["error"]) == {
            "code",
            "message",
            "request_id",
        }


# --- The build follows lambda_runtime ------------------------------------------------------------
# Compiled extensions are built per CPython ABI and machine: a zip built for python3.13 carries
# _cffi_backend.cpython-313-aarch64-linux-gnu.so, which python3.11 cannot import
# (https://docs.aws.amazon.com/lambda/latest/dg/python-package.html#python-package-native-libraries).
# So every runtime Terraform accepts is built and checked: the arm64 zips (what Lambda runs) by
# their wheel tags and extension suffixes, and an x86_64 build of the same pins (this host's
# machine) by importing every function with that CPython version.

RUNTIMES = ("python3.10", "python3.11", "python3.12", "python3.13")
DEFAULT_RUNTIME = "python3.13"


def load_build_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "build_lambda", ROOT / "scripts" / "build_lambda.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_for(runtime: str, architecture: str, out: Path) -> None:
    command = [
        sys.executable,
        str(ROOT / "scripts" / "build_lambda.py"),
        "--runtime",
        runtime,
        "--architecture",
        architecture,
        "--out",
        str(out),
    ]
    subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 - fixed argv


def test_build_accepts_exactly_the_runtimes_terraform_accepts() -> None:
    variables = (ROOT / "infra" / "variables.tf").read_text()
    block = variables.split('variable "lambda_runtime"', 1)[1].split("\nvariable ", 1)[0]
    accepted = re.search(r"contains\(\[([^\]]+)\], var\.lambda_runtime\)", block)
    assert accepted is not None
    terraform_runtimes = tuple(name.strip().strip('"') for name in accepted.group(1).split(","))
    assert terraform_runtimes == load_build_script().SUPPORTED_RUNTIMES == RUNTIMES
    assert load_build_script().DEFAULT_RUNTIME == DEFAULT_RUNTIME


def extension_suffix_ok(name: str, runtime: str, machine: str) -> bool:
    tag = "cp" + runtime.removeprefix("python").replace(".", "")
    return name.endswith(f".cpython-{tag[2:]}-{machine}-linux-gnu.so") or name.endswith(".abi3.so")


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_arm64_zips_are_built_for_the_runtime(builds, tmp_path, runtime) -> None:
    if runtime == DEFAULT_RUNTIME:
        out = builds[0]  # the default runtime on arm64: `make build`'s zips, built once
    else:
        out = tmp_path / "lambda"
        build_for(runtime, "arm64", out)
    assert json.loads((out / "build.json").read_text()) == {
        "runtime": runtime,
        "architecture": "arm64",
    }
    version = runtime.removeprefix("python").replace(".", "")
    for function in FUNCTIONS:
        with zipfile.ZipFile(out / f"{function}.zip") as archive:
            names = archive.namelist()
            extensions = [n for n in names if n.endswith(".so")]
            # cffi + cryptography in the authorizer; no other zip ships a compiled extension.
            assert bool(extensions) == (function == "authorizer"), function
            wrong = [n for n in extensions if not extension_suffix_ok(n, runtime, "aarch64")]
            assert not wrong, f"{function} ({runtime}) has extensions for another ABI: {wrong}"
            for wheel in (n for n in names if n.endswith(".dist-info/WHEEL")):
                tags = [
                    line.split(":", 1)[1].strip()
                    for line in archive.read(wheel).decode().splitlines()
                    if line.startswith("Tag:")
                ]
                assert any(
                    (t.startswith(("py3-", "py2.py3-")) and t.endswith("-any"))
                    or (t.startswith(f"cp{version}-cp{version}-") and "aarch64" in t)
                    or (
                        (abi3 := re.match(r"cp3(\d+)-abi3-.*aarch64", t)) is not None
                        and int(abi3.group(1)) <= int(version[1:])
                    )
                    for t in tags
                ), f"{wheel} of {function} does not fit {runtime} on arm64: {tags}"
        if function == "authorizer":
            assert f"_cffi_backend.cpython-{version}-aarch64-linux-gnu.so" in names
        # Bytecode for this runtime's CPython (compiled by that interpreter), valid as shipped.
        assert_ships_valid_bytecode(out / f"{function}.zip", f"cpython-{version}")
    # health, profiles and the publisher ship the same files (meridian and no third-party
    # package): equal bytes on this runtime too.
    same_files = ("health", "profiles", "transaction_events")
    assert len({sha256(out / f"{name}.zip") for name in same_files}) == 1


IMPORT_EVERY_FUNCTION = r"""
import importlib, importlib.util, os, sys
loaded = {}
for name in sys.argv[1:]:
    module = importlib.import_module(f"meridian.handlers.{name}")
    loaded[name] = callable(module.handler)
# Each imported module of the zip has its bytecode for THIS interpreter in the zip.
root = sys.path[0]
without = sorted(
    m.__name__ for m in list(sys.modules.values())
    if (getattr(m, "__file__", None) or "").startswith(root) and m.__file__.endswith(".py")
    and not os.path.isfile(importlib.util.cache_from_source(m.__file__))
)
assert not without, without
if "authorizer" in sys.argv[1:]:
    import _cffi_backend
    from cryptography.hazmat.primitives.asymmetric import rsa
    rsa.generate_private_key(public_exponent=65537, key_size=1024)
    loaded["_cffi_backend"] = _cffi_backend.__file__
print(sys.version_info[:2], loaded)
"""


# What the functions read at import time (infra/modules/regional_api sets it in Lambda); both the
# single partner secret and the per-partner key settings, so the proof holds across that change.
FUNCTION_CONFIG = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "ENVIRONMENT": "runtime-proof",
    "TABLE_NAME": "meridian-runtime-proof",
    "MAX_TRANSACTION_AMOUNTS": '{"USD": "1000"}',
    "CORS_ALLOW_ORIGIN": "*",
    "WRITE_REGION": "us-east-1",
    "COGNITO_USER_POOL_ID": "us-east-1_Proof1",
    "COGNITO_APP_CLIENT_IDS": "client1",
    "PARTNER_KEY_SECRET_PREFIX": "meridian-proof/partner-keys/",
    "PARTNER_KEY_CACHE_SECONDS": "300",
    "PARTNER_TOKEN_MAX_LIFETIME_SECONDS": "3600",
    "USAGE_KEY_PREFIX": "meridian-proof-usage-",
    "PARTNER_ISSUER": "issuer",
    "PARTNER_AUDIENCE": "audience",
    "EVENTS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:meridian-proof-transaction-events",
    "POWERTOOLS_METRICS_NAMESPACE": "Meridian",
}


def interpreter(runtime: str) -> str | None:
    version = runtime.removeprefix("python")
    pyenv = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))
    return str(pyenv[-1]) if pyenv else shutil.which(runtime)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_every_function_imports_with_its_runtime(tmp_path, runtime) -> None:
    python = interpreter(runtime)
    if python is None:
        pytest.skip(f"no {runtime} interpreter on this host")
    if platform.machine() != "x86_64":
        pytest.skip("the import proof builds x86_64 zips")
    out = tmp_path / "lambda"
    build_for(runtime, "x86_64", out)
    # boto3/botocore (and their dependencies, jmespath included) come from the Lambda runtime, not
    # the zip: take the test venv's pure-Python copies, after the zip on the path (the zip's own
    # packages win).
    venv_site = next(Path(sys.prefix, "lib").glob("python3*/site-packages"))
    runtime_libs = tmp_path / "runtime-libs"
    for package in ("boto3", "botocore", "s3transfer", "dateutil", "urllib3", "jmespath", "six.py"):
        source = venv_site / package
        target = runtime_libs / package
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            runtime_libs.mkdir(exist_ok=True)
            shutil.copy(source, target)
    for function in FUNCTIONS:
        extracted = tmp_path / function
        with zipfile.ZipFile(out / f"{function}.zip") as archive:
            archive.extractall(extracted)
        completed = subprocess.run(  # noqa: S603 - fixed argv
            [
                python,
                "-I",
                "-c",
                f"import sys; sys.path[:0] = [{str(extracted)!r}, {str(runtime_libs)!r}]\n"
                + IMPORT_EVERY_FUNCTION,
                function,
            ],
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "PYTHONDONTWRITEBYTECODE": "1",  # /var/task is read-only on Lambda
                **FUNCTION_CONFIG,
                "POWERTOOLS_SERVICE_NAME": function,
                "POWERTOOLS_TRACE_DISABLED": "true",
            },
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert completed.returncode == 0, f"{function} on {runtime}:\n{completed.stderr[-3000:]}"
        version = runtime.removeprefix("python").split(".")
        assert completed.stdout.startswith(f"({version[0]}, {version[1]})"), completed.stdout
        if function == "authorizer":
            tag = "".join(version)
            assert f"_cffi_backend.cpython-{tag}-x86_64-linux-gnu.so" in completed.stdout


# --- Unchanged inputs are not zipped again ------------------------------------------------------
# `make build` runs after `make test-build` (and before every Terraform suite): when a zip's entries
# (names and bytes) are what the zip in --out was built from, it is left as it is.
def build_output(out: Path) -> str:
    command = [sys.executable, str(ROOT / "scripts" / "build_lambda.py"), "--out", str(out)]
    completed = subprocess.run(  # noqa: S603 - fixed argv
        command, check=True, cwd=ROOT, capture_output=True, text=True
    )
    return completed.stdout


def test_unchanged_inputs_are_not_zipped_again(tmp_path) -> None:
    out = tmp_path / "lambda"
    first = build_output(out)
    assert "(unchanged)" not in first
    digests = {function: sha256(out / f"{function}.zip") for function in FUNCTIONS}
    second = build_output(out)
    assert second.count("(unchanged)") == len(FUNCTIONS), second
    assert {function: sha256(out / f"{function}.zip") for function in FUNCTIONS} == digests
    assert json.loads((out / "build.json").read_text())["runtime"] == "python3.13"
    # A zip that no longer matches its inputs is built again: a damaged one, ...
    (out / "health.zip").write_bytes(b"not a zip")
    # ... and one whose recorded inputs differ (what a source change does).
    record = json.loads((out / ".inputs.json").read_text())
    record["functions"]["profiles"] = "0" * 64
    (out / ".inputs.json").write_text(json.dumps(record))
    third = build_output(out)
    rebuilt = [line for line in third.splitlines() if "(unchanged)" not in line]
    assert sorted(Path(line.split()[0]).stem for line in rebuilt) == ["health", "profiles"]
    assert {function: sha256(out / f"{function}.zip") for function in FUNCTIONS} == digests
