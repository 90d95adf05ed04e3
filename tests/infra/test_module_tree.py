"""`make tf-validate` validates only the two root modules (infra/ and infra/account).

`terraform validate` of a root module validates the whole module tree the root calls, and every
plan (each `terraform test` run) includes that validation
(https://developer.hashicorp.com/terraform/cli/commands/validate). That covers every module under
infra/modules only while each of them is called from infra/ (directly or through another module):
a module nobody calls would never be validated, so this test fails for one.
"""

from __future__ import annotations

import re
from pathlib import Path

INFRA = Path(__file__).resolve().parents[2] / "infra"
SOURCE = re.compile(r'^\s*source\s*=\s*"(\./[^"]+)"', re.MULTILINE)


def module_directories() -> set[Path]:
    return {
        p.parent.resolve()
        for p in (INFRA / "modules").rglob("*.tf")
        if ".terraform" not in p.parts and "tests" not in p.relative_to(INFRA).parts
    }


def called_from(directory: Path, seen: set[Path]) -> set[Path]:
    """Every local module reachable from `directory` through module blocks."""
    for tf_file in directory.glob("*.tf"):
        for source in SOURCE.findall(tf_file.read_text(encoding="utf-8")):
            child = (directory / source).resolve()
            if child not in seen:
                seen.add(child)
                called_from(child, seen)
    return seen


def test_every_module_is_called_from_the_root_module() -> None:
    uncalled = sorted(str(p) for p in module_directories() - called_from(INFRA, set()))
    assert not uncalled, f"modules infra/ never calls (call them or validate them): {uncalled}"


def test_the_module_tree_is_found() -> None:
    # Control: the walk does find the modules (an empty set would make the check above vacuous).
    assert len(module_directories()) >= 9
    assert INFRA / "modules" / "data" / "modules" / "replica" in called_from(INFRA, set())
