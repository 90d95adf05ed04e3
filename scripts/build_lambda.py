"""Build one deterministic deployment zip per Lambda function under build/lambda/.

Deterministic: entries sorted, fixed timestamps and permissions, so the same sources give a
byte-identical zip and Terraform's source_code_hash never shows a false change.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import zipfile
from pathlib import Path

FUNCTIONS = ("profiles", "transactions", "authorizer", "health")
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
ROOT = Path(__file__).resolve().parent.parent


def _files(package_root: Path) -> list[tuple[str, Path]]:
    entries = []
    for path in package_root.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            entries.append((path.relative_to(package_root.parent).as_posix(), path))
    return sorted(entries)


def write_zip(target: Path, entries: list[tuple[str, Path]]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, path in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes(), compresslevel=9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lambda")
    args = parser.parse_args()
    entries = _files(ROOT / "src" / "meridian")
    for function in FUNCTIONS:
        target = args.out / f"{function}.zip"
        write_zip(target, entries)
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        print(f"{target.relative_to(ROOT)}  {target.stat().st_size:>9} bytes  sha256 {digest[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
