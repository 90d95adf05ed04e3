"""Issue 12 item 4: the planned regional failover, drilled against a real deployment with Terraform.

Opt-in (it changes the deployment for several minutes): ``E2E_FAILOVER_DRILL=1`` with
``E2E_TARGET=aws``. The drill runs the runbook of docs/operations.md#regional-failover and checks
the write fence's answer at every step, then fails back the same way, leaving the stack as found:

1. pause (``writes_paused = true``): both regions refuse writes with 503 REGION_NOT_WRITABLE
   ("paused"), reads are served;
2. drain: the last transaction acknowledged before the pause is readable in the target region;
3. flip (``active_region = <other>``, ``writes_paused = false``): the target region accepts writes,
   the old one refuses them naming the target, and CloudFront takes writes again once its edges
   have switched.

Settings: ``E2E_TERRAFORM_DIR`` (default ``infra``), ``E2E_TFVARS`` (the environment's var file,
required), ``E2E_TERRAFORM`` (the command, default ``terraform``). Every wait is bounded
(``E2E_FAILOVER_WAIT_SECONDS``, default 900: CloudFront's rollout takes minutes).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import uuid
from collections.abc import Callable

import pytest
import requests
from e2e_support.api import Api, assert_error_body, expect_status, poll
from e2e_support.target import REPO_ROOT, Target
from e2e_support.users import User

pytestmark = pytest.mark.skipif(
    os.environ.get("E2E_FAILOVER_DRILL") != "1",
    reason="opt-in: E2E_FAILOVER_DRILL=1 against a real deployment (docs/testing-guide.md)",
)

WAIT_SECONDS = float(os.environ.get("E2E_FAILOVER_WAIT_SECONDS", "900"))
# The functions' new environment applies within seconds; allow for Lambda's update to finish.
FUNCTION_UPDATE_SECONDS = 120.0
PAYMENT = {"amount": "1.00", "currency": "USD", "type": "credit", "reference": "failover drill"}


class Terraform:
    """``terraform apply`` of the root module with the environment's var file plus overrides."""

    def __init__(self) -> None:
        self.directory = os.environ.get("E2E_TERRAFORM_DIR", str(REPO_ROOT / "infra"))
        self.command = shlex.split(os.environ.get("E2E_TERRAFORM", "terraform"))
        self.var_file = os.environ.get("E2E_TFVARS")
        if not self.var_file:
            pytest.fail("E2E_TFVARS must name the environment's var file (e.g. envs/dev.tfvars)")

    def apply(self, active_region: str, writes_paused: bool) -> None:
        completed = subprocess.run(  # noqa: S603 - argv from the operator's settings
            [
                *self.command,
                f"-chdir={self.directory}",
                "apply",
                "-auto-approve",
                "-input=false",
                f"-var-file={self.var_file}",
                f"-var=active_region={active_region}",
                f"-var=writes_paused={str(writes_paused).lower()}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr[-4000:]

    def output(self, name: str) -> str:
        completed = subprocess.run(  # noqa: S603
            [*self.command, f"-chdir={self.directory}", "output", "-json", name],
            capture_output=True,
            text=True,
            check=True,
        )
        return str(json.loads(completed.stdout))


def refused(response: requests.Response, message: str) -> bool:
    """The fence's answer naming ``message`` (other answers: not yet, keep polling)."""
    if response.status_code != 503 or "REGION_NOT_WRITABLE" not in response.text:
        return False
    assert_error_body(response, "REGION_NOT_WRITABLE")
    assert response.headers.get("Retry-After") == "5"
    return message in response.json()["error"]["message"]


def until(action: Callable[[], requests.Response], accept: Callable[[requests.Response], bool],
          within: float) -> requests.Response:  # fmt: skip
    response = poll(action, accept, within_seconds=within, interval=2.0)
    assert accept(response), (
        f"not reached within {within:.0f} s: {response.status_code} {response.text[:300]}"
    )
    return response


def test_planned_failover_and_failback(
    target: Target, api: Api, api_secondary: Api, user: User
) -> None:
    if target.is_devstack:
        pytest.skip("the drill applies Terraform against a real deployment (E2E_TARGET=aws)")
    terraform = Terraform()
    edge = Api(str(target.outputs["cloudfront_url"]) + "/v1", "edge")
    by_region = {api.region: api, api_secondary.region: api_secondary}
    origin = terraform.output("write_region")
    assert origin in by_region, f"the drill starts from a stack that takes writes: {origin}"
    other = next(region for region in by_region if region != origin)
    token = user.id_token
    expect_status(edge.post("/profiles", token=token, json_body={"display_name": "Drill"}), 201)

    for source, destination in ((origin, other), (other, origin)):  # failover, then failback
        _move_writes(terraform, edge, by_region, token, source, destination)


def _write(api: Api, token: str) -> requests.Response:
    return api.post_transaction(token, PAYMENT, uuid.uuid4().hex)


def _move_writes(
    terraform: Terraform,
    edge: Api,
    by_region: dict[str, Api],
    token: str,
    source: str,
    destination: str,
) -> None:
    """Pause, drain, flip: the runbook's planned failover from ``source`` to ``destination``."""
    last = _write(edge, token)
    expect_status(last, 201)

    # 1. Pause: every region refuses writes, reads are served.
    terraform.apply(active_region=source, writes_paused=True)
    for region in by_region.values():
        until(
            lambda region=region: _write(region, token),
            lambda response: refused(response, "paused"),
            FUNCTION_UPDATE_SECONDS,
        )
        expect_status(region.get("/profiles/me", token=token), 200)

    # 2. Drain: what the source acknowledged last is readable in the destination.
    path = f"/transactions/{last.json()['transaction_id']}"
    until(
        lambda: by_region[destination].get(path, token=token),
        lambda response: response.status_code == 200,
        WAIT_SECONDS,
    )

    # 3. Flip and resume: the destination takes writes, the source refuses naming it.
    terraform.apply(active_region=destination, writes_paused=False)
    until(
        lambda: _write(by_region[destination], token),
        lambda response: response.status_code == 201,
        FUNCTION_UPDATE_SECONDS,
    )
    until(
        lambda: _write(by_region[source], token),
        lambda response: refused(response, destination),
        FUNCTION_UPDATE_SECONDS,
    )
    assert terraform.output("write_region") == destination
    # CloudFront: writes succeed once the edge serving this client has the new origin; until
    # then they are refused (503), never applied in the source.
    until(lambda: _write(edge, token), lambda r: r.status_code == 201, WAIT_SECONDS)
