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

Bytecode ships in the zip: on Lambda the package directory (/var/task) is read-only (only /tmp
is writable: https://docs.aws.amazon.com/whitepapers/latest/security-overview-aws-lambda/lambda-isolation-technologies.html),
so a module without a usable ``.pyc`` is compiled again at every cold start and the result thrown
away. Every ``.py`` of the zip gets ``__pycache__/<name>.<cache tag>.pyc`` compiled by the runtime's
own CPython minor (a .pyc is specific to it: the pyenv/PATH ``python3.X`` for another runtime, or
the build fails), hash-based and UNCHECKED (PEP 552,
https://docs.python.org/3/library/py_compile.html#py_compile.PycInvalidationMode): the zip's
fixed 1980 timestamps would make timestamp-based .pyc stale on arrival
(https://github.com/aws/aws-lambda-builders/issues/924), and the code in /var/task never changes.

Deterministic: entries sorted, fixed timestamps and permissions, bytecode compiled from the same
sources by the same interpreter with a fixed ``/var/task/...`` file name, no install-time
metadata, so the same sources give a byte-identical zip and Terraform's source_code_hash never
shows a false change.

Fast and offline-safe on the second run: wheels are cached in build/wheels and each function's
installed dependency tree in build/site/<target>/<function> (reused while its pins are unchanged;
functions with the same dependencies share one).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
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


# Logs, metrics and traces are meridian.observability's (standard library + botocore's events):
# no function ships Powertools' logger/metrics/tracer, the X-Ray SDK or wrapt; request validators
# are generated ahead of time (meridian.validators): no fastjsonschema either (bench/findings.md);
# idempotency is the repository's guard item: no Powertools idempotency utility (issue 15).
FUNCTION_DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "profiles": (),
    "transactions": (),
    "health": (),
    "authorizer": ("pyjwt", "cryptography", "cffi"),
    "transaction_events": (),
}

TRIMMED_PATHS: dict[str, tuple[str, ...]] = {
    # cryptography alone is ~4.6 MB zipped, so the authorizer sheds everything it can to stay
    # under 5 MB: cffi's Python package only builds bindings (cryptography needs just the
    # _cffi_backend module at run time).
    "authorizer": (
        "cffi/",
        # Never imported by PyJWT's HS256/RS256 verification (checked by importing them:
        # tests/unit/test_build.py runs the handler from the zip, `make bench` serves both token
        # kinds from it); they keep the zip, bytecode included, under 5 MB.
        "cryptography/fernet.py",
        "cryptography/hazmat/primitives/twofactor/",
        "cryptography/hazmat/primitives/serialization/pkcs7.py",
        "cryptography/hazmat/primitives/serialization/pkcs12.py",
        "cryptography/hazmat/primitives/keywrap.py",
        "jwt/help.py",
    ),
}
# The authorizer's zip is the one near the 5 MB budget (cryptography): it ships only the meridian
# modules it imports (all at module level; tests/unit/test_build.py checks the closure), not the
# REST functions' repository, router, services and schemas.
MERIDIAN_MODULES: dict[str, tuple[str, ...]] = {
    "authorizer": tuple(
        f"meridian/{name}"
        for name in (
            "__init__.py", "auth/", "aws.py", "config.py", "errors.py", "money.py", "regions.py",
            "observability.py", "handlers/__init__.py", "handlers/authorizer.py",
        )
    ),
}  # fmt: skip
# Written by pip at install time, executables nobody calls inside Lambda, bytecode from anywhere
# but compile_bytecode (pip's, a developer's) and C sources.
# RECORD stays: it says which files belong to which distribution (the devstack runtime uses it to
# swap a distribution with arm64 binaries for the host's copy).
_INSTALL_METADATA = re.compile(
    r"(^bin/|\.dist-info/(INSTALLER|REQUESTED|direct_url\.json)$|(^|/)__pycache__/"
    r"|\.(pyc|pyi|c|h)$)"
)


# Where Lambda puts the function's code: the file name recorded in the bytecode (tracebacks show
# the path the module is loaded from anyway).
TASK_ROOT = "/var/task"
# Run by the runtime's interpreter: compile each (source, zip name) into <out>/<dir>/__pycache__.
_COMPILE = r"""
import json, py_compile, sys
out, jobs = sys.argv[1], json.load(sys.stdin)
tag = sys.implementation.cache_tag
for source, name in jobs:
    folder, _, file = name.rpartition("/")
    target = f"{out}/{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{tag}.pyc"
    py_compile.compile(source, cfile=target, dfile=f"TASK_ROOT/{name}", doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
print(tag)
""".replace("TASK_ROOT", TASK_ROOT)


@functools.cache
def runtime_interpreter(runtime: str) -> str:
    """The CPython of the runtime's minor version: this one, pyenv's, or ``python3.X`` on PATH."""
    version = runtime.removeprefix("python")
    candidates = (
        [sys.executable] if f"{sys.version_info[0]}.{sys.version_info[1]}" == version else []
    )
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(str(p) for p in pyenv.glob(f"{version}.*/bin/python{version}"))
    candidates += [found] if (found := shutil.which(runtime)) else []
    for candidate in candidates:
        probe = subprocess.run(  # noqa: S603 - an interpreter path, fixed argv
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    raise SystemExit(
        f"build: no Python {version} interpreter to compile the {runtime} bytecode with "
        f"(a .pyc is specific to one CPython minor): install it (pyenv install {version}) "
        "or put python{version} on PATH"
    )


def _no_debug_ranges(runtime: str) -> tuple[str, ...]:
    minor = int(runtime.removeprefix("python").split(".")[1])
    return ("-X", "no_debug_ranges") if minor >= 11 else ()


def compile_bytecode(runtime: str, out: Path, entries: list[tuple[str, Path]]) -> str:
    """Compile every .py entry with the runtime's interpreter into ``out``; its cache tag."""
    # Same bytes from the same sources: a fixed order (marshal flags an object it has seen before,
    # so what was compiled earlier in the process shows in the output) and a fixed hash seed (the
    # order of frozenset constants follows string hashes).
    jobs = sorted([str(path), name] for name, path in entries if name.endswith(".py"))
    completed = subprocess.run(  # noqa: S603 - fixed argv
        # -X no_debug_ranges (Python 3.11+, PEP 657; 3.10 has no column tables to drop): the
        # bytecode leaves out the per-instruction column positions, ~1/3 of its size, so the
        # authorizer's zip (cryptography) stays under 5 MB with it. Tracebacks keep file and line
        # and lose only the ^^^ markers under the failing expression.
        # https://docs.python.org/3/using/cmdline.html#cmdoption-X (no_debug_ranges)
        [runtime_interpreter(runtime), "-s", *_no_debug_ranges(runtime), "-c", _COMPILE, str(out)],
        input=json.dumps(jobs),
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTHON")},
            "PYTHONHASHSEED": "0",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"build: compiling the bytecode failed:\n{completed.stderr[-2000:]}")
    return completed.stdout.strip()


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
    function: str,
    pins: dict[str, str],
    build_dir: Path,
    target: str,
    options: tuple[str, ...],
    *,
    runtime: str = DEFAULT_RUNTIME,
) -> Path:
    """Install the function's dependencies into build/site/<target>/<function> (reused), with
    the runtime's bytecode beside every module (pip's own compile is off: it would use this
    interpreter, and timestamp-based .pyc)."""
    requirements = [f"{name}=={pins[name]}" for name in FUNCTION_DEPENDENCIES[function]]
    site = build_dir / "site" / target / shared_site(function)
    stamp = site / ".meridian-stamp"
    install_args = ["install", "--no-compile", "--no-index", *options, *requirements]
    strip_tool = find_strip_tool()
    # The tree is reused only if it was installed with exactly these pins and options, stripped
    # the same way (a cache from a machine without llvm-strip would otherwise stay 0.65 MB larger)
    # and compiled the same way.
    fingerprint = json.dumps(
        {
            "pip": install_args,
            "stripped": strip_tool is not None,
            "bytecode": "unchecked-hash, no_debug_ranges, sorted, PYTHONHASHSEED=0",
        }
    )
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == fingerprint:
        return site
    shutil.rmtree(site, ignore_errors=True)
    if not requirements:  # the standard library and the runtime's boto3 are all it needs
        site.mkdir(parents=True)
        stamp.write_text(fingerprint, encoding="utf-8")
        return site
    wheels = build_dir / "wheels" / target
    _pip(*install_args, "--find-links", str(wheels), "--target", str(site))
    strip_symbols(site, strip_tool)
    compile_bytecode(runtime, site, list(_tree(site)))
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


def zip_entries(
    function: str, site: Path, bytecode: Path | None = None, cache_tag: str | None = None
) -> list[tuple[str, Path]]:
    """The zip's (name, file) pairs: ``meridian`` from src/ (its bytecode from ``bytecode``, where
    compile_bytecode put it) and the function's dependency tree, each .py with its
    ``__pycache__/<name>.<cache_tag>.pyc``; no other bytecode."""
    trimmed = TRIMMED_PATHS.get(function, ())
    meridian = MERIDIAN_MODULES.get(function, ("meridian/",))
    sources = [
        (name, path)
        for name, path in _tree(ROOT / "src" / "meridian", "meridian/")
        if name.startswith(meridian) and not _INSTALL_METADATA.search(name)
    ]
    sources += [
        (name, path)
        for name, path in _tree(site)
        if not name.startswith(".meridian-stamp")
        and not name.startswith(trimmed)
        and not _INSTALL_METADATA.search(name)
    ]
    entries = list(sources)
    if cache_tag is not None:
        for name, _ in sources:
            if name.endswith(".py"):
                folder, _, file = name.rpartition("/")
                pyc = f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{cache_tag}.pyc"
                root = bytecode if name.startswith("meridian/") and bytecode else site
                entries.append((pyc, root / pyc))
    return sorted(entries)


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
    # meridian's bytecode, compiled afresh each build (a few dozen modules) outside src/.
    bytecode = args.build_dir / "bytecode" / build_target
    shutil.rmtree(bytecode, ignore_errors=True)
    cache_tag = compile_bytecode(
        args.runtime,
        bytecode,
        [(n, p) for n, p in _tree(ROOT / "src" / "meridian", "meridian/") if n.endswith(".py")],
    )
    # Equal entries give byte-identical zips: a zip with the inputs of one written in this run is
    # a copy of it (the REST functions share their code and dependencies).
    written: dict[str, Path] = {}
    for function in functions:
        site = install_function_dependencies(
            function, pins, args.build_dir, build_target, options, runtime=args.runtime
        )
        target = args.out / f"{function}.zip"
        entries = zip_entries(function, site, bytecode, cache_tag)
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
        # The budget is the deployed artefact's: arm64. An x86_64 build only lets the tests import
        # the zips on this host, and x86_64's cryptography extension is ~90 KB larger.
        if size > MAX_ZIP_BYTES and args.architecture == "arm64":
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
