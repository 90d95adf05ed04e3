"""Native-package substitution when a Lambda zip was built for another platform."""

from __future__ import annotations

import io
import json
import struct
import sys
import zipfile
from pathlib import Path

import pytest
from rt_support import RecordingLogSink, build_zip, make_spec

from devstack.runtime.code_cache import CodeCache, is_foreign_native, plan_substitutions
from devstack.runtime.lambda_workers import LambdaRuntime

X86_64, AARCH64 = 62, 183
HOST = (2, 1, X86_64)  # 64-bit, little endian, x86_64
# A CPython version the host interpreter is not (the venv may be 3.13, the Lambda runtime's own).
OTHER_CPYTHON = "cpython-312" if sys.version_info[:2] == (3, 13) else "cpython-313"


def elf_header(machine: int, elf_class: int = 2) -> bytes:
    ident = b"\x7fELF" + bytes([elf_class, 1, 1]) + bytes(9)
    return ident + struct.pack("<HH", 3, machine) + bytes(44)


def test_foreign_interpreter_suffix_is_foreign():
    header = elf_header(X86_64)
    assert is_foreign_native(f"pkg/_speed.{OTHER_CPYTHON}-aarch64-linux-gnu.so", header, HOST)
    assert is_foreign_native(f"pkg/_speed.{OTHER_CPYTHON}-x86_64-linux-gnu.so", header, HOST)


def test_abi3_module_for_another_cpu_is_foreign():
    assert is_foreign_native("pkg/_rust.abi3.so", elf_header(AARCH64), HOST)
    assert is_foreign_native("pkg.libs/libffi-1a2b.so.8.1.0", elf_header(AARCH64), HOST)


def test_host_compatible_modules_and_plain_files_are_kept():
    assert not is_foreign_native("pkg/_rust.abi3.so", elf_header(X86_64), HOST)
    assert not is_foreign_native("pkg/module.py", b"import os\n", HOST)
    assert not is_foreign_native("pkg/data.json", b"{}", HOST)


def wheel_like_zip() -> bytes:
    """A Lambda zip: pure app code, a pure dependency and a native one built for aarch64."""
    native = elf_header(AARCH64)
    record = "\n".join(
        [
            "yaml/__init__.py,sha256=x,10",
            "yaml/_yaml.cpython-313-aarch64-linux-gnu.so,sha256=y,64",
            "_yaml/__init__.py,sha256=z,5",
            "PyYAML-6.0.3.dist-info/METADATA,,",
            "PyYAML-6.0.3.dist-info/RECORD,,",
        ]
    )
    return build_zip(
        {
            "app.py": "import yaml\ndef handler(e, c):\n    return yaml.__file__\n",
            "puredep/__init__.py": "VALUE = 1\n",
            "puredep-1.0.dist-info/RECORD": "puredep/__init__.py,,\n",
            # Would break the import if it were kept: the host's PyYAML must be used instead.
            "yaml/__init__.py": "raise ImportError('the zip copy of yaml was imported')\n",
            "yaml/_yaml.cpython-313-aarch64-linux-gnu.so": native,
            "_yaml/__init__.py": "\n",
            "PyYAML-6.0.3.dist-info/METADATA": "Name: PyYAML\n",
            "PyYAML-6.0.3.dist-info/RECORD": record,
            "orphan_native.cpython-313-aarch64-linux-gnu.so": native,
        }
    )


def test_plan_drops_whole_distributions_and_orphans():
    with zipfile.ZipFile(io.BytesIO(wheel_like_zip())) as archive:
        dropped, substitutions = plan_substitutions(archive)
    assert {s.name for s in substitutions} == {"PyYAML", "orphan_native"}
    assert "yaml/__init__.py" in dropped
    assert "_yaml/__init__.py" in dropped
    assert "PyYAML-6.0.3.dist-info/RECORD" in dropped
    assert "orphan_native.cpython-313-aarch64-linux-gnu.so" in dropped
    assert "puredep/__init__.py" not in dropped
    assert "app.py" not in dropped
    pyyaml = next(s for s in substitutions if s.name == "PyYAML")
    assert pyyaml.host_version == "6.0.3"


def test_extraction_is_done_once_and_skips_dropped_files(tmp_path: Path):
    cache = CodeCache(tmp_path)
    code = wheel_like_zip()
    first = cache.extract(code)
    assert cache.extract(code) is first
    assert (first.root / "app.py").is_file()
    assert (first.root / "puredep" / "__init__.py").is_file()
    assert not (first.root / "yaml").exists()
    assert not (first.root / "PyYAML-6.0.3.dist-info").exists()
    # A fresh cache (e.g. after a restart) reuses the directory already on disk.
    assert CodeCache(tmp_path).extract(code).root == first.root


def test_function_imports_the_host_copy_of_a_dropped_distribution(tmp_path: Path):
    runtime = LambdaRuntime(tmp_path, RecordingLogSink(), {})
    try:
        result = runtime.invoke(make_spec(wheel_like_zip(), "app.handler"), b"{}")
    finally:
        runtime.shutdown()
    assert result.function_error is None, result.payload
    imported_from = json.loads(result.payload)
    assert "site-packages" in imported_from
    assert not imported_from.startswith(str(tmp_path))


def test_zip_members_cannot_escape_the_code_directory(tmp_path: Path):
    cache = CodeCache(tmp_path)
    evil = build_zip({"../escaped.py": "x = 1\n"})
    with pytest.raises(ValueError, match="escapes"):
        cache.extract(evil)
    assert not (tmp_path / "escaped.py").exists()
