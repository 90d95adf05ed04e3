"""A function's AWS calls reach the emulator through its worker's pipe, not over HTTP.

botocore builds, signs, retries and parses the call as usual; only the socket is skipped. The
port in ``AWS_ENDPOINT_URL`` below has no listener: an answer proves the call came through the
pipe, and a call for any other endpoint still goes over HTTP.
"""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path
from typing import Any

from rt_support import RecordingLogSink, build_zip, make_spec

from devstack.runtime.lambda_workers import LambdaRuntime

ENDPOINT = "http://127.0.0.1:9"  # discard port: nothing answers HTTP there
FUNCTION = """
import os
import threading

import boto3
from botocore.config import Config

CLIENT = boto3.client("dynamodb", config=Config(retries={"max_attempts": 1}))


def one(event, context):
    answer = CLIENT.get_item(TableName=event["table"], Key={"pk": {"S": event["key"]}})
    return answer["Item"]["pk"]["S"]


def many(event, context):
    results = {}

    def read(key):
        results[key] = one({"table": "t", "key": key}, context)

    threads = [threading.Thread(target=read, args=(f"k{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def elsewhere(event, context):
    other = boto3.client("dynamodb", endpoint_url="http://127.0.0.1:10",
                         config=Config(retries={"max_attempts": 1}, connect_timeout=1))
    try:
        other.list_tables()
    except Exception as exc:
        return type(exc).__name__
    return "answered"


def failing(event, context):
    try:
        CLIENT.list_tables()
    except Exception as exc:
        return str(exc)
    return "no error"
"""


class Emulator:
    """Answers GetItem with the key it was asked for; records every call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def __call__(self, call: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.calls.append(call)
        request = json.loads(base64.b64decode(call["body"]))
        headers = dict(call["headers"])
        if headers["X-Amz-Target"] == "DynamoDB_20120810.ListTables":
            raise RuntimeError("the emulator failed")
        answer = json.dumps({"Item": {"pk": {"S": request["Key"]["pk"]["S"]}}}).encode()
        return {
            "status": 200,
            "headers": [["Content-Type", "application/x-amz-json-1.0"]],
            "body": base64.b64encode(answer).decode(),
        }


def _runtime(tmp_path: Path, emulator: Emulator) -> LambdaRuntime:
    return LambdaRuntime(
        tmp_path,
        RecordingLogSink(),
        {
            "AWS_ENDPOINT_URL": ENDPOINT,
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "example",
        },
        aws_calls=emulator,
    )


def _invoke(runtime: LambdaRuntime, handler: str, event: object) -> Any:
    spec = make_spec(build_zip({"app.py": FUNCTION}), f"app.{handler}")
    result = runtime.invoke(spec, json.dumps(event).encode())
    assert result.function_error is None, result.log_tail
    return json.loads(result.payload)


def test_a_call_is_answered_through_the_pipe_signed_as_over_http(tmp_path: Path) -> None:
    emulator = Emulator()
    runtime = _runtime(tmp_path, emulator)
    try:
        assert _invoke(runtime, "one", {"table": "t", "key": "abc"}) == "abc"
    finally:
        runtime.shutdown()
    (call,) = emulator.calls
    headers = dict(call["headers"])
    assert call["method"] == "POST"
    assert call["url"] == f"{ENDPOINT}/"
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/dynamodb/aws4_request" in headers["Authorization"]
    assert json.loads(base64.b64decode(call["body"]))["TableName"] == "t"


def test_calls_from_the_functions_threads_each_get_their_own_answer(tmp_path: Path) -> None:
    emulator = Emulator()
    runtime = _runtime(tmp_path, emulator)
    try:
        answers = _invoke(runtime, "many", {})
    finally:
        runtime.shutdown()
    assert answers == {f"k{n}": f"k{n}" for n in range(8)}
    assert len(emulator.calls) == 8


def test_a_call_for_another_endpoint_goes_over_http(tmp_path: Path) -> None:
    emulator = Emulator()
    runtime = _runtime(tmp_path, emulator)
    try:
        assert _invoke(runtime, "elsewhere", {}) == "EndpointConnectionError"
    finally:
        runtime.shutdown()
    assert emulator.calls == []


def test_an_emulator_failure_is_a_500_the_function_sees(tmp_path: Path) -> None:
    emulator = Emulator()
    runtime = _runtime(tmp_path, emulator)
    try:
        message = _invoke(runtime, "failing", {})
    finally:
        runtime.shutdown()
    assert "InternalFailure" in message
    assert "devstack internal error" in message
