"""Suite 7: after apply, a Terraform plan shows no changes (no drift, no perpetual diff).

On the devstack this runs the devstack's own `make stack-plan` (plan -detailed-exitcode against the
emulator with the same variables the stack was applied with). Against AWS set E2E_PLAN_COMMAND to
your plan command, e.g. `terraform -chdir=infra plan -detailed-exitcode -var-file=envs/dev.tfvars`.
After-destroy emptiness is checked by `make down` on the devstack side.
"""

from __future__ import annotations

import os
import shlex
import subprocess

import pytest
from e2e_support.target import REPO_ROOT, Target

pytestmark = pytest.mark.lifecycle


def _has_make_target(name: str) -> bool:
    probe = subprocess.run(  # noqa: S603 - fixed argv
        ["make", "-n", name],  # noqa: S607
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.returncode == 0


def test_plan_after_apply_has_no_changes(target: Target) -> None:
    command = os.environ.get("E2E_PLAN_COMMAND")
    if not command:
        if not target.is_devstack:
            pytest.skip("against AWS, set E2E_PLAN_COMMAND to the deployment's plan command")
        if not _has_make_target("stack-plan"):
            pytest.fail("the devstack has no `make stack-plan` target to run the plan with")
        command = "make --no-print-directory stack-plan"
    completed = subprocess.run(  # noqa: S603 - the operator's own command
        shlex.split(command),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = (completed.stdout + completed.stderr)[-6000:]
    # -detailed-exitcode: 0 = no changes, 2 = changes, 1 = error.
    assert completed.returncode == 0, f"`{command}` exited {completed.returncode}:\n{output}"
