"""Helpers shared by the documentation checks (a plain module rather than a conftest.py, so
nothing depends on how pytest imports other suites' conftest files)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]


def load_diagram_module() -> ModuleType:
    """Import docs/diagrams/architecture.py (it is a script, not part of a package)."""
    path = REPO_ROOT / "docs" / "diagrams" / "architecture.py"
    spec = importlib.util.spec_from_file_location("meridian_architecture_diagram", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses resolve the module's annotations through sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
