"""Build one deterministic deployment zip per Lambda function under build/lambda/.

Each zip holds the ``meridian`` package plus only the runtime dependencies that function needs,
installed for the Lambda platform from the pins in requirements/lambda.txt: the CPython version of
``--runtime`` (python3.10-3.13, the values Terraform's ``lambda_runtime`` accepts) on manylinux
aarch64 (the functions run on arm64). Compiled extensions are built per CPython ABI (cffi's
``_cffi_backend.cpython-313-aarch64-linux-gnu.so`` does not load on 3.11), so a zip built for one
runtime must never be deployed on another: ``build/lambda/build.json`` records the runtime and
the root module refuses to plan when it differs from ``lambda_runtime``
(https://docs.aws.amazon.com/lambda/latest/dg/python-package.html#python-package-native-libraries).
boto3/botocore/s3transfer are never bundled: the runtime provides them.

Deterministic: entries sorted, fixed timestamps and permissions, no ``__pycache__`` and no
install-time metadata, so the same sources give a byte-identical zip and Terraform's
source_code_hash never shows a false change.

Fast and offline-safe on the second run: wheels are cached in build/wheels and each function's
installed dependency tree in build/site/<target>/<function> (reused while its pins are unchanged;
functions with the same dependencies share one).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
MAX_ZIP_BYTES = 5_000_000  # the budget is 5 MB, read in decimal to be safe
# Exactly the values infra/variables.tf accepts for lambda_runtime (a test keeps them equal).
SUPPORTED_RUNTIMES = ("python3.10", "python3.11", "python3.12", "python3.13")
DEFAULT_RUNTIME = "python3.13"
# Lambda's arm64 architecture; x86_64 exists only so the tests can import each zip's compiled
# modules on an x86_64 build host (never deployed: Terraform deploys arm64).
ARCHITECTURES = {"arm64": "aarch64", "x86_64": "x86_64"}
MANIFEST = "build.json"
# What each zip in --out was built from (digest of its entries): an unchanged zip is not rewritten,
# so `make build` after `make test-build` (or a second `make build`) only reads the sources.
INPUTS_RECORD = ".inputs.json"


def platform_args(runtime: str, architecture: str = "arm64") -> tuple[str, ...]:
    """pip options that select wheels for one Lambda runtime: CPython ABI and manylinux arch."""
    machine = ARCHITECTURES[architecture]
    version = runtime.removeprefix("python")
    return (
        "--platform", f"manylinux2014_{machine}",
        "--platform", f"manylinux_2_28_{machine}",
        "--only-binary=:all:",
        "--python-version", version,
        "--implementation", "cp",
        "--abi", f"cp{version.replace('.', '')}",
        "--abi", "abi3",
        "--abi", "none",
        "--no-deps",
    )  # fmt: skip


# Every function logs, emits metrics and traces (Powertools + X-Ray SDK).
_OBSERVABILITY = ("aws-lambda-powertools", "jmespath", "typing-extensions", "aws-xray-sdk", "wrapt")
_REST = (*_OBSERVABILITY, "fastjsonschema")
FUNCTION_DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "profiles": _REST,
    "transactions": _REST,
    "health": _REST,
    "authorizer": (*_OBSERVABILITY, "pyjwt", "cryptography", "cffi"),
    # Stream consumer: Powertools' batch utility, no request validation.
    "transaction_events": _OBSERVABILITY,
}

# Powertools ships utilities we never import; leaving them out keeps zips and cold starts small.
_UNUSED_POWERTOOLS = tuple(
    f"aws_lambda_powertools/utilities/{name}/"
    for name in (
        "auth_alpha", "batch", "circuit_breaker", "data_masking", "feature_flags", "kafka",
        "metadata", "parameters", "parser", "streaming", "validation",
    )
)  # fmt: skip
# Tracer patches botocore only, so the SDK's other library integrations are dead weight.
_UNUSED_XRAY = tuple(
    f"aws_xray_sdk/ext/{name}"
    for name in (
        "aiobotocore/", "aiohttp/", "bottle/", "dbapi2.py", "django/", "flask/",
        "flask_sqlalchemy/", "httplib/", "httpx/", "mysql/", "pg8000/", "psycopg/", "psycopg2/",
        "pymongo/", "pymysql/", "pynamodb/", "requests/", "sqlalchemy/", "sqlalchemy_core/",
        "sqlite3/",
    )
)  # fmt: skip
_UNUSED_EVERYWHERE = (*_UNUSED_POWERTOOLS, *_UNUSED_XRAY, "wrapt-stubs/")
# The events publisher is the one function that uses the batch utility (and the DynamoDB stream
# data classes it hands each record in): everything else unused stays out.
_UNUSED_BY_EVENTS = (
    *(path for path in _UNUSED_POWERTOOLS if not path.endswith("/batch/")),
    *_UNUSED_XRAY,
    "wrapt-stubs/",
    "aws_lambda_powertools/event_handler/",
    "aws_lambda_powertools/utilities/idempotency/",
)
TRIMMED_PATHS: dict[str, tuple[str, ...]] = {
    "profiles": _UNUSED_EVERYWHERE,
    "transactions": _UNUSED_EVERYWHERE,
    "health": _UNUSED_EVERYWHERE,
    # cryptography alone is ~4.6 MB zipped, so the authorizer sheds everything it can to stay
    # under 5 MB: it is no REST resolver, keeps no idempotency records; cffi's Python package
    # only builds bindings (cryptography needs just the _cffi_backend module at run time); and
    # wrapt falls back to its pure-Python implementation without its C extension.
    "authorizer": (
        *_UNUSED_EVERYWHERE,
        "aws_lambda_powertools/event_handler/",
        "aws_lambda_powertools/utilities/data_classes/",
        "aws_lambda_powertools/utilities/idempotency/",
        "cffi/",
        "wrapt/_wrappers.",
    ),
    "transaction_events": _UNUSED_BY_EVENTS,
}
# Written by pip at install time, executables nobody calls inside Lambda, bytecode and C sources.
# RECORD stays: it says which files belong to which distribution (the devstack runtime uses it to
# swap a distribution with arm64 binaries for the host's copy).
_INSTALL_METADATA = re.compile(
    r"(^bin/|\.dist-info/(INSTALLER|REQUESTED|direct_url\.json)$|(^|/)__pycache__/"
    r"|\.(pyc|pyi|c|h)$)"
)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(requirements: Path) -> dict[str, str]:
    """``name==version`` lines of requirements/lambda.txt, keyed by normalised name."""
    pins: dict[str, str] = {}
    for raw_line in requirements.read_text(encoding="utf-8").splitlines():
        requirement = raw_line.split("#", 1)[0].strip()
        if not requirement:
            continue
        name, separator, version = requirement.partition("==")
        if not separator or not version.strip():
            raise SystemExit(f"{requirements}: pin every line as name==version: {requirement!r}")
        pins[normalise(name.strip())] = version.strip()
    return pins


def _wheel_present(wheels: Path, name: str, version: str) -> bool:
    prefix = f"{name.replace('-', '_')}-{version}-"
    return any(path.name.lower().startswith(prefix) for path in wheels.glob("*.whl"))


def target_name(runtime: str, architecture: str) -> str:
    """Cache key of one build target: the wheels and installed trees differ per ABI and arch."""
    return f"{runtime}-{architecture}"


def ensure_wheels(wheels: Path, pins: dict[str, str], options: tuple[str, ...]) -> None:
    """Download the wheels of one runtime and architecture that are not cached yet."""
    missing = [f"{n}=={v}" for n, v in sorted(pins.items()) if not _wheel_present(wheels, n, v)]
    if not missing:
        return
    wheels.mkdir(parents=True, exist_ok=True)
    _pip("download", "--dest", str(wheels), *options, *missing)


def shared_site(function: str) -> str:
    """Functions with the same dependencies share one installed tree: pip runs once for them (the
    tree is installed untrimmed; each zip leaves out its own TRIMMED_PATHS)."""
    dependencies = FUNCTION_DEPENDENCIES[function]
    return min(name for name, deps in FUNCTION_DEPENDENCIES.items() if deps == dependencies)


def install_function_dependencies(
    function: str, pins: dict[str, str], build_dir: Path, target: str, options: tuple[str, ...]
) -> Path:
    """Install the function's dependencies into build/site/<target>/<function> (reused)."""
    requirements = [f"{name}=={pins[name]}" for name in FUNCTION_DEPENDENCIES[function]]
    site = build_dir / "site" / target / shared_site(function)
    stamp = site / ".meridian-stamp"
    install_args = ["install", "--no-compile", "--no-index", *options, *requirements]
    strip_tool = find_strip_tool()
    # The tree is reused only if it was installed with exactly these pins and options, and stripped
    # the same way (a cache from a machine without llvm-strip would otherwise stay 0.65 MB larger).
    fingerprint = json.dumps({"pip": install_args, "stripped": strip_tool is not None})
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == fingerprint:
        return site
    shutil.rmtree(site, ignore_errors=True)
    wheels = build_dir / "wheels" / target
    _pip(*install_args, "--find-links", str(wheels), "--target", str(site))
    strip_symbols(site, strip_tool)
    stamp.write_text(fingerprint, encoding="utf-8")
    return site


