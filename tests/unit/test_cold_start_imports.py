"""Cold start (issue 15): what a handler module imports at init.

`make bench` measures the cold start against `import boto3; boto3.client("dynamodb")`; these
checks keep the structural cuts from regressing on any machine, with no timing: a fresh
interpreter imports each handler module as Lambda's init does and lists what got loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import meridian

SRC = Path(meridian.__file__).resolve().parents[1]
# Powertools' event handler package imports every resolver it ships and ~40 event data classes
# (~10 % of the boto3 baseline); the functions route with meridian.http.Router instead.
NEVER_AT_INIT = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.data_classes",
)
# A validator is imported on first use: a function that validates no body never pays.
NOT_AT_INIT = ("fastjsonschema", "meridian.validators.generated")
# Logs, metrics and traces are meridian.observability's: Powertools' logger, metrics and tracer,
# the X-Ray SDK and wrapt were ~96 modules at every cold start (bench/findings.md).
NO_OBSERVABILITY_LIBRARIES = (
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.metrics",
    "aws_lambda_powertools.tracing",
    "aws_xray_sdk",
    "wrapt",
)

PROBE = """
import json, sys
import {module}
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after_import(module: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "POWERTOOLS_TRACE_DISABLED": "1"}
    completed = subprocess.run(  # noqa: S603 - our interpreter importing our module
        [sys.executable, "-c", PROBE.format(module=module)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(completed.stdout.splitlines()[-1]))


@pytest.mark.parametrize("function", ["health", "profiles", "transactions", "authorizer"])
def test_init_imports_no_powertools_event_handler(function: str) -> None:
    loaded = _modules_after_import(f"meridian.handlers.{function}")
    assert not [name for name in loaded if name.startswith(NEVER_AT_INIT)]
    assert not [name for name in loaded if name.startswith(NOT_AT_INIT)]
    assert not [name for name in loaded if name.startswith(("aws_xray_sdk", "wrapt"))]
    assert not [name for name in loaded if name.startswith(NO_OBSERVABILITY_LIBRARIES)]
    assert "meridian.observability" in loaded


def test_the_events_publisher_imports_no_batch_utility() -> None:
    """Powertools' batch utility imports ~35 event data classes and asyncio (~75 ms, ~18 % of the
    baseline at every cold start of the publisher): the partial batch response is ours."""
    loaded = _modules_after_import("meridian.handlers.transaction_events")
    assert not [name for name in loaded if name.startswith(NEVER_AT_INIT)]
    assert not [name for name in loaded if name.startswith("aws_lambda_powertools.utilities.batch")]
    assert "asyncio" not in loaded
    assert not [name for name in loaded if name.startswith("aws_lambda_powertools")]
    assert not [name for name in loaded if name.startswith(NO_OBSERVABILITY_LIBRARIES)]


def test_the_events_publisher_reads_items_without_the_repository() -> None:
    """The publisher reads one stream image: a small item reader (meridian.events.items) and the
    key constants (meridian.keys), not the repository with both item models and its marshalling
    (bench/findings.md)."""
    loaded = _modules_after_import("meridian.handlers.transaction_events")
    assert {"meridian.events.items", "meridian.keys"} <= loaded
    assert not {"meridian.repository", "meridian.profiles.model"} & loaded


@pytest.mark.parametrize(
    ("function", "config_module"),
    [
        ("health", "meridian.health_config"),
        ("profiles", "meridian.profiles.config"),
        ("transactions", "meridian.transactions.config"),
        ("transaction_events", "meridian.events.config"),
        ("authorizer", "meridian.auth.config"),
    ],
)
def test_each_function_defines_only_its_own_configuration(
    function: str, config_module: str
) -> None:
    """Each function builds its own configuration class, not all five (~1.5 ms each)."""
    loaded = _modules_after_import(f"meridian.handlers.{function}")
    configs = {
        "meridian.health_config",
        "meridian.profiles.config",
        "meridian.transactions.config",
        "meridian.events.config",
        "meridian.auth.config",
    }
    assert loaded & configs == {config_module}


def test_transactions_init_leaves_out_the_profiles_model() -> None:
    """Only the repository's profile methods construct profiles: the transactions function never
    defines their dataclasses."""
    loaded = _modules_after_import("meridian.handlers.transactions")
    assert "meridian.profiles.model" not in loaded


@pytest.mark.parametrize(
    "function", ["health", "profiles", "transactions", "authorizer", "transaction_events"]
)
def test_no_function_imports_powertools(function: str) -> None:
    """Idempotency is the repository's guard item (one TransactWriteItems): Powertools'
    idempotency utility, whose package __init__ loads its logger, metrics and tracer, is gone."""
    loaded = _modules_after_import(f"meridian.handlers.{function}")
    assert not [name for name in loaded if name.startswith("aws_lambda_powertools")]


VALIDATE_PROBE = """
import json, sys
from meridian.validation import validate
from meridian.errors import ValidationError
validate("transaction_create", {"amount": "1.00", "currency": "USD", "type": "debit"})
try:
    validate("profile_create", {"display_name": ""})
except ValidationError as error:
    print(str(error), file=sys.stderr)
print(json.dumps(sorted(sys.modules)))
"""


def test_request_validation_needs_no_fastjsonschema_at_run_time() -> None:
    """The validators are generated ahead of time (meridian.validators): importing fastjsonschema
    and compiling a schema at the first request cost ~30 ms CPU (bench/findings.md)."""
    completed = subprocess.run(  # noqa: S603 - our interpreter running our probe
        [sys.executable, "-c", VALIDATE_PROBE],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(json.loads(completed.stdout.splitlines()[-1]))
    assert "meridian.validators.generated.transaction_create" in loaded
    assert not [name for name in loaded if name.startswith("fastjsonschema")]
    assert "display_name" in completed.stderr  # the failure still names the field


FREEZE_PROBE = """
import gc, json
import {module}
print(json.dumps({{"frozen": gc.get_freeze_count(), "garbage": gc.collect()}}))
"""


@pytest.mark.parametrize(
    "function", ["health", "profiles", "transactions", "authorizer", "transaction_events"]
)
def test_init_hands_what_it_built_to_the_permanent_generation(function: str) -> None:
    """The last thing a handler module's init does is gc.freeze() (meridian.observability's
    end_of_init): full collections for the rest of the environment's life skip init's objects.
    And init leaves no cyclic garbage behind, which the freeze would keep forever."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "POWERTOOLS_TRACE_DISABLED": "1"}
    completed = subprocess.run(  # noqa: S603 - our interpreter importing our module
        [sys.executable, "-c", FREEZE_PROBE.format(module=f"meridian.handlers.{function}")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    state = json.loads(completed.stdout.splitlines()[-1])
    assert state["frozen"] > 10_000  # every module, class and function init made
    assert state["garbage"] == 0
