"""Lambda Invoke through the emulator runs the deployed zip in the Lambda runtime."""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile
from typing import Any

CODE = """
import os

def handler(event, context):
    if event.get("fail"):
        raise ValueError("asked to fail")
    print("log line from", context.function_name)
    return {
        "echo": event,
        "memory": context.memory_limit_in_mb,
        "region": os.environ["AWS_REGION"],
        "custom": os.environ.get("CUSTOM"),
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
    }
"""


def deploy(emulator: Any, name: str) -> Any:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", CODE)
    role = emulator.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument="{}")
    lambda_client = emulator.client("lambda", "us-west-2")
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
        MemorySize=256,
        Timeout=10,
        Environment={"Variables": {"CUSTOM": "value"}},
        LoggingConfig={"LogFormat": "Text", "LogGroup": f"/test/{name}"},
    )
    return lambda_client


def test_request_response_runs_the_code(emulator: Any, unique_name: Any) -> None:
    name = unique_name("invoke")[:60]
    lambda_client = deploy(emulator, name)
    answer = lambda_client.invoke(FunctionName=name, Payload=b'{"a": 1}', LogType="Tail")
    payload = json.loads(answer["Payload"].read())
    assert payload == {
        "echo": {"a": 1},
        "memory": "256",
        "region": "us-west-2",
        "custom": "value",
        "endpoint": emulator.endpoint,
    }
    assert "FunctionError" not in answer
    assert "log line from" in base64.b64decode(answer["LogResult"]).decode()
    logs = emulator.client("logs", "us-west-2")
    events = logs.filter_log_events(logGroupName=f"/test/{name}")["events"]
    assert any("log line from" in event["message"] for event in events)


def test_function_error_is_reported(emulator: Any, unique_name: Any) -> None:
    name = unique_name("fails")[:60]
    lambda_client = deploy(emulator, name)
    answer = lambda_client.invoke(FunctionName=name, Payload=b'{"fail": true}')
    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(answer["Payload"].read())["errorMessage"] == "asked to fail"


def test_dry_run_and_event_invocations(emulator: Any, unique_name: Any) -> None:
    name = unique_name("async")[:60]
    lambda_client = deploy(emulator, name)
    assert lambda_client.invoke(FunctionName=name, InvocationType="DryRun")["StatusCode"] == 204
    assert lambda_client.invoke(FunctionName=name, InvocationType="Event")["StatusCode"] == 202
    logs = emulator.client("logs", "us-west-2")
    for _ in range(200):  # the event invocation runs in the background; wait for its log
        try:
            events = logs.filter_log_events(logGroupName=f"/test/{name}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        if any("log line from" in event["message"] for event in events):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the Event invocation never ran")
