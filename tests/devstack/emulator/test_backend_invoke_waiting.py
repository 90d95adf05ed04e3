"""API Gateway waits for a Lambda integration at most its integration timeout (the stage runtime
calls ``invoke_function_waiting``); the function runs on after a 504, as on AWS."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from devstack.server import configure_moto_environment

configure_moto_environment()

from moto.core.models import DEFAULT_ACCOUNT_ID  # noqa: E402

from devstack import backend as backend_module  # noqa: E402 - after the moto environment
from devstack.runtime.contracts import FunctionSpec, InvokeResult  # noqa: E402

ARN = f"arn:aws:lambda:eu-west-1:{DEFAULT_ACCOUNT_ID}:function:waited"


class RecordingInvoker:
    """Answers once released (at once unless ``held``), recording the thread it ran on."""

    def __init__(self, *, held: bool = False) -> None:
        self.threads: list[threading.Thread] = []
        self.release = threading.Event()
        self.ended = threading.Event()
        if not held:
            self.release.set()

    def invoke(self, spec: FunctionSpec, payload: bytes) -> InvokeResult:
        self.threads.append(threading.current_thread())
        self.release.wait(10)
        self.ended.set()
        return InvokeResult(payload=payload, function_error=None)


def backend_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, invoker: RecordingInvoker, timeout: int
) -> backend_module.MotoBackend:
    backend = backend_module.MotoBackend(DEFAULT_ACCOUNT_ID, tmp_path / "log")
    backend.invoker = invoker
    spec = FunctionSpec(
        function_name="waited",
        function_arn=ARN,
        region="eu-west-1",
        handler="index.handler",
        runtime="python3.13",
        code_sha256="",
        code_zip=b"",
        environment={},
        timeout_seconds=timeout,
        memory_mb=128,
        log_group_name="/aws/lambda/waited",
        role_arn="",
        read_at=0.0,
    )
    monkeypatch.setattr(backend, "function_spec", lambda region, name, qualifier: spec)
    return backend


def test_a_function_that_ends_before_the_integration_timeout_runs_on_the_callers_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 10 s init + a 3 s function timeout < API Gateway's 29 s: the runtime ends it first, so no
    # thread is needed to stop waiting early.
    invoker = RecordingInvoker()
    backend = backend_with(tmp_path, monkeypatch, invoker, timeout=3)
    result = backend.invoke_function_waiting(ARN, b"{}", 29.0)
    assert result is not None
    assert result.payload == b"{}"
    assert invoker.threads == [threading.current_thread()]


def test_a_function_that_may_outlast_the_integration_timeout_is_waited_for_that_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoker = RecordingInvoker(held=True)
    backend = backend_with(tmp_path, monkeypatch, invoker, timeout=30)
    assert backend.invoke_function_waiting(ARN, b"{}", 0.05) is None
    assert not invoker.ended.is_set(), "the caller stopped waiting before the invocation ended"
    assert invoker.threads[0] is not threading.current_thread()
    invoker.release.set()
    assert invoker.ended.wait(5), "the invocation runs on after the caller stopped waiting"


def test_an_invocation_error_reaches_the_caller_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for timeout in (3, 30):
        backend = backend_with(tmp_path, monkeypatch, RecordingInvoker(), timeout=timeout)
        backend.invoker = None  # invoke_spec: "no Lambda runtime is attached"
        with pytest.raises(RuntimeError, match="no Lambda runtime"):
            backend.invoke_function_waiting(ARN, b"{}", 29.0)
