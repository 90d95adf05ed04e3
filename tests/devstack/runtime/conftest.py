"""Fixtures for the devstack runtime tests: the sample zip and a shared Lambda runtime."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rt_support import SAMPLE_HANDLERS, RecordingLogSink, SpecFactory, build_zip, make_spec

from devstack.runtime.contracts import FunctionSpec
from devstack.runtime.lambda_workers import LambdaRuntime


@pytest.fixture(scope="session")
def sample_zip() -> bytes:
    return build_zip({"samples/__init__.py": "", "samples/handlers.py": SAMPLE_HANDLERS})


@pytest.fixture(scope="session")
def log_sink() -> RecordingLogSink:
    return RecordingLogSink()


@pytest.fixture(scope="session")
def lambda_runtime(
    tmp_path_factory: pytest.TempPathFactory, log_sink: RecordingLogSink
) -> Iterator[LambdaRuntime]:
    runtime = LambdaRuntime(
        tmp_path_factory.mktemp("lambda"),
        log_sink,
        {"AWS_ENDPOINT_URL": "http://127.0.0.1:4599", "AWS_ACCESS_KEY_ID": "testing"},
        max_workers_per_function=2,
    )
    yield runtime
    runtime.shutdown()


@pytest.fixture
def spec_for(sample_zip: bytes) -> SpecFactory:
    def factory(function: str, **overrides: object) -> FunctionSpec:
        overrides.setdefault("name", function)
        return make_spec(sample_zip, f"samples.handlers.{function}", **overrides)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    return tmp_path
