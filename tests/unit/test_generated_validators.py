"""The request validators are generated from the JSON schemas (scripts/generate_validators.py):
they must match what fastjsonschema generates from the schemas in the tree today."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_validators", ROOT / "scripts" / "generate_validators.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_generated_validators_are_current() -> None:
    assert _generator().main(["--check"]) == 0


def test_a_changed_schema_makes_its_validator_stale(tmp_path, monkeypatch) -> None:
    generator = _generator()
    schemas, validators = tmp_path / "schemas", tmp_path / "validators"
    shutil.copytree(generator.SCHEMA_DIR, schemas)
    shutil.copytree(generator.VALIDATOR_DIR, validators)
    schema = schemas / "session_create.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace("100", "99"), encoding="utf-8")
    monkeypatch.setattr(generator, "SCHEMA_DIR", schemas)
    monkeypatch.setattr(generator, "VALIDATOR_DIR", validators)
    assert generator.main(["--check"]) == 1
    assert generator.main([]) == 0  # regenerated
    assert generator.main(["--check"]) == 0
