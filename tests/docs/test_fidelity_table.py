"""The fidelity table of devstack/README.md stays true and agrees with docs/aws-rules.md.

- every row has its five cells filled, a fidelity of "emulated", "approximated" or "not emulated"
  and an AWS source URL;
- an emulated or approximated row names at least one test file, and every file the table names
  exists (a renamed module or test fails here, not silently in the docs);
- every rule of docs/aws-rules.md guarded by a `devstack/validation/<service>.py` module is in the
  table's "AWS API validation" section under that module, and every such module is in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from docs_support import REPO_ROOT

README = REPO_ROOT / "devstack" / "README.md"
AWS_RULES = REPO_ROOT / "docs" / "aws-rules.md"
VALIDATION_DIR = REPO_ROOT / "devstack" / "validation"
VALIDATION_SECTION = "AWS API validation"
FIDELITY = ("not emulated", "approximated", "emulated")
# A repository path in backticks, optionally followed by ::test_name.
PATH = re.compile(
    r"`(?P<path>(?:devstack|tests|infra|src|scripts|docs)/[\w./-]+\."
    r"(?:py|tf|hcl|yaml|md|json|tfvars))(?:::[\w\[\]-]+)?`"
)
VALIDATION_MODULE = re.compile(r"(?<![\w/])devstack/validation/(?P<module>\w+)\.py")


@dataclass(frozen=True)
class Row:
    section: str
    cells: list[str]

    @property
    def fidelity(self) -> str:
        return self.cells[1].strip().lower()

    def __str__(self) -> str:
        return f"[{self.section}] {self.cells[0][:80]}"


def _table_rows(markdown: str, start: str, end: str = "\n## ") -> list[tuple[str, list[str]]]:
    """(subsection, cells) of every body row of the tables between start and the next end."""
    body = markdown.split(start, 1)[1].split(end, 1)[0]
    rows: list[tuple[str, list[str]]] = []
    section = ""
    for line in body.splitlines():
        if line.startswith("### "):
            section = line[4:].strip()
        elif line.startswith("## "):
            section = line[3:].strip()
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] in ("behaviour", "rule"):
            continue  # a header row
        rows.append((section, cells))
    return rows


def fidelity_rows() -> list[Row]:
    return [
        Row(section, cells)
        for section, cells in _table_rows(README.read_text(), "## Fidelity table")
    ]


def test_the_table_has_rows_in_the_sections_this_repo_fills() -> None:
    sections = {row.section for row in fidelity_rows()}
    for section in (
        "API Gateway (REST API runtime)",
        "Lambda (runtime, permissions)",
        "Cognito, KMS, Secrets Manager",
        "AWS API validation (configurations AWS refuses)",
        "Observability and DNS (CloudWatch, X-Ray, Route 53)",
    ):
        assert section in sections, f"no rows in the fidelity section {section!r}"


@pytest.mark.parametrize("row", fidelity_rows(), ids=str)
def test_every_row_is_complete(row: Row) -> None:
    assert len(row.cells) == 5, f"{row}: expected 5 cells, got {len(row.cells)}"
    assert all(cell for cell in row.cells), f"{row}: an empty cell"
    assert row.fidelity in FIDELITY, f"{row}: fidelity {row.cells[1]!r} is not one of {FIDELITY}"
    assert "https://" in row.cells[4], f"{row}: no source URL"


@pytest.mark.parametrize("row", fidelity_rows(), ids=str)
def test_emulated_rows_name_an_existing_test(row: Row) -> None:
    named = [m["path"] for m in PATH.finditer(row.cells[3])]
    if row.fidelity == "not emulated":
        return
    tests = [path for path in named if path.startswith("tests/")]
    assert tests, f"{row}: an {row.fidelity} row must name its test file"


@pytest.mark.parametrize("row", fidelity_rows(), ids=str)
def test_every_file_the_table_names_exists(row: Row) -> None:
    named = [m["path"] for cell in row.cells for m in PATH.finditer(cell)]
    missing = [path for path in named if not (REPO_ROOT / path).is_file()]
    assert not missing, f"{row}: names files that do not exist: {missing}"


def _validation_modules() -> set[str]:
    return {path.stem for path in VALIDATION_DIR.glob("*.py") if path.stem != "__init__"}


def test_every_validation_module_is_documented_in_both_places() -> None:
    rules = AWS_RULES.read_text()
    section = [row for row in fidelity_rows() if row.section.startswith(VALIDATION_SECTION)]
    in_table = {m["module"] for row in section for m in VALIDATION_MODULE.finditer(row.cells[2])}
    in_rules = {m["module"] for m in VALIDATION_MODULE.finditer(rules)}
    modules = _validation_modules()
    assert modules, "devstack/validation has no rule modules"
    assert modules <= in_table, f"missing from the fidelity table: {sorted(modules - in_table)}"
    assert modules <= in_rules, f"missing from docs/aws-rules.md: {sorted(modules - in_rules)}"


def test_every_rule_guarded_by_a_validation_module_is_in_the_table() -> None:
    section = [row for row in fidelity_rows() if row.section.startswith(VALIDATION_SECTION)]
    for line in AWS_RULES.read_text().splitlines():
        if not line.startswith("| ") or "devstack/validation/" not in line:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        guarded_by = cells[-1]
        for module in {m["module"] for m in VALIDATION_MODULE.finditer(guarded_by)}:
            rows = [row for row in section if f"devstack/validation/{module}.py" in row.cells[2]]
            assert rows, f"rule {cells[0][:80]!r} (guarded by {module}.py) is not in the table"
            test_file = f"tests/devstack/validation/test_{module}.py"
            assert test_file in guarded_by, f"rule {cells[0][:80]!r}: name {test_file}"
            assert (REPO_ROOT / test_file).is_file(), f"{test_file} does not exist"
