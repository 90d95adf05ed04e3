"""Every `make <target>` that docs, workflows and hooks mention exists; links resolve; README."""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from docs_support import REPO_ROOT

# Where users read or run make commands.
DOC_FILES = sorted([REPO_ROOT / "README.md", *(REPO_ROOT / "docs").glob("*.md")])
AUTOMATION_FILES = sorted(
    [
        *(REPO_ROOT / ".github" / "workflows").glob("*.yml"),
        REPO_ROOT / ".pre-commit-config.yaml",
    ]
)

FENCED_BLOCK = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
MAKE_INVOCATION = re.compile(
    r"(?:^|[\s;&|(])make\s+((?:[A-Za-z0-9_.-]+=\S*\s+|-\S+\s+)*)([^\n;&|#)]*)"
)
TARGET_WORD = re.compile(r"^[a-z][a-z0-9_-]*$")


def code_snippets(markdown: str) -> list[str]:
    """Text of fenced code blocks and inline code spans: only code counts, not prose."""
    blocks = FENCED_BLOCK.findall(markdown)
    without_blocks = FENCED_BLOCK.sub("", markdown)
    return [*blocks, *INLINE_CODE.findall(without_blocks)]


def make_targets_in(text: str) -> set[str]:
    """Targets named on `make ...` command lines (variables and options skipped)."""
    targets: set[str] = set()
    for match in MAKE_INVOCATION.finditer(text):
        for word in match.group(2).split():
            if "=" in word or word.startswith("-"):
                continue
            if not TARGET_WORD.match(word):
                break
            targets.add(word)
    return targets


# Read once per session: each `make -p` parses the Makefile and runs its $(shell ...) probes
# (the Python candidates, the requirement hashes), ~0.7 s of CPU, and every document asked again.
@functools.cache
def defined_make_targets() -> frozenset[str]:
    """Targets known to make itself (Makefile + mk/*.mk), from its rule database."""
    database = subprocess.run(  # noqa: S603 - fixed argv
        ["make", "-C", str(REPO_ROOT), "-pRrq", "__meridian_no_such_target__"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,  # -q with an unknown target exits non-zero; the database is still printed
    ).stdout
    targets = set()
    for line in database.splitlines():
        match = re.match(r"^([A-Za-z0-9_.-][^:=#\s]*):(?!=)", line)
        if match and not match.group(1).startswith("."):
            targets.add(match.group(1))
    return frozenset(targets)


def test_make_mention_parser() -> None:
    snippets = code_snippets(
        "Run `make up` then\n```sh\nmake test-unit test-docs  # both\nmake -j2 FOO=1 build\n```\n"
        "To make sure nothing breaks, `make down`."
    )
    found = set().union(*(make_targets_in(s) for s in snippets))
    assert found == {"up", "test-unit", "test-docs", "build", "down"}


def test_make_database_lists_known_targets() -> None:
    assert {"test", "venv", "help", "test-docs", "diagram"} <= defined_make_targets()


def commands_in_automation(path: Path) -> list[str]:
    """The shell commands of a workflow (`run:` steps) or of pre-commit hooks (`entry:`)."""
    loaded = yaml.safe_load(path.read_text())
    if "jobs" in loaded:
        return [
            str(step["run"])
            for job in loaded["jobs"].values()
            for step in job.get("steps", [])
            if "run" in step
        ]
    return [str(hook["entry"]) for repo in loaded["repos"] for hook in repo["hooks"]]


@pytest.mark.parametrize("path", DOC_FILES + AUTOMATION_FILES, ids=lambda p: p.name)
def test_documented_make_targets_exist(path: Path) -> None:
    if not path.exists():
        pytest.fail(f"{path.relative_to(REPO_ROOT)} is missing")
    snippets = (
        code_snippets(path.read_text()) if path.suffix == ".md" else commands_in_automation(path)
    )
    mentioned = set().union(*(make_targets_in(s) for s in snippets))
    missing = sorted(mentioned - defined_make_targets())
    assert not missing, f"{path.name} mentions make targets that do not exist: {missing}"


MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: p.name)
def test_relative_links_resolve(path: Path) -> None:
    broken = []
    for target in MARKDOWN_LINK.findall(path.read_text()):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        if not (path.parent / target.split("#", 1)[0]).exists():
            broken.append(target)
    assert not broken, f"{path.name} links to missing files: {broken}"


def test_readme_quickstart_is_exactly_two_commands() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = FENCED_BLOCK.findall(section)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make up", "make test"]


def test_readme_keeps_generated_section_markers_and_figures_table() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert readme.count("<!-- BEGIN_TF_DOCS -->") == 1
    assert readme.count("<!-- END_TF_DOCS -->") == 1
    assert readme.index("<!-- BEGIN_TF_DOCS -->") < readme.index("<!-- END_TF_DOCS -->")
    assert "## Measured figures" in readme


def test_ci_runs_the_readme_test_command_only() -> None:
    commands = [
        line.strip()
        for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands[-1] == "exec make test"
    assert not any("pytest" in c or "terraform" in c for c in commands)
