"""`make build` output: deterministic, small, per-function dependencies, importable handlers.

Marked ``build`` (run by ``make test-build``, not ``make test-unit``): it installs the Lambda
platform wheels (cached under build/wheels after the first run).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ("authorizer", "health", "profiles", "transactions")
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
def builds(tmp_path_factory) -> tuple[Path, Path]:
    """The same sources built twice: once with the shared cache, once with fresh installs."""
    first = ROOT / "build" / "lambda"
    build(first, ROOT / "build")
    fresh_build_dir = tmp_path_factory.mktemp("fresh-build")
    # Same cached wheels (offline), but every dependency tree is installed anew.
    shutil.copytree(ROOT / "build" / "wheels", fresh_build_dir / "wheels")
    second = tmp_path_factory.mktemp("second") / "lambda"
    build(second, fresh_build_dir)
    return first, second


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_is_deterministic_and_small(builds, function) -> None:
    first, second = (directory / f"{function}.zip" for directory in builds)
    assert sha256(first) == sha256(second)
    assert first.stat().st_size <= MAX_ZIP_BYTES


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_contents(builds, function) -> None:
    with zipfile.ZipFile(builds[0] / f"{function}.zip") as archive:
        names = archive.namelist()
        infos = archive.infolist()
    assert names == sorted(names)
    assert f"meridian/handlers/{function}.py" in names
    assert "meridian/schemas/transaction_create.json" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    top_level = {name.split("/")[0] for name in names}
    assert not top_level & {"boto3", "botocore", "s3transfer"}
    assert {"aws_lambda_powertools", "aws_xray_sdk", "wrapt", "jmespath"} <= top_level
    # RECORD tells the devstack which files to swap for the host's copy of a native distribution.
    assert any(n.startswith("wrapt-") and n.endswith(".dist-info/RECORD") for n in names)
    if function == "authorizer":
        assert {"jwt", "cryptography"} <= top_level
        assert "cryptography-48.0.0.dist-info/RECORD" in names
        assert "fastjsonschema" not in top_level
    else:
        assert not top_level & {"jwt", "cryptography", "cffi"}
        assert "fastjsonschema" in top_level
        assert any(n.endswith("-aarch64-linux-gnu.so") for n in names)  # wrapt, for arm64


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
loaded = sorted(m for m in sys.modules if m.startswith(("aws_xray_sdk.ext.botocore", "meridian")))
print("SMOKE" + json.dumps({"result": result, "loaded": loaded,
                            "powertools": import_module("aws_lambda_powertools").__file__}))
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
def test_handler_runs_from_its_zip(builds, tmp_path, function) -> None:
    with zipfile.ZipFile(builds[0] / f"{function}.zip") as archive:
        for name in archive.namelist():
            if not name.startswith(NATIVE_PREFIXES):
                archive.extract(name, tmp_path)
    venv_site = next(Path(sys.prefix, "lib").glob("python3*/site-packages"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": f"{tmp_path}:{venv_site}",
        "LAMBDA_TASK_ROOT": str(tmp_path),  # tracing on, as in Lambda: the X-Ray SDK must load
        "AWS_LAMBDA_FUNCTION_NAME": "smoke",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;"
        "Sampled=1",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:5147",
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:5148",  # nothing listens: DynamoDB unreachable
        "ENVIRONMENT": "smoke",
        "TABLE_NAME": "meridian-smoke",
        "MAX_TRANSACTION_AMOUNTS": '{"USD": "1000"}',
        "CORS_ALLOW_ORIGIN": "*",
        "COGNITO_USER_POOL_ID": "us-east-1_Smoke1",
        "COGNITO_APP_CLIENT_IDS": "client1",
        "PARTNER_KEY_SECRET_PREFIX": "meridian-smoke/partner-keys/",
        "USAGE_KEY_PREFIX": "meridian-smoke-usage-",
        "PARTNER_ISSUER": "issuer",
        "PARTNER_AUDIENCE": "audience",
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
    assert report["powertools"].startswith(str(tmp_path))
    assert "aws_xray_sdk.ext.botocore" in report["loaded"]
    if expected_status is None:
        assert report["result"] == {"raised": "Unauthorized"}
    else:
        assert report["result"]["statusCode"] == expected_status
        assert set(json.loads(report["result"]["body"])["error"]) == {
            "code",
            "message",
            "request_id",
        }
