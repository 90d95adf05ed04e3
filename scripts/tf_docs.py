"""Generate the README's Terraform inputs/outputs tables from the root module.

Parses `infra/variables.tf` and `infra/outputs.tf` (name, type, default, description) and writes
markdown tables between `<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->` in README.md.
`--check` only compares and exits 1 when README.md is stale (CI), without writing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
BLOCK_START = re.compile(r'^(variable|output)\s+"([^"]+)"\s*\{\s*$', re.MULTILINE)
ATTRIBUTE = re.compile(r"^\s*([a-z_]+)\s*=\s*(.*)$")


@dataclass(frozen=True)
class Block:
    kind: str
    name: str
    attributes: dict[str, str]


def _depth_change(line: str) -> int:
    """Net bracket depth of one line, ignoring brackets inside strings and comments."""
    depth = 0
    in_string = False
    escaped = False
    for index, char in enumerate(line):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char == "#" or line.startswith("//", index):
            break
        elif char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
    return depth


def parse_blocks(text: str) -> list[Block]:
    """Top-level variable/output blocks with their top-level attributes (raw HCL expressions)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = BLOCK_START.match(lines[index])
        index += 1
        if not match:
            continue
        attributes: dict[str, str] = {}
        depth = 1
        while index < len(lines) and depth > 0:
            line = lines[index]
            attribute = ATTRIBUTE.match(line) if depth == 1 else None
            depth += _depth_change(line)
            index += 1
            if attribute is None:
                continue
            value_lines = [attribute.group(2)]
            value_depth = _depth_change(attribute.group(2))
            while value_depth > 0 and index < len(lines):
                value_lines.append(lines[index].strip())
                value_depth += _depth_change(lines[index])
                depth += _depth_change(lines[index])
                index += 1
            attributes[attribute.group(1)] = " ".join(part for part in value_lines if part)
        blocks.append(Block(kind=match.group(1), name=match.group(2), attributes=attributes))
    return blocks


def _string(expression: str) -> str:
    """The value of a quoted HCL string literal."""
    value = json.loads(expression)
    if not isinstance(value, str):
        raise TypeError(f"expected a string literal, got {expression!r}")
    return value


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(variables: list[Block], outputs: list[Block]) -> str:
    lines = [
        "### Inputs",
        "",
        "| Name | Type | Default | Description |",
        "|------|------|---------|-------------|",
    ]
    for block in sorted(variables, key=lambda block: block.name):
        default = block.attributes.get("default")
        default_cell = "required" if default is None else f"`{_cell(default)}`"
        type_cell = f"`{_cell(block.attributes.get('type', 'any'))}`"
        description = _cell(_string(block.attributes["description"]))
        lines.append(f"| `{block.name}` | {type_cell} | {default_cell} | {description} |")
    lines += ["", "### Outputs", "", "| Name | Description |", "|------|-------------|"]
    for block in sorted(outputs, key=lambda block: block.name):
        description = _cell(_string(block.attributes["description"]))
        lines.append(f"| `{block.name}` | {description} |")
    return "\n".join(lines)


def updated_readme(readme: str, tables: str) -> str:
    start = readme.index(BEGIN) + len(BEGIN)
    end = readme.index(END)
    return f"{readme[:start]}\n{tables}\n{readme[end:]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when README.md is stale")
    parser.add_argument("--module", type=Path, default=ROOT / "infra")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args()

    variables = parse_blocks((args.module / "variables.tf").read_text(encoding="utf-8"))
    outputs = parse_blocks((args.module / "outputs.tf").read_text(encoding="utf-8"))
    missing = [block.name for block in variables + outputs if "description" not in block.attributes]
    if missing:
        print(f"tf_docs: missing description: {', '.join(missing)}", file=sys.stderr)
        return 1

    readme = args.readme.read_text(encoding="utf-8")
    expected = updated_readme(readme, render(variables, outputs))
    if args.check:
        if expected != readme:
            print("tf_docs: README.md is stale; run `make docs`", file=sys.stderr)
            return 1
        print(f"tf_docs: README.md documents {len(variables)} inputs, {len(outputs)} outputs")
        return 0
    args.readme.write_text(expected, encoding="utf-8")
    print(f"tf_docs: wrote {len(variables)} inputs and {len(outputs)} outputs to README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
