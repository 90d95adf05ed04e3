"""Extracting deployed Lambda zips for the host interpreter.

The zips are built for the Lambda platform (e.g. CPython 3.13 on manylinux aarch64). Pure-Python
code runs unchanged on the host, but compiled extension modules built for another interpreter or
CPU cannot be imported. Every distribution in the zip that ships such a module is dropped from the
extracted copy, so the import falls through to the host environment's copy of the same pinned
distribution (the worker's ``sys.path`` is the code directory first, then the host's).
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.metadata
import io
import logging
import os
import shutil
import struct
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

LOGGER = logging.getLogger("devstack.runtime.lambda")

_ELF_MAGIC = b"\x7fELF"
_MACHO_MAGICS = {b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"}
_NATIVE_SUFFIXES = (".so", ".pyd", ".dylib")


@dataclass(frozen=True)
class Substitution:
    """A distribution (or bare top-level module) removed from an extracted zip."""

    name: str
    reason: str
    host_version: str | None  # the host's installed version, None when the host lacks it


@dataclass(frozen=True)
class ExtractedCode:
    root: Path
    substitutions: tuple[Substitution, ...]


def _elf_identity(header: bytes) -> tuple[int, int, int] | None:
    """(class, byte order, machine) of an ELF header, None when it is not ELF."""
    if len(header) < 20 or header[:4] != _ELF_MAGIC:
        return None
    elf_class, byte_order = header[4], header[5]
    fmt = "<H" if byte_order == 1 else ">H"
    (machine,) = struct.unpack(fmt, header[18:20])
    return elf_class, byte_order, machine


def _host_binary_identity() -> tuple[int, int, int] | None:
    try:
        with open(sys.executable, "rb") as executable:
            return _elf_identity(executable.read(20))
    except OSError:
        return None


_HOST_IDENTITY = _host_binary_identity()


def is_foreign_native(name: str, header: bytes, host: tuple[int, int, int] | None = None) -> bool:
    """Whether a file in the zip is a compiled module or library the host cannot load.

    ``header`` is the file's first bytes (20 are enough). A file is foreign when its extension
    suffix names another interpreter (``.cpython-313-aarch64-linux-gnu.so`` on a 3.11 host), or
    when it is a binary for another CPU (an ``.abi3.so`` built for aarch64 on an x86_64 host).
    """
    base = PurePosixPath(name).name
    is_versioned_so = ".so." in base  # e.g. libffi.so.8 in a ``<dist>.libs`` directory
    if not (base.endswith(_NATIVE_SUFFIXES) or is_versioned_so):
        return False
    host_identity = _HOST_IDENTITY if host is None else host
    if header[:4] in _MACHO_MAGICS:
        return sys.platform != "darwin"
    identity = _elf_identity(header)
    if identity is not None and host_identity is not None and identity != host_identity:
        return True
    if identity is None and header[:2] == b"MZ":
        return sys.platform != "win32"
    if base.endswith((".so", ".pyd")) and not is_versioned_so:
        # A Python extension module ``name.<tag>.so``: the tag must be one this interpreter
        # imports (a bare ``name.so`` carries no tag and is judged by its binary header alone).
        suffix = "." + base.split(".", 1)[1]
        return suffix != ".so" and suffix not in importlib.machinery.EXTENSION_SUFFIXES
    return False


def _distribution_records(archive: zipfile.ZipFile) -> dict[str, tuple[str, set[str]]]:
    """Map each top-level ``*.dist-info`` directory to (distribution name, files it lists)."""
    records: dict[str, tuple[str, set[str]]] = {}
    for entry in archive.namelist():
        parts = PurePosixPath(entry).parts
        if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "RECORD":
            files = {parts[0] + "/"}
            for line in archive.read(entry).decode("utf-8", "replace").splitlines():
                path = line.rsplit(",", 2)[0] if line.count(",") >= 2 else line
                if path:
                    files.add(path)
            distribution = parts[0][: -len(".dist-info")].rsplit("-", 1)[0]
            records[parts[0]] = (distribution, files)
    return records


def _host_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def plan_substitutions(archive: zipfile.ZipFile) -> tuple[set[str], list[Substitution]]:
    """Which members of the zip to leave out, and why (one Substitution per dropped unit)."""
    foreign = [
        info.filename
        for info in archive.infolist()
        if not info.is_dir() and is_foreign_native(info.filename, archive.open(info).read(20))
    ]
    if not foreign:
        return set(), []
    records = _distribution_records(archive)
    dropped: set[str] = set()
    substitutions: list[Substitution] = []
    unowned = list(foreign)
    for dist_info, (distribution, files) in sorted(records.items()):
        owned = [name for name in foreign if name in files]
        if not owned:
            continue
        unowned = [name for name in unowned if name not in files]
        dropped.update(files)
        dropped.update(name for name in archive.namelist() if name.startswith(dist_info + "/"))
        reason = f"native module {PurePosixPath(owned[0]).name} is built for another platform"
        substitutions.append(Substitution(distribution, reason, _host_version(distribution)))
    for name in unowned:
        top = PurePosixPath(name).parts[0]
        if any(member == top or member.startswith(top + "/") for member in dropped):
            continue
        dropped.update(
            member for member in archive.namelist() if member == top or member.startswith(top + "/")
        )
        module = top.split(".", 1)[0]
        reason = f"native module {PurePosixPath(name).name} is built for another platform"
        substitutions.append(Substitution(module, reason, _host_version(module)))
    return dropped, substitutions


class CodeCache:
    """Extracts each distinct zip once under ``work_dir/code/<sha256 of the zip>``."""

    def __init__(self, work_dir: Path) -> None:
        self._root = work_dir / "code"
        self._lock = threading.Lock()
        self._extracted: dict[str, ExtractedCode] = {}

    def extract(self, code_zip: bytes) -> ExtractedCode:
        digest = hashlib.sha256(code_zip).hexdigest()
        with self._lock:
            cached = self._extracted.get(digest)
            if cached is not None:
                return cached
            target = self._root / digest
            with zipfile.ZipFile(io.BytesIO(code_zip)) as archive:
                dropped, substitutions = plan_substitutions(archive)
                if not target.is_dir():
                    self._root.mkdir(parents=True, exist_ok=True)
                    staging = Path(tempfile.mkdtemp(prefix=f".{digest[:12]}-", dir=self._root))
                    try:
                        self._extract_members(archive, staging, dropped)
                        os.replace(staging, target)
                    except BaseException:
                        shutil.rmtree(staging, ignore_errors=True)
                        raise
            for substitution in substitutions:
                # Logged once per distinct zip: the host's copy of the distribution is used.
                LOGGER.info(
                    "lambda code %s: dropped %s (%s); using the host's %s",
                    digest[:12],
                    substitution.name,
                    substitution.reason,
                    substitution.host_version or "copy (NOT INSTALLED on the host)",
                )
            extracted = ExtractedCode(target, tuple(substitutions))
            self._extracted[digest] = extracted
            return extracted

    @staticmethod
    def _extract_members(archive: zipfile.ZipFile, target: Path, dropped: set[str]) -> None:
        for info in archive.infolist():
            if info.filename in dropped:
                continue
            if info.is_dir():
                continue  # directories are created for the files they hold
            destination = (target / info.filename).resolve()
            if not destination.is_relative_to(target.resolve()):
                raise ValueError(f"zip member escapes the code directory: {info.filename}")
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(destination, "wb") as sink:
                shutil.copyfileobj(source, sink)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                destination.chmod(mode | 0o400)