def find_strip_tool() -> str | None:
    """llvm-strip (any version): it strips binaries of any target architecture."""
    return shutil.which("llvm-strip") or next(
        (found for n in range(30, 10, -1) if (found := shutil.which(f"llvm-strip-{n}"))), None
    )


def strip_symbols(site: Path, tool: str | None) -> None:
    """Drop the static symbol tables of the wheels' shared libraries (cryptography ships its
    aarch64 extension unstripped: -2.7 MB, -0.65 MB zipped). Dynamic symbols stay, so imports
    work. Without llvm-strip the zips are just larger."""
    libraries = sorted(site.rglob("*.so"))
    if tool is None:
        if libraries:
            print("build: llvm-strip not found, shared libraries left unstripped", file=sys.stderr)
        return
    for library in libraries:
        subprocess.run([tool, "--strip-all", str(library)], check=True)  # noqa: S603 - fixed argv


def _pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", *args]
    subprocess.run(command, check=True)  # noqa: S603 - fixed argv, no shell


def _tree(root: Path, prefix: str = "") -> Iterable[tuple[str, Path]]:
    for path in root.rglob("*"):
        if path.is_file():
            yield prefix + path.relative_to(root).as_posix(), path


def zip_entries(function: str, site: Path) -> list[tuple[str, Path]]:
    trimmed = TRIMMED_PATHS[function]
    entries = list(_tree(ROOT / "src" / "meridian", "meridian/"))
    entries += [
        (name, path)
        for name, path in _tree(site)
        if not name.startswith(".meridian-stamp") and not name.startswith(trimmed)
    ]
    return sorted((name, path) for name, path in entries if not _INSTALL_METADATA.search(name))


