"""What enforcement costs per AWS call: ``python -m devstack.iam.measure [calls]``.

Starts an emulator in-process on a free port, creates a table and a role whose policy looks like
the functions' (a handful of statements, one with a condition), and times the same sequence of
GetItem / PutItem calls signed with the role's session, with the enforcer on and then off (the
check replaced by a no-op for this process only). Prints the mean per call for both and the
difference. Nothing here runs in the emulator proper.
"""

from __future__ import annotations

import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
from werkzeug.serving import make_server

from devstack.server import DevstackApp, configure_moto_environment
from devstack.wsgi import AwsRequest

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _client(port: int, service: str, **keys: str) -> Any:  # noqa: ANN401 - boto3 clients
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id=keys.get("key", "test"),
        aws_secret_access_key=keys.get("secret", "test"),
        aws_session_token=keys.get("token"),
    )


def _timed(dynamodb: Any, table: str, calls: int) -> list[float]:  # noqa: ANN401
    samples = []
    for index in range(calls):
        started = time.perf_counter()
        if index % 2:
            dynamodb.get_item(TableName=table, Key={"pk": {"S": "k"}})
        else:
            dynamodb.put_item(TableName=table, Item={"pk": {"S": "k"}, "n": {"N": str(index)}})
        samples.append(time.perf_counter() - started)
    return samples


def _check_only(app: DevstackApp, access_key: str, table: str, calls: int) -> float:
    """Mean microseconds of the enforcer's check on a GetItem request, without HTTP."""
    request = AwsRequest(
        method="POST",
        path="/",
        query_string="",
        headers={
            "authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/20260101/{REGION}/"
            "dynamodb/aws4_request, SignedHeaders=host, Signature=0",
            "x-amz-target": "DynamoDB_20120810.GetItem",
        },
        body=json.dumps({"TableName": table, "Key": {"pk": {"S": "k"}}}).encode(),
        environ={},
        service="dynamodb",
        region=REGION,
    )
    started = time.perf_counter()
    for _ in range(calls):
        if app.iam_enforcer.check(request) is not None:
            raise AssertionError("the measured request must be allowed")
    return (time.perf_counter() - started) / calls * 1e6


def main(calls: int) -> int:
    configure_moto_environment()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    app = DevstackApp(port, Path(tempfile.mkdtemp(prefix="devstack-iam-measure-")))
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        table = "measure"
        _client(port, "dynamodb").create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}"
        iam = _client(port, "iam")
        role_arn = iam.create_role(RoleName="measure", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        statements = [
            {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["xray:PutTraceSegments"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
             "Resource": [table_arn]},
            {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "*",
             "Condition": {"StringEquals": {"kms:ViaService": "dynamodb.us-east-1.amazonaws.com"}}},
        ]  # fmt: skip
        iam.put_role_policy(
            RoleName="measure",
            PolicyName="p",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
        started = time.perf_counter()
        session = app.role_sessions.for_function(role_arn, "measure")
        assume_ms = (time.perf_counter() - started) * 1000
        dynamodb = _client(
            port,
            "dynamodb",
            key=session.access_key_id,
            secret=session.secret_access_key,
            token=session.session_token,
        )
        _timed(dynamodb, table, 50)  # warm up
        check_us = _check_only(app, session.access_key_id, table, calls * 10)
        # Alternating rounds, so a drifting machine load falls on both sides alike.
        enforced: list[float] = []
        unenforced: list[float] = []
        real_check = app.iam_enforcer.check
        for _ in range(10):
            app.iam_enforcer.check = real_check  # type: ignore[method-assign]
            enforced += _timed(dynamodb, table, calls // 10)
            app.iam_enforcer.check = lambda _request: None  # type: ignore[method-assign,assignment]
            unenforced += _timed(dynamodb, table, calls // 10)
    finally:
        server.shutdown()
        server.server_close()
        app.shutdown()
    on, off = statistics.median(enforced) * 1000, statistics.median(unenforced) * 1000
    print(f"AssumeRole (once per role and function, renewed hourly): {assume_ms:.1f} ms")
    print(
        f"{calls} DynamoDB calls, median per call: enforced {on:.3f} ms, not enforced {off:.3f} ms"
    )
    print(f"cost of enforcement per call: {on - off:.3f} ms (the check alone: {check_us:.1f} µs)")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
