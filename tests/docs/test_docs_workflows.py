"""The GitHub workflows shipped for users' repositories lint clean and do what the docs promise."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from docs_support import REPO_ROOT

WORKFLOW_DIR = REPO_ROOT / ".github" / "workflows"
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which(
    "actionlint"
)


def load(name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOW_DIR / name).read_text())
    return loaded


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # PyYAML reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    assert isinstance(on, dict)
    return on


def run_steps(workflow: dict[Any, Any]) -> str:
    return "\n".join(
        str(step.get("run", "")) + str(step.get("uses", ""))
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
    )


def actionlint(*paths: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT, "actionlint is not installed: run `make docs-deps`"
    return subprocess.run(  # noqa: S603 - fixed argv
        [ACTIONLINT, "-no-color", "-oneline", *map(str, paths)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_actionlint_passes_on_every_workflow() -> None:
    workflows = sorted(WORKFLOW_DIR.glob("*.yml"))
    assert workflows
    result = actionlint(*workflows, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
        "      - uses: actions/checkout@v5\n        with:\n          no-such-input: 1\n"
    )
    result = actionlint(broken, cwd=tmp_path)
    assert result.returncode == 1
    assert "no-such-input" in result.stdout


def test_pull_requests_run_every_check() -> None:
    checks = load("checks.yml")
    assert {"pull_request", "workflow_call"} <= set(triggers(checks))
    steps = run_steps(checks)
    for expected in (
        "make tf-fmt",
        "make tf-validate",
        "make tf-test",
        "make checkov",
        "make lint test-unit",
        "make test-docs",
        "make test-devstack",
        "make test-stack",
    ):
        assert expected in steps, expected


def test_deploys_use_oidc_and_repository_variables() -> None:
    reusable = load("terraform.yml")
    assert set(triggers(reusable)) == {"workflow_call"}
    assert reusable["permissions"]["id-token"] == "write"
    steps = reusable["jobs"]["terraform"]["steps"]
    credentials = next(s for s in steps if "configure-aws-credentials" in s.get("uses", ""))
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    text = (WORKFLOW_DIR / "terraform.yml").read_text()
    assert "use_lockfile=true" in text
    assert "kms_key_id=" in text
    assert "secrets." not in text, "deploys must not rely on stored AWS keys"
    assert "key=meridian/$ENVIRONMENT.tfstate" in text


def test_main_plans_then_applies_after_checks() -> None:
    deploy = load("deploy.yml")
    assert triggers(deploy)["push"]["branches"] == ["main"]
    jobs = deploy["jobs"]
    assert jobs["checks"]["uses"] == "./.github/workflows/checks.yml"
    assert jobs["plan"]["needs"] == "checks"
    assert jobs["plan"]["with"]["operation"] == "plan"
    assert jobs["apply"]["needs"] == "plan"
    assert jobs["apply"]["with"]["operation"] == "apply"


def test_closed_pull_requests_destroy_their_environment() -> None:
    preview = load("preview.yml")
    assert "closed" in triggers(preview)["pull_request"]["types"]
    destroy = preview["jobs"]["destroy"]
    assert "github.event.action == 'closed'" in destroy["if"]
    assert destroy["with"] == {
        "environment": "pr${{ github.event.pull_request.number }}",
        "operation": "destroy",
    }


def test_pre_commit_runs_the_same_checks() -> None:
    config = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text())
    entries = " ".join(hook["entry"] for repo in config["repos"] for hook in repo["hooks"])
    for expected in (
        "make tf-fmt",
        "make tf-validate",
        "tf-test",
        "make checkov",
        "make lint",
        "actionlint",
        "make test-unit",
        "make test-docs",
    ):
        assert expected in entries, expected


@pytest.mark.parametrize("name", ["checks.yml", "terraform.yml", "deploy.yml", "preview.yml"])
def test_no_untrusted_input_is_expanded_inside_scripts(name: str) -> None:
    # Expressions in `run:` are pasted into the shell script before it runs; pass them via env.
    for job in load(name)["jobs"].values():
        for step in job.get("steps", []):
            assert "${{ github.event" not in str(step.get("run", "")), step
            assert "${{ inputs." not in str(step.get("run", "")), step