def entries_digest(entries: list[tuple[str, Path]]) -> str:
    """SHA-256 over every entry's name and bytes: equal digests give byte-identical zips."""
    digest = hashlib.sha256()
    for name, path in entries:
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def read_inputs_record(out: Path) -> dict[str, str]:
    try:
        record = json.loads((out / INPUTS_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    functions = record.get("functions") if isinstance(record, dict) else None
    return dict(functions) if isinstance(functions, dict) else {}


def is_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (OSError, zipfile.BadZipFile):
        return False


def write_zip(target: Path, entries: list[tuple[str, Path]]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, path in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the build host
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    partial.replace(target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lambda")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build")
    parser.add_argument(
        "--function", action="append", choices=sorted(FUNCTION_DEPENDENCIES), dest="functions"
    )
    parser.add_argument(
        "--runtime",
        choices=SUPPORTED_RUNTIMES,
        default=DEFAULT_RUNTIME,
        help="Lambda runtime the zips are built for (must equal Terraform's lambda_runtime)",
    )
    parser.add_argument(
        "--architecture",
        choices=sorted(ARCHITECTURES),
        default="arm64",
        help="arm64 (what Lambda runs); x86_64 only for import tests on an x86_64 host",
    )
    args = parser.parse_args()
    build_target = target_name(args.runtime, args.architecture)
    options = platform_args(args.runtime, args.architecture)
    pins = read_pins(ROOT / "requirements" / "lambda.txt")
    unknown = {dep for deps in FUNCTION_DEPENDENCIES.values() for dep in deps} - set(pins)
    if unknown:
        raise SystemExit(f"requirements/lambda.txt has no pin for {sorted(unknown)}")
    # Only what some function installs: a pin nobody bundles (pycparser, a build-time helper of
    # cffi) may not even exist for every runtime (pycparser 3.12 requires Python >= 3.11).
    bundled = {dep for deps in FUNCTION_DEPENDENCIES.values() for dep in deps}
    needed = {name: version for name, version in pins.items() if name in bundled}
    ensure_wheels(args.build_dir / "wheels" / build_target, needed, options)
    # Zips of another runtime or architecture must not stay next to the manifest.
    manifest = args.out / MANIFEST
    manifest.unlink(missing_ok=True)
    too_big = []
    functions = args.functions or sorted(FUNCTION_DEPENDENCIES)
    recorded = read_inputs_record(args.out)
    # Equal entries give byte-identical zips: a zip with the inputs of one written in this run is
    # a copy of it (the REST functions share their code and dependencies).
    written: dict[str, Path] = {}
    for function in functions:
        site = install_function_dependencies(function, pins, args.build_dir, build_target, options)
        target = args.out / f"{function}.zip"
        entries = zip_entries(function, site)
        inputs = entries_digest(entries)
        unchanged = recorded.get(function) == inputs and is_zip(target)
        if not unchanged:
            recorded.pop(function, None)
            if inputs in written:
                shutil.copyfile(written[inputs], target)
            else:
                write_zip(target, entries)
            recorded[function] = inputs
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / INPUTS_RECORD).write_text(
                json.dumps({"functions": recorded}, indent=2, sort_keys=True) + "\n",
                encoding="utf-8",
            )
        written.setdefault(inputs, target)
        size = target.stat().st_size
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        note = "  (unchanged)" if unchanged else ""
        print(f"{target}  {size:>9} bytes  sha256 {digest[:16]}{note}")
        if size > MAX_ZIP_BYTES:
            too_big.append(function)
    if too_big:
        print(f"zip larger than {MAX_ZIP_BYTES} bytes: {too_big}", file=sys.stderr)
        return 1
    # Read by the root module at plan time (lambda_build output): it refuses zips built for
    # another runtime or architecture than the functions it deploys.
    manifest.write_text(
        json.dumps({"runtime": args.runtime, "architecture": args.architecture}, indent=2) + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
