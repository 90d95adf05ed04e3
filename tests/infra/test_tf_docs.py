"""scripts/tf_docs.py: parsing of variables/outputs and the README staleness check."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "tf_docs.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tf_docs", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["tf_docs"] = module
    spec.loader.exec_module(module)
    return module


tf_docs = _load()

VARIABLES = """
variable "environment" {
  type        = string
  description = "Environment name, e.g. `dev` | `prod`."

  validation {
    condition     = can(regex("^[a-z]+$", var.environment))
    error_message = "lowercase {only}"
  }
}

variable "tags" {
  type = map(object({
    owner = string
  }))
  description = "Extra tags."
  default = {
    team = "platform"
  }
}
"""

OUTPUTS = """
output "api_ids" {
  description = "REST API id per region."
  value = {
    primary = module.a.id
  }
}
"""


def test_parses_type_default_and_description() -> None:
    blocks = {block.name: block for block in tf_docs.parse_blocks(VARIABLES)}
    assert set(blocks) == {"environment", "tags"}
    assert blocks["environment"].attributes["type"] == "string"
    assert "default" not in blocks["environment"].attributes
    assert "condition" not in blocks["environment"].attributes  # nested block attributes skipped
    assert blocks["tags"].attributes["type"] == "map(object({ owner = string }))"
    assert blocks["tags"].attributes["default"] == '{ team = "platform" }'


def test_renders_required_inputs_and_escapes_pipes() -> None:
    tables = tf_docs.render(tf_docs.parse_blocks(VARIABLES), tf_docs.parse_blocks(OUTPUTS))
    expected = "| `environment` | `string` | required | Environment name, e.g. `dev` \\| `prod`. |"
    assert expected in tables
    assert "| `api_ids` | REST API id per region. |" in tables


def _run(monkeypatch: pytest.MonkeyPatch, *arguments: str) -> int:
    monkeypatch.setattr(sys, "argv", ["tf_docs.py", *arguments])
    result: int = tf_docs.main()
    return result


def test_check_fails_on_a_stale_readme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "infra"
    module.mkdir()
    (module / "variables.tf").write_text(VARIABLES, encoding="utf-8")
    (module / "outputs.tf").write_text(OUTPUTS, encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- BEGIN_TF_DOCS -->\n<!-- END_TF_DOCS -->\n", encoding="utf-8")
    paths = ("--module", str(module), "--readme", str(readme))

    assert _run(monkeypatch, *paths, "--check") == 1
    assert "stale" in capsys.readouterr().err

    assert _run(monkeypatch, *paths) == 0
    assert _run(monkeypatch, *paths, "--check") == 0
    assert "`environment`" in readme.read_text(encoding="utf-8")


def test_missing_description_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = tmp_path / "infra"
    module.mkdir()
    (module / "variables.tf").write_text('variable "x" {\n  type = string\n}\n', encoding="utf-8")
    (module / "outputs.tf").write_text(OUTPUTS, encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text("<!-- BEGIN_TF_DOCS -->\n<!-- END_TF_DOCS -->\n", encoding="utf-8")
    assert _run(monkeypatch, "--module", str(module), "--readme", str(readme), "--check") == 1


def test_repository_readme_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(monkeypatch, "--check") == 0
