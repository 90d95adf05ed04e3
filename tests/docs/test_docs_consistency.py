"""The prose docs agree with the Terraform: alarms in operations.md, defaults in capacity.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docs_support import REPO_ROOT

INFRA_DIR = REPO_ROOT / "infra"
OPERATIONS = REPO_ROOT / "docs" / "operations.md"
CAPACITY = REPO_ROOT / "docs" / "capacity.md"

ALARM_BLOCK = re.compile(
    r'^resource\s+"aws_cloudwatch_metric_alarm"\s+"[^"]+"\s*\{(?P<body>.*?)^\}',
    re.MULTILINE | re.DOTALL,
)
ALARM_NAME = re.compile(r'^\s*alarm_name\s*=\s*"(?P<name>[^"]+)"', re.MULTILINE)
PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
LITERAL_MAP_KEY = re.compile(r'^\s*"?(?P<key>[a-z][a-z0-9-]*)"?\s*=\s*\{', re.MULTILINE)


def alarm_name_parts(root: Path) -> dict[str, set[str]]:
    """For each alarm_name template: the literal fragments and literal for_each keys in it."""
    parts: dict[str, set[str]] = {}
    for tf_file in sorted(root.rglob("*.tf")):
        if ".terraform" in tf_file.parts:
            continue
        for block in ALARM_BLOCK.finditer(tf_file.read_text()):
            body = block["body"]
            name = ALARM_NAME.search(body)
            assert name, f"alarm without a literal alarm_name in {tf_file}"
            template = name["name"]
            fragments = {f.strip("-") for f in PLACEHOLDER.split(template)} - {""}
            if "${each.key}" in template:
                for_each = body.split("for_each", 1)[1] if "for_each" in body else ""
                fragments |= set(LITERAL_MAP_KEY.findall(for_each.split("alarm_name", 1)[0]))
            parts[template] = fragments
    return parts


def test_alarm_parser_reads_templates_and_keys(tmp_path: Path) -> None:
    (tmp_path / "monitoring.tf").write_text(
        'resource "aws_cloudwatch_metric_alarm" "table" {\n'
        "  for_each = {\n"
        '    read-throttles = { metric = "ReadThrottleEvents" }\n'
        '    replication-latency = { metric = "ReplicationLatency" }\n'
        "  }\n"
        '  alarm_name = "${var.name}-dynamodb-${each.key}-${local.region}"\n'
        "}\n"
    )
    assert alarm_name_parts(tmp_path) == {
        "${var.name}-dynamodb-${each.key}-${local.region}": {
            "dynamodb",
            "read-throttles",
            "replication-latency",
        }
    }


def test_every_alarm_is_in_the_runbook() -> None:
    parts = alarm_name_parts(INFRA_DIR) if INFRA_DIR.exists() else {}
    if not parts:
        pytest.skip("infra/ declares no CloudWatch alarms in this checkout (infra not merged yet)")
    runbook = OPERATIONS.read_text()
    missing = {
        t: sorted(f for f in fragments if f not in runbook) for t, fragments in parts.items()
    }
    missing = {t: f for t, f in missing.items() if f}
    assert not missing, f"alarms not documented in docs/operations.md: {missing}"


DEFAULTS_ROW = re.compile(r"^\| `(?P<var>[a-z0-9_]+)` \| (?P<value>[^|]+) \|", re.MULTILINE)


def terraform_default(variable: str) -> str | None:
    text = (INFRA_DIR / "variables.tf").read_text()
    block = re.search(
        rf'^variable\s+"{re.escape(variable)}"\s*\{{(?P<body>.*?)^\}}',
        text,
        re.MULTILINE | re.DOTALL,
    )
    if block is None:
        return None
    default = re.search(r"^\s*default\s*=\s*(?P<value>.+?)\s*$", block["body"], re.MULTILINE)
    return default["value"] if default else None


def test_capacity_defaults_match_the_variables() -> None:
    if not (INFRA_DIR / "variables.tf").exists():
        pytest.skip("infra/variables.tf is not in this checkout (infra not merged yet)")
    section = CAPACITY.read_text().split("## How the defaults follow", 1)[1]
    rows = DEFAULTS_ROW.findall(section)
    assert rows, "capacity.md has no defaults table"
    wrong = {}
    for variable, documented in rows:
        actual = terraform_default(variable)
        if actual is None:
            wrong[variable] = "no such variable (or no default) in infra/variables.tf"
            continue
        documented_value = documented.strip().split()[0]
        if documented_value == "none":
            documented_value = "{}" if actual == "{}" else "null"
        if documented_value != actual:
            wrong[variable] = f"docs say {documented_value}, variables.tf says {actual}"
    assert not wrong, wrong
