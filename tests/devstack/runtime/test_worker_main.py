"""The worker script's pieces, in-process (process-level behaviour: test_lambda_workers.py)."""

from __future__ import annotations

import decimal
import json
import os
import sys
import time
import types

import pytest

from devstack.runtime import _worker_main as worker


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_LAMBDA_FUNCTION_NAME": "fn",
        "DEVSTACK_FUNCTION_ARN": "arn:aws:lambda:eu-west-1:123456789012:function:fn",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]abc",
    }.items():
        monkeypatch.setenv(name, value)


def test_context_counts_down(lambda_env: None):
    context = worker.LambdaContext("req-1", int(time.time() * 1000) + 5000)
    assert context.memory_limit_in_mb == "512"
    assert context.function_version == "$LATEST"
    assert 0 < context.get_remaining_time_in_millis() <= 5000
    expired = worker.LambdaContext("req-2", 0)
    assert expired.get_remaining_time_in_millis() == 0


def test_decimals_serialise_as_numbers():
    encoded = json.dumps(
        {"a": decimal.Decimal("3"), "b": decimal.Decimal("1.5")}, default=worker._json_default
    )
    assert json.loads(encoded) == {"a": 3, "b": 1.5}
    with pytest.raises(TypeError, match="not JSON serializable"):
        worker._json_default(object())


def test_invoke_results_and_errors(lambda_env: None, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "")  # restored after the test
    deadline = int(time.time() * 1000) + 1000
    request = {"request_id": "r", "payload": '{"x": 1}', "deadline_epoch_ms": deadline}

    ok = worker._invoke(lambda event, context: {"got": event["x"]}, {**request, "trace_id": "T"})
    assert ok == {"ok": True, "result": '{"got": 1}'}
    assert os.environ["_X_AMZN_TRACE_ID"] == "T"

    def failing(event: object, context: object) -> None:
        raise KeyError("missing")

    failed = worker._invoke(failing, request)
    assert failed["ok"] is False
    assert failed["error"]["errorType"] == "KeyError"
    bad_payload = worker._invoke(lambda e, c: None, {**request, "payload": "{nope"})
    assert bad_payload["error"]["errorType"] == "Runtime.UnmarshalError"
    empty = worker._invoke(lambda e, c: e, {**request, "payload": ""})
    assert empty == {"ok": True, "result": "{}"}


def test_handler_loading(monkeypatch: pytest.MonkeyPatch):
    module = types.ModuleType("sample_worker_module")
    module.handler = lambda e, c: "hi"  # type: ignore[attr-defined]
    module.not_callable = 3  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sample_worker_module", module)
    assert worker._load_handler("sample_worker_module.handler")(None, None) == "hi"
    with pytest.raises(AttributeError, match="missing"):
        worker._load_handler("sample_worker_module.absent")
    with pytest.raises(TypeError, match="not callable"):
        worker._load_handler("sample_worker_module.not_callable")
    with pytest.raises(ValueError, match="Bad handler"):
        worker._load_handler("handler")
