"""The history check's modules import each other by name (like tests/devstack/runtime)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parents[0] / "e2e"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def pytest_configure(config: object) -> None:
    config.addinivalue_line(  # type: ignore[attr-defined]
        "markers", "history: the history check; needs the running devstack (make up)"
    )
