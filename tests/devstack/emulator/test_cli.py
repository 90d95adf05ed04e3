"""The orchestration helpers of devstack.cli that need no Terraform."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from devstack import cli

from .conftest import free_port


def settings_for(tmp_path: Path, port: int | None = None) -> cli.Settings:
    infra = tmp_path / "infra"
    (infra / "envs").mkdir(parents=True)
    (infra / "envs" / "local.tfvars").write_text(
        'environment = "local"\nprimary_region = "eu-west-1"\n'
    )
    return cli.Settings(
        port=port or free_port(),
        state_dir=tmp_path / "state",
        infra_dir=infra,
        var_file="envs/local.tfvars",
    )


def test_primary_region_comes_from_the_var_file(tmp_path: Path) -> None:
    assert cli.primary_region(settings_for(tmp_path)) == "eu-west-1"


def test_stack_regions_prefer_terraform_outputs() -> None:
    outputs = {"primary_region": "us-east-1", "secondary_region": "us-west-2"}
    assert cli.stack_regions(outputs, "eu-west-1") == ["us-east-1", "us-west-2"]
    assert cli.stack_regions({}, "eu-west-1") == ["eu-west-1"]


def test_fingerprint_follows_the_terraform_inputs(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    before = cli.inputs_fingerprint(settings)
    assert cli.inputs_fingerprint(settings) == before
    (settings.infra_dir / "main.tf").write_text("# changed\n")
    assert cli.inputs_fingerprint(settings) != before


def test_descendants_lists_the_child_of_a_child() -> None:
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time; "
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']); "
            "time.sleep(30)",
        ]
    )
    try:
        for _ in range(100):
            found = cli.descendants(parent.pid)
            if found:
                break
            time.sleep(0.05)
        assert len(found) == 1
        (child,) = found
        assert cli.pid_alive(child)
    finally:
        for pid in cli.descendants(parent.pid):
            cli.os.kill(pid, 9)
        parent.kill()
        parent.wait()


def test_start_is_idempotent_and_stop_leaves_no_process(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    first = cli.start_server(settings)
    try:
        assert cli.start_server(settings)["pid"] == first["pid"]
        assert cli.running_server(settings) is not None
    finally:
        cli.stop_server(settings)
    assert not cli.pid_alive(int(first["pid"]))
    assert cli.running_server(settings) is None
    assert not settings.server_file.exists()


def test_a_foreign_server_on_the_port_is_not_adopted(tmp_path: Path, emulator: Any) -> None:
    settings = settings_for(tmp_path, port=emulator.port)
    with pytest.raises(cli.DevstackError, match="not a server started from"):
        cli.start_server(settings)


def test_leftovers_reports_what_remains(emulator: Any, tmp_path: Path, unique_name: Any) -> None:
    settings = settings_for(tmp_path, port=emulator.port)
    region = "ap-southeast-2"  # a region no other test uses
    assert cli.leftovers(settings, [region]) == [
        entry
        for entry in cli.leftovers(settings, [region])
        if entry.startswith("IAM roles")
        or entry.startswith("CloudFront")
        or entry.startswith("WAF")
        or entry.startswith("Route 53")
    ]
    table = unique_name("left")
    emulator.client("dynamodb", region).create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert f"dynamodb tables ({region}): {table}" in cli.leftovers(settings, [region])


def test_plan_refuses_when_the_stack_is_not_up(tmp_path: Path) -> None:
    with pytest.raises(cli.DevstackError, match="not up"):
        cli.cmd_plan(settings_for(tmp_path))


class FakeEmulator:
    """Stands in for the emulator process and Terraform: counts starts, stops and applies."""

    def __init__(self, settings: cli.Settings, failures: int) -> None:
        self.settings = settings
        self.failures = failures
        self.instances = 0
        self.applied: list[str] = []
        settings.state_dir.mkdir(parents=True, exist_ok=True)

    def start(self, _settings: cli.Settings) -> dict[str, Any]:
        self.instances += 1
        return {"instance": f"i{self.instances}"}

    def stop(self, _settings: cli.Settings) -> None:
        pass

    def apply(self, settings: cli.Settings, instance: str) -> None:
        self.applied.append(instance)
        settings.terraform_log.write_text(f"apply on {instance}\n")
        if self.failures:
            self.failures -= 1
            raise cli.DevstackError("terraform apply failed (1)")


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    def make(failures: int) -> FakeEmulator:
        emulator = FakeEmulator(settings_for(tmp_path), failures)
        monkeypatch.setattr(cli, "start_server", emulator.start)
        monkeypatch.setattr(cli, "stop_server", emulator.stop)
        monkeypatch.setattr(cli, "apply", emulator.apply)
        return emulator

    return make


def test_a_failed_first_apply_is_retried_once_on_a_fresh_emulator(fake: Any) -> None:
    emulator = fake(failures=1)
    cli.apply_on_fresh_emulator_if_needed(emulator.settings, "i0")
    assert emulator.applied == ["i0", "i1"]  # the retry ran on a newly started emulator
    kept = emulator.settings.state_dir / "terraform-first-attempt.log"
    assert kept.read_text() == "apply on i0\n"


def test_an_apply_that_fails_twice_is_reported(fake: Any) -> None:
    emulator = fake(failures=2)
    with pytest.raises(cli.DevstackError, match="apply failed"):
        cli.apply_on_fresh_emulator_if_needed(emulator.settings, "i0")
    assert emulator.applied == ["i0", "i1"]


def test_a_failed_re_apply_of_a_running_stack_is_not_retried(
    fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = fake(failures=1)
    monkeypatch.setattr(cli, "stack_applied", lambda _settings, _instance: True)
    with pytest.raises(cli.DevstackError):
        cli.apply_on_fresh_emulator_if_needed(emulator.settings, "i0")
    assert emulator.applied == ["i0"]


@pytest.mark.parametrize(("failures", "succeeds"), [(1, True), (2, False)])
def test_a_failed_destroy_is_run_once_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failures: int, succeeds: bool
) -> None:
    """The first destroy trusts the state (this emulator's own apply wrote it) and skips the
    read-back of every resource; when it fails, the second run reads back what is left first and
    finishes it (e.g. a usage plan whose stage-removal PATCH was sent twice). Two failures are
    reported, and the emulator is stopped either way."""
    settings = settings_for(tmp_path)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    destroys: list[tuple[str, ...]] = []
    stopped: list[bool] = []

    def destroy(_settings: cli.Settings, *args: str) -> None:
        destroys.append(args)
        if len(destroys) <= failures:
            raise cli.DevstackError("terraform destroy failed (1)")

    monkeypatch.setattr(cli, "running_server", lambda _settings: {"instance": "i1"})
    monkeypatch.setattr(cli, "stack_applied", lambda _settings, _instance: True)
    monkeypatch.setattr(cli, "terraform_init", lambda _settings: None)
    monkeypatch.setattr(cli, "terraform_outputs", lambda _settings: {})
    monkeypatch.setattr(cli, "terraform_logged", destroy)
    monkeypatch.setattr(cli, "leftovers", lambda _settings, _regions: [])
    monkeypatch.setattr(cli, "stop_server", lambda _settings: stopped.append(True))
    if succeeds:
        assert cli.cmd_down(settings) == 0
    else:
        with pytest.raises(cli.DevstackError, match="destroy failed"):
            cli.cmd_down(settings)
    assert len(destroys) == 2
    assert destroys[0][0] == "destroy"
    assert "-refresh=false" in destroys[0]
    assert destroys[1][0] == "destroy"
    assert "-refresh=false" not in destroys[1]
    assert stopped == [True]


def test_a_destroy_that_succeeds_skips_the_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One destroy without the refresh (a normal plan that reads back all 139 resources: about
    30 s of CPU and half of `make down`); what down proves stays: destroy succeeds, then
    leftovers() finds nothing the stack created in the emulator."""
    settings = settings_for(tmp_path)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    destroys: list[tuple[str, ...]] = []
    checked: list[list[str]] = []
    monkeypatch.setattr(cli, "running_server", lambda _settings: {"instance": "i1"})
    monkeypatch.setattr(cli, "stack_applied", lambda _settings, _instance: True)
    monkeypatch.setattr(cli, "terraform_init", lambda _settings: None)
    monkeypatch.setattr(cli, "terraform_outputs", lambda _settings: {})
    monkeypatch.setattr(cli, "terraform_logged", lambda _settings, *args: destroys.append(args))
    monkeypatch.setattr(cli, "leftovers", lambda _settings, regions: checked.append(regions) or [])
    monkeypatch.setattr(cli, "stop_server", lambda _settings: None)
    assert cli.cmd_down(settings) == 0
    assert len(destroys) == 1
    assert destroys[0][0] == "destroy"
    assert "-refresh=false" in destroys[0]
    assert checked == [[cli.primary_region(settings)]]


def test_terraform_runs_with_a_lazier_go_collector_unless_gogc_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each provider start builds the AWS provider's whole schema, most of it garbage-collector
    work at GOGC=100 (the default); 400 costs ~16 % less CPU. A GOGC of the user's wins."""
    settings = settings_for(tmp_path)
    monkeypatch.delenv("GOGC", raising=False)
    assert cli.terraform_env(settings, "us-east-1")["GOGC"] == "400"
    monkeypatch.setenv("GOGC", "100")
    assert cli.terraform_env(settings, "us-east-1")["GOGC"] == "100"


def test_a_failed_first_apply_keeps_the_first_emulators_log(
    fake: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The retry's message points at both logs of the failed attempt: Terraform's and the
    emulator's (its SDK retries and dropped connections say why a create was a duplicate)."""
    emulator = fake(failures=1)
    emulator.settings.log_file.write_text("the first emulator's requests\n")
    cli.apply_on_fresh_emulator_if_needed(emulator.settings, "i0")
    kept = emulator.settings.state_dir / "devstack-first-attempt.log"
    assert kept.read_text() == "the first emulator's requests\n"
    assert str(kept) in capsys.readouterr().out


def test_the_devstack_apply_runs_wider_than_terraforms_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Terraform walks 10 resources at a time by default; most of the devstack apply is the
    provider sleeping between polls (SQS attribute propagation, Lambda state, KMS), and a
    sleeping resource holds its slot. DEVSTACK_TF_PARALLELISM overrides the devstack's width."""
    settings = settings_for(tmp_path)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    runs: list[tuple[str, ...]] = []
    monkeypatch.setattr(cli, "terraform_logged", lambda _settings, *args: runs.append(args))
    monkeypatch.delenv("DEVSTACK_TF_PARALLELISM", raising=False)
    cli.apply(settings, "i1")
    assert f"-parallelism={cli.DEFAULT_TF_PARALLELISM}" in runs[0]
    assert cli.DEFAULT_TF_PARALLELISM > 10
    monkeypatch.setenv("DEVSTACK_TF_PARALLELISM", "7")
    settings.applied_file.unlink()
    cli.apply(settings, "i2")
    assert "-parallelism=7" in runs[1]


def test_resource_timings_pair_each_start_with_its_completion() -> None:
    lines = [
        (0.0, "Plan: 3 to add, 0 to change, 0 to destroy."),
        (40.0, "module.a.aws_sqs_queue.q: Creating..."),
        (40.5, 'module.a.aws_lambda_function.f["x"]: Creating...'),
        (52.0, 'module.a.aws_lambda_function.f["x"]: Creation complete after 11s [id=x]'),
        (65.5, "module.a.aws_sqs_queue.q: Creation complete after 25s [id=http://q]"),
        (66.0, "module.a.aws_sqs_queue.q: Destroying... [id=http://q]"),
        (67.0, "module.a.aws_sqs_queue.q: Destruction complete after 1s"),
    ]
    timings = cli.resource_timings(lines)
    assert timings == [  # in the order they completed
        cli.ResourceTiming('module.a.aws_lambda_function.f["x"]', "create", 40.5, 52.0),
        cli.ResourceTiming("module.a.aws_sqs_queue.q", "create", 40.0, 65.5),
        cli.ResourceTiming("module.a.aws_sqs_queue.q", "destroy", 66.0, 67.0),
    ]
    assert [t.seconds for t in timings] == [11.5, 25.5, 1.0]
    summary = cli.timing_summary(timings, total=70.0)
    assert "first change after 40.0 s" in summary
    assert summary.index("aws_sqs_queue.q (create) 25.5 s") < summary.index('f["x"] (create)')


def test_init_runs_again_only_when_what_it_installs_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`terraform init` (~6 s) installs the providers of the lock file and the module tree named by
    the `source` arguments; with neither changed since the last init, up and down skip it."""
    settings = settings_for(tmp_path)
    (settings.infra_dir / "main.tf").write_text('module "a" {\n  source = "./modules/a"\n}\n')
    (settings.infra_dir / ".terraform.lock.hcl").write_text("# providers\n")
    inits: list[tuple[str, ...]] = []

    def fake_terraform(_settings: cli.Settings, *args: str, **_kwargs: Any) -> str:
        inits.append(args)
        for name in ("modules", "providers"):
            (settings.state_dir / "tf" / name).mkdir(parents=True, exist_ok=True)
        return ""

    monkeypatch.setattr(cli, "terraform", fake_terraform)
    cli.terraform_init(settings)
    cli.terraform_init(settings)
    assert len(inits) == 1
    (settings.infra_dir / "main.tf").write_text(
        'module "a" {\n  source = "./modules/a"\n}\nmodule "b" {\n  source = "./modules/b"\n}\n'
    )
    cli.terraform_init(settings)
    assert len(inits) == 2
    (settings.infra_dir / ".terraform.lock.hcl").write_text("# other providers\n")
    cli.terraform_init(settings)
    assert len(inits) == 3
    cli.terraform_init(settings)
    assert len(inits) == 3
